"""Page caching and conditional GET: a change is visible at once, a repeat costs no query."""

import pytest
from django.db import transaction
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


def test_a_cached_page_gives_each_reader_a_csrf_token_matching_their_own_cookie(story):
    import re

    from django.middleware.csrf import _does_token_match
    from django.test import Client

    first, second = Client(), Client()
    first.get(BOARD)  # renders and caches
    response = second.get(BOARD)  # served from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]
    assert "MARKER" not in token
    assert _does_token_match(token, second.cookies["csrftoken"].value)
    assert response.headers["Vary"] and "Cookie" in response.headers["Vary"]


def test_a_repeat_reader_is_answered_by_the_middleware_with_their_own_token(
    client, story, django_assert_num_queries
):
    import re

    from django.middleware.csrf import _does_token_match

    client.get(BOARD)  # first visit: rendered by the view, sets the CSRF cookie
    with django_assert_num_queries(0):
        response = client.get(BOARD)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]
    assert _does_token_match(token, client.cookies["csrftoken"].value)
    assert response["X-Frame-Options"] == "DENY"
    assert "csrftoken" not in response.cookies  # nothing to set: the reader has one


def test_the_middleware_never_serves_a_page_older_than_the_current_version(client, story):
    client.get(KALMA)
    CurrentStatusFactory(
        change=StatusChangeFactory(
            destination=story.kalma, audience="CN", status=Status.OPEN, summary="Chinese groups."
        )
    )
    status_cache_bump()
    assert "Chinese groups." in client.get(KALMA).content.decode()
