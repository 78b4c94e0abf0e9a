"""The Atom feeds against RFC 4287: ids on one stable base, an author, a steady `updated`."""

from datetime import UTC, datetime

import feedparser
import pytest

from destinations.models import StatusChange
from tests.destinations.story import build_story, day
from tests.factories import DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db
SITE = "https://portcullis.example.org"
FEEDS = ["/feeds/changes/", "/feeds/destinations/rason/", "/feeds/countries/KP/"]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]


def parse(client, url, host="testserver"):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10" and not feed.bozo, feed.get("bozo_exception")
    return feed


def assert_rfc4287(feed):
    assert feed.feed.id and feed.feed.title and feed.feed.updated
    has_author = bool(feed.feed.get("author_detail", {}).get("name"))
    assert has_author or all(e.get("author") for e in feed.entries)
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.link


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_has_the_elements_rfc_4287_requires(client, url):
    build_story()
    feed = parse(client, url)
    assert feed.entries
    assert_rfc4287(feed)
    assert feed.feed.author_detail.name == "Portcullis"
    assert feed.feed.author_detail.href == f"{SITE}/"


@pytest.mark.parametrize("url", FEEDS)
def test_feed_and_entry_ids_share_one_base_whatever_host_was_asked(client, url):
    build_story()
    first = parse(client, url, host="testserver")
    second = parse(client, url, host="other.example.net")
    base = "tag:portcullis.example.org,2025:"
    assert first.feed.id == second.feed.id and first.feed.id.startswith(base)
    assert [e.id for e in first.entries] == [e.id for e in second.entries]
    assert all(e.id.startswith(base + "status-change:") for e in first.entries)


def test_the_three_feeds_have_different_ids(client):
    build_story()
    assert len({parse(client, url).feed.id for url in FEEDS}) == 3


@pytest.mark.parametrize("url", ["/feeds/destinations/quiet-bay/", "/feeds/countries/FR/"])
def test_an_empty_feed_is_valid_and_dated_by_the_services_newest_change(client, url):
    DestinationFactory(slug="quiet-bay", name="Quiet Bay", country_code="FR")
    StatusChangeFactory(effective_at=day(5, 1), recorded_at=day(6, 2))
    StatusChangeFactory(effective_at=day(6, 1), recorded_at=day(6, 9))
    feed = parse(client, url)
    assert feed.entries == []
    assert_rfc4287(feed)
    assert datetime(*feed.feed.updated_parsed[:6], tzinfo=UTC) == day(6, 9)


def test_a_feed_before_any_change_is_dated_at_the_services_epoch(client):
    assert not StatusChange.objects.exists()
    feed = parse(client, "/feeds/changes/")
    assert_rfc4287(feed)
    assert feed.feed.updated.startswith("2025-01-01")
