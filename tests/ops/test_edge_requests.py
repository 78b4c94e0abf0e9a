"""Requests at the edges that used to answer 500: each is a 400 with a useful message (the API's
error envelope on the API), and nothing is written."""

from __future__ import annotations

import base64
import json

import pytest

from advisories.models import Notice
from tests.destinations.story import build_story

pytestmark = pytest.mark.django_db

CALENDAR_EDGES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


@pytest.fixture
def story():
    return build_story()


def assert_api_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error


def test_a_deeply_nested_json_body_is_a_400_and_stores_nothing(notice_writer):
    body = "[" * 100_000 + "]" * 100_000

    response = notice_writer.post("/api/v1/notices/", body, content_type="application/json")

    error = assert_api_error(response)
    assert "nested" in error["message"]
    assert Notice.objects.count() == 0


def test_a_deeply_nested_json_object_inside_a_field_is_a_400(notice_writer):
    body = '{"title": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}"

    response = notice_writer.post("/api/v1/notices/", body, content_type="application/json")

    assert_api_error(response)


@pytest.mark.parametrize("at", CALENDAR_EDGES)
@pytest.mark.parametrize("path", ["/", "/destinations/wonsan-kalma/"])
def test_a_moment_at_the_edge_of_the_calendar_is_a_400_on_the_pages(client, story, path, at):
    response = client.get(path, {"at": at})

    assert response.status_code == 400
    assert b"not a date" in response.content or b"out of range" in response.content


@pytest.mark.parametrize("at", CALENDAR_EDGES)
@pytest.mark.parametrize("path", ["/api/v1/destinations/wonsan-kalma/history/", "/api/v1/changes/"])
def test_a_moment_at_the_edge_of_the_calendar_is_a_400_on_the_api(client, story, path, at):
    params = {"since": at} if path.endswith("changes/") else {"at": at}
    assert_api_error(client.get(path, params))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/changes/?destination=wonsan%00kalma",
        "/api/v1/destinations/?country=K%00",
        "/api/v1/notices/?source=daily%00news",
        "/api/v1/sources/daily%00news/",
        "/api/v1/destinations/?q=%00",
    ],
)
def test_a_nul_byte_in_a_query_or_a_slug_is_a_400_on_the_api(client, story, path):
    error = assert_api_error(client.get(path))
    assert "NUL" in error["message"]


@pytest.mark.parametrize("path", ["/?q=kalma%00", "/changes/?destination=a%00b", "/?country=%00"])
def test_a_nul_byte_in_a_page_query_is_a_400(client, story, path):
    response = client.get(path)

    assert response.status_code == 400
    assert b"NUL" in response.content


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64-at-all!!",
        _cursor("p=notadate"),
        _cursor("o=-1&p=2025-07-16"),
        _cursor("p=" + "9" * 400),
        _cursor("r=1&p=\x00"),
    ],
)
def test_a_malformed_cursor_is_a_400_with_the_error_envelope(client, story, cursor):
    error = assert_api_error(client.get("/api/v1/changes/", {"cursor": cursor}))
    assert "cursor" in error["message"].lower()


def test_the_body_of_a_nested_json_error_is_itself_valid_json(notice_writer):
    response = notice_writer.post("/api/v1/notices/", "[" * 5000, content_type="application/json")
    json.loads(response.content)
