"""The live exports revalidate cheaply: ETag and Last-Modified from the published status
version, 304 before anything is read, and public Cache-Control like the rest of the read API."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from destinations.status_version import status_cache_bump
from tests.factories import StatusChangeFactory

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/export/changes.csv", "/api/v1/export/changes.jsonl", "/api/v1/export/current.csv"]
PUBLIC = "public, max-age=30, stale-while-revalidate=60, stale-if-error=86400"
CHANGED_AT = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(CHANGED_AT, tick=False) as traveller:
        StatusChangeFactory()
        status_cache_bump()
        traveller.shift(60)
        yield traveller


@pytest.mark.parametrize("url", URLS)
def test_each_export_carries_validators_and_may_be_kept_by_any_cache(client, clock, url):
    response = client.get(url)

    assert response.has_header("ETag")
    assert response["Last-Modified"] == http_date(CHANGED_AT.timestamp())
    assert response["Cache-Control"] == PUBLIC
    assert "cookie" not in response.get("Vary", "").lower()


@pytest.mark.parametrize("url", URLS)
def test_a_matching_etag_is_answered_304_without_reading_the_table(client, clock, url):
    etag = client.get(url)["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["Cache-Control"] == PUBLIC
    assert len(queries) == 0


@pytest.mark.parametrize("url", URLS)
def test_if_modified_since_is_304_until_the_next_change(
    client, clock, django_capture_on_commit_callbacks, url
):
    since = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"if-modified-since": since}).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        StatusChangeFactory()  # bumps the status version on commit
    clock.shift(1)

    changed = client.get(url, headers={"if-modified-since": since})
    assert changed.status_code == 200
    assert changed.streaming


def test_a_new_change_gives_the_export_a_new_etag(
    client, clock, django_capture_on_commit_callbacks
):
    before = client.get(URLS[0])["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        StatusChangeFactory()

    assert client.get(URLS[0])["ETag"] != before


@pytest.mark.parametrize("url", URLS)
def test_each_export_says_its_column_set_version(client, clock, url):
    expected = "current/1" if "current" in url else "changes/1"
    assert client.get(url)["Export-Version"] == expected
