"""What readers and shared caches may keep: public answers for anyone, per-reader ones for none.

Each class of public endpoint (pages, feeds, read API) carries `public, max-age, stale-while-
revalidate, stale-if-error`, an ETag and a Last-Modified, and no cookie and no `Vary: Cookie`;
revalidation answers 304. Forms, writes and any answer to a request with credentials stay
`private, no-store`.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date
from rest_framework.authtoken.models import Token

from destinations.status_version import status_cache_bump
from tests.destinations.story import build_story
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=30, stale-while-revalidate=60, stale-if-error=86400"
PER_READER = "private, no-store"
BUILT_AT = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

PAGES = ["/", "/destinations/wonsan-kalma/", "/map/", "/changes/", "/notices/{notice}/"]
FEEDS = ["/feeds/changes/", "/feeds/destinations/wonsan-kalma/", "/feeds/countries/KP/"]
API = [
    "/api/v1/",
    "/api/v1/destinations/",
    "/api/v1/destinations/wonsan-kalma/",
    "/api/v1/destinations/wonsan-kalma/history/",
    "/api/v1/destinations/wonsan-kalma/explain/",
    "/api/v1/changes/",
    "/api/v1/notices/",
    "/api/v1/notices/{notice}/",
    "/api/v1/sources/",
    "/api/v1/sources/{source}/",
]
VERSIONED = ["/", "/destinations/wonsan-kalma/", "/map/", "/api/v1/destinations/"]


@pytest.fixture
def clock():
    """The story is written at BUILT_AT; readers come a minute later, with time standing still."""
    with time_machine.travel(BUILT_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def story(clock):
    built = build_story()
    status_cache_bump()
    clock.shift(60)
    return built


def _url(template: str, story) -> str:
    from advisories.models import Notice

    notice = Notice.objects.get(pk=story.notice_id)
    return template.format(notice=notice.pk, source=notice.source.slug)


@pytest.mark.parametrize("template", PAGES + FEEDS + API)
def test_a_public_answer_may_be_kept_by_any_cache_and_is_the_same_for_every_reader(
    client, story, template
):
    response = client.get(_url(template, story))

    assert response.status_code == 200
    assert response["Cache-Control"] == PUBLIC
    assert response.has_header("ETag")
    assert response.has_header("Last-Modified")
    assert not response.has_header("Expires")
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()


@pytest.mark.parametrize("template", PAGES + FEEDS + API)
def test_a_public_answer_revalidated_with_its_etag_is_not_modified(client, story, template):
    url = _url(template, story)
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response["Cache-Control"] == PUBLIC


@pytest.mark.parametrize("url", VERSIONED)
def test_last_modified_is_the_time_of_the_last_status_change(client, story, url):
    assert client.get(url)["Last-Modified"] == http_date(BUILT_AT.timestamp())


@pytest.mark.parametrize("url", VERSIONED)
def test_if_modified_since_is_not_modified_until_the_next_change(client, story, clock, url):
    since = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"if-modified-since": since}).status_code == 304

    status_cache_bump()
    clock.shift(1)

    assert client.get(url, headers={"if-modified-since": since}).status_code == 200


def test_no_last_modified_is_claimed_in_the_second_of_a_change(client, story):
    """A second change within that second would carry the same date (HTTP counts seconds)."""
    status_cache_bump()

    response = client.get("/")

    assert not response.has_header("Last-Modified")
    assert response.has_header("ETag")


def test_if_modified_since_alone_never_hides_a_change_the_version_does_not_follow(client, story):
    first = client.get("/api/v1/notices/")

    again = client.get("/api/v1/notices/", headers={"if-modified-since": first["Last-Modified"]})

    assert again.status_code == 200


def test_the_lifetimes_come_from_the_settings(client, story, settings):
    settings.PUBLIC_CACHE_MAX_AGE = 2
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 5
    settings.PUBLIC_CACHE_STALE_IF_ERROR = 600

    response = client.get("/")

    assert (
        response["Cache-Control"]
        == "public, max-age=2, stale-while-revalidate=5, stale-if-error=600"
    )


def test_an_api_answer_to_a_token_holder_is_private(client, story):
    token = Token.objects.create(user=UserFactory())

    response = client.get("/api/v1/notices/", headers={"authorization": f"Token {token.key}"})

    assert response.status_code == 200
    assert response["Cache-Control"] == PER_READER


@pytest.mark.parametrize("url", ["/", "/api/v1/destinations/", "/feeds/changes/"])
def test_a_public_route_read_with_a_session_is_private(story, url):
    reader = Client()
    reader.force_login(UserFactory())

    assert reader.get(url)["Cache-Control"] == PER_READER


def test_the_subscribe_form_is_private(client, story):
    response = client.get(reverse("advisories:subscribe"))

    assert response.status_code == 200
    assert response["Cache-Control"] == PER_READER


def test_a_write_is_private(client, story):
    response = client.post("/api/v1/notices/", {"title": "x"}, content_type="application/json")

    assert response.status_code in (401, 403)
    assert "public" not in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_the_admin_is_never_stored(client, story):
    response = client.get("/admin/login/")

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_an_error_on_a_public_route_is_not_kept(client, story):
    response = client.get("/destinations/no-such-place/")

    assert response.status_code == 404
    assert response["Cache-Control"] == PER_READER
