"""Atom feeds of status changes: all of them, one destination's, one country's.

Each entry reads "old -> new" with the audience and the effective date, carries the summary, and
links the destination page (anchored at the change, so every entry has its own link and id).
"""

from __future__ import annotations

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


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Portcullis: all status changes"
    subtitle = "Foreign-access status changes of travel destinations, newest first."

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
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"tag:{host},2025:status-change:{item.pk}"

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
