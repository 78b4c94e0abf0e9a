"""Page caching and conditional GET: a change is visible at once, a repeat costs no query."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from destinations.models import Status
from destinations.status_version import status_cache_bump, status_cache_version
from tests.destinations.story import build_story, day
from tests.factories import CurrentStatusFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db
BOARD = reverse("destinations:board")
KALMA = reverse("destinations:detail", kwargs={"slug": "wonsan-kalma"})


@pytest.fixture
def story():
    return build_story()


@pytest.mark.parametrize("url", [BOARD, KALMA])
def test_a_repeated_page_view_is_served_from_the_cache_without_queries(
    client, story, url, django_assert_num_queries
):
    client.get(url)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [BOARD, KALMA, "/api/v1/destinations/", "/api/v1/changes/"])
def test_matching_etag_gets_304_without_rendering_or_querying(
    client, story, url, django_assert_num_queries
):
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_etag_differs_between_query_strings(client, story):
    assert client.get(BOARD)["ETag"] != client.get(BOARD, {"status": "open"})["ETag"]


def test_a_committed_status_change_is_visible_immediately(
    client, story, django_capture_on_commit_callbacks
):
    etag = client.get(KALMA)["ETag"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        change = StatusChangeFactory(
            destination=story.kalma,
            status=Status.OPEN,
            previous_status=Status.SUSPENDED,
            effective_at=day(9, 1),
            summary="Receiving foreign tourists again.",
        )
        story.kalma.current_statuses.filter(audience="foreign").delete()
        CurrentStatusFactory(change=change)
    response = client.get(KALMA, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Receiving foreign tourists again." in response.content.decode()


def test_a_change_not_yet_committed_does_not_bump_the_version(
    story, django_capture_on_commit_callbacks
):
    before = status_cache_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        StatusChangeFactory(destination=story.kalma, status=Status.OPEN, effective_at=day(9, 1))
    assert status_cache_version() == before
    assert callbacks  # the bump waits for the commit


def test_status_cache_bump_changes_the_version(story):
    before = status_cache_version()
    status_cache_bump()
    assert status_cache_version() != before


def test_cached_board_is_replaced_once_the_version_is_bumped(client, story):
    client.get(BOARD)
    CurrentStatusFactory(
        change=StatusChangeFactory(
            destination=story.kangwon, status=Status.RESTRICTED, summary="Province restricted."
        )
    )
    # The test transaction never commits, so no automatic bump: the cached copy stays...
    assert "Province restricted." not in client.get(BOARD).content.decode()
    status_cache_bump()  # ...until the version moves.
    assert "Province restricted." in client.get(BOARD).content.decode()


def test_a_cached_page_is_the_same_for_every_reader_and_sets_no_cookie(story):
    first, second = Client(), Client()
    rendered = first.get(BOARD)  # renders and caches
    cached = second.get(BOARD)
    assert cached.content == rendered.content
    assert not cached.cookies and not rendered.cookies
    assert "csrfmiddlewaretoken" not in cached.content.decode()


@pytest.mark.parametrize("url", [BOARD, KALMA])
def test_a_cached_page_asked_for_with_a_bogus_host_is_a_400(client, story, url):
    assert client.get(url).status_code == 200  # now cached
    # The old cached-page shortcut answered any Host once the reader had a CSRF cookie.
    client.cookies["csrftoken"] = "A" * 32
    assert client.get(url, HTTP_HOST="evil.example.com").status_code == 400


@pytest.mark.parametrize("url", [BOARD, KALMA])
def test_a_cached_answer_carries_the_security_headers(client, story, url, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    client.get(url, secure=True)
    response = client.get(url, secure=True)
    assert "Age" in response  # from the page cache
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Request-ID"]


def test_a_cached_answer_is_counted_by_the_request_metrics(client, story):
    from prometheus_client import REGISTRY

    def board_requests() -> float:
        return (
            REGISTRY.get_sample_value(
                "django_http_requests_total_by_view_transport_method_total",
                {"view": "destinations:board", "transport": "http", "method": "GET"},
            )
            or 0
        )

    client.get(BOARD)
    before = board_requests()
    client.get(BOARD)
    assert board_requests() == before + 1


def test_the_page_cache_never_serves_a_page_older_than_the_current_version(client, story):
    client.get(KALMA)
    CurrentStatusFactory(
        change=StatusChangeFactory(
            destination=story.kalma, audience="CN", status=Status.OPEN, summary="Chinese groups."
        )
    )
    status_cache_bump()
    assert "Chinese groups." in client.get(KALMA).content.decode()


@pytest.mark.parametrize("url", [BOARD, KALMA])
def test_parameters_a_page_does_not_read_neither_fill_the_cache_nor_change_the_etag(
    client, story, url, django_assert_num_queries
):
    first = client.get(url, {"utm_source": "newsletter"})
    with django_assert_num_queries(0):
        padded = [client.get(url, {f"junk{n}": str(n)}) for n in range(20)]

    assert {r.status_code for r in padded} == {200}
    assert {r["ETag"] for r in padded} == {first["ETag"]}


def test_the_parameters_a_page_reads_are_one_cached_copy_whatever_their_order(
    client, story, django_assert_num_queries
):
    first = client.get(f"{BOARD}?status=suspended&country=KP")
    with django_assert_num_queries(0):
        again = client.get(f"{BOARD}?country=KP&status=suspended&ref=mail")

    assert again.status_code == 200 and again["ETag"] == first["ETag"]
    assert again.content == first.content
