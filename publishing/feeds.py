"""Atom feeds of status changes: all of them, one destination's, one country's.

Each entry reads "old -> new" with the audience and the effective date, carries the summary, and
links the destination page (anchored at the change, so every entry has its own link).

Ids are `tag:` URIs on one base derived from SITE_URL, never from the Host a request came in
on, so a reader that fetched the feed through another address sees the same feed and entries.
Every feed names the service as its author, and its `updated` is the newest entry's, or, for a
feed with no entry, the newest change of the whole service: a feed that did not change keeps its
date, where Django would say "now".
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from destinations.models import Audience, Destination, Status, StatusChange
from publishing import selectors

FEED_LENGTH = 50
SERVICE_NAME = "Portcullis"
# The tag date of every id, and an empty feed's `updated` before any change was recorded.
SERVICE_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def tag_base() -> str:
    """The stable prefix of every feed and entry id: `tag:<SITE_URL host>,2025:`."""
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},{SERVICE_EPOCH:%Y}:"


class StableAtomFeed(Atom1Feed):
    """Atom whose `updated` falls back to a date given with the feed, not the current time."""

    def latest_post_date(self):
        if not self.items and self.feed.get("updated_when_empty"):
            return self.feed["updated_when_empty"]
        return super().latest_post_date()


class ChangesFeed(Feed):
    feed_type = StableAtomFeed
    title = "Portcullis: all status changes"
    subtitle = "Foreign-access status changes of travel destinations, newest first."
    author_name = SERVICE_NAME

    def author_link(self, obj=None) -> str:
        return settings.SITE_URL + "/"

    def feed_guid(self, obj=None) -> str:
        return tag_base() + "feed:changes"

    def get_feed(self, obj, request: HttpRequest):
        feed = super().get_feed(obj, request)
        if not feed.items:
            # One query, only for an empty feed.
            feed.feed["updated_when_empty"] = selectors.last_change_recorded_at() or SERVICE_EPOCH
        return feed

    def link(self, obj=None) -> str:
        return reverse("destinations:changes")

    def feed_url(self, obj=None) -> str:
        return reverse("destinations:feed-changes")

    def items(self, obj=None):
        return selectors.recent_changes()[:FEED_LENGTH]

    def item_title(self, item: StatusChange) -> str:
        return (
            f"{item.destination.name}: {Status(item.previous_status).label} \u2192 "
            f"{Status(item.status).label} for {Audience.label(item.audience)}"
        )

    def item_description(self, item: StatusChange) -> str:
        # Atom summaries from Django's generator are type="html": a reader decodes the XML and
        # then renders the result as HTML. Our text is plain, so it is HTML-escaped here, and
        # the generator's XML escaping comes on top: a notice quoting "<img onerror=...>" reads
        # as those characters, never as markup.
        return escape(
            f"{Status(item.previous_status).label} \u2192 {Status(item.status).label} "
            f"for {Audience.label(item.audience)}, effective {item.effective_at:%Y-%m-%d %H:%M} "
            f"UTC. {item.summary}"
        )

    def item_link(self, item: StatusChange) -> str:
        return (
            reverse("destinations:detail", kwargs={"slug": item.destination.slug})
            + f"#change-{item.pk}"
        )

    def item_guid(self, item: StatusChange) -> str:
        return f"{tag_base()}status-change:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: StatusChange):
        return item.recorded_at

    def item_updateddate(self, item: StatusChange):
        return item.recorded_at

    def item_categories(self, item: StatusChange):
        return [item.status, item.audience, item.destination.country_code or "none"]


class DestinationChangesFeed(ChangesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Destination:
        return get_object_or_404(Destination, slug=slug)

    def feed_guid(self, obj: Destination) -> str:
        return f"{tag_base()}feed:destination:{obj.pk}"

    def title(self, obj: Destination) -> str:
        return f"Portcullis: status changes of {obj.name}"

    def subtitle(self, obj: Destination) -> str:
        return f"Foreign-access status changes of {obj.name}, newest first."

    def link(self, obj: Destination) -> str:
        return reverse("destinations:detail", kwargs={"slug": obj.slug})

    def feed_url(self, obj: Destination) -> str:
        return reverse("destinations:feed-destination", kwargs={"slug": obj.slug})

    def items(self, obj: Destination):
        return selectors.recent_changes(destination=obj)[:FEED_LENGTH]


class CountryChangesFeed(ChangesFeed):
    def get_object(self, request: HttpRequest, code: str) -> str:
        code = code.upper()
        if selectors.country_name(code) == code:
            raise Http404(f"{code} is not an ISO 3166-1 country code.")
        return code

    def feed_guid(self, obj: str) -> str:
        return f"{tag_base()}feed:country:{obj}"

    def title(self, obj: str) -> str:
        return f"Portcullis: status changes in {selectors.country_name(obj)}"

    def subtitle(self, obj: str) -> str:
        return f"Foreign-access status changes of destinations in {selectors.country_name(obj)}."

    def link(self, obj: str) -> str:
        return reverse("destinations:board") + f"?country={obj}"

    def feed_url(self, obj: str) -> str:
        return reverse("destinations:feed-country", kwargs={"code": obj})

    def items(self, obj: str):
        return selectors.recent_changes(country=obj)[:FEED_LENGTH]
