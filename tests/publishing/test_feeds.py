"""Atom feeds of status changes, parsed as a feed reader would."""

import feedparser
import pytest

from destinations.models import Status
from tests.destinations.story import build_story
from tests.factories import DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return build_story()


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10" and not feed.bozo
    return feed


def test_all_changes_feed_lists_every_change_newest_recorded_first(client, story):
    feed = parse(client, "/feeds/changes/")
    assert len(feed.entries) == 6
    assert feed.entries[0].title.startswith(
        "Wonsan-Kalma Coastal Tourist Zone: Closed \u2192 Suspended"
    )


def test_entry_says_old_and_new_status_audience_effective_date_and_summary(client, story):
    entry = parse(client, "/feeds/changes/").entries[0]
    assert "for all foreign visitors" in entry.title
    assert "Closed \u2192 Suspended" in entry.summary
    assert "effective 2025-07-16 00:00 UTC" in entry.summary
    assert "Temporarily not receiving foreign tourists." in entry.summary


def test_entry_links_the_destination_page_and_has_its_own_id(client, story):
    entries = parse(client, "/feeds/changes/").entries
    assert entries[0].link == (
        f"http://testserver/destinations/wonsan-kalma/#change-{story.kalma_suspended.pk}"
    )
    assert len({e.id for e in entries}) == len(entries)


def test_destination_feed_holds_only_that_destinations_changes(client, story):
    feed = parse(client, "/feeds/destinations/rason/")
    assert "Rason" in feed.feed.title
    assert [e.title.split(":")[0] for e in feed.entries] == ["Rason Special Economic Zone"] * 2


def test_country_feed_holds_changes_of_places_in_that_country(client, story):
    other = StatusChangeFactory(destination__country_code="CN", status=Status.OPEN)
    feed = parse(client, "/feeds/countries/kp/")
    assert "North Korea" in feed.feed.title
    assert len(feed.entries) == 6
    assert all(other.destination.name not in e.title for e in feed.entries)


def test_feed_escapes_markup_in_summaries(client):
    StatusChangeFactory(summary="<script>alert(1)</script>")
    raw = client.get("/feeds/changes/").content.decode()
    assert "<script>" not in raw


@pytest.mark.parametrize("url", ["/feeds/destinations/atlantis/", "/feeds/countries/zz/"])
def test_feed_of_unknown_destination_or_country_is_a_404(client, url):
    assert client.get(url).status_code == 404


HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script> & closed'


@pytest.mark.parametrize(
    "url", ["/feeds/changes/", "/feeds/destinations/hostile-cove/", "/feeds/countries/KP/"]
)
def test_markup_quoted_in_a_summary_reaches_a_feed_reader_as_text_never_as_markup(client, url):
    place = DestinationFactory(slug="hostile-cove", name="Hostile Cove", country_code="KP")
    StatusChangeFactory(destination=place, summary=HOSTILE)

    response = client.get(url)
    # What a reader that trusts type="html" renders: feedparser without its sanitiser.
    entry = feedparser.parse(response.content, sanitize_html=False).entries[0]

    assert entry.summary_detail.type == "text/html"
    assert "<img" not in entry.summary and "<script" not in entry.summary
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in entry.summary
    assert "&amp; closed" in entry.summary
