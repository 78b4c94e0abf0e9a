"""The changes feed API (cursor pagination, ?since=) and the OpenAPI schema and docs."""

import pytest
from django.contrib.staticfiles import finders

from destinations.models import Status
from tests.destinations.story import build_story, day
from tests.factories import DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return build_story()


def test_changes_are_listed_newest_recorded_first(client, story):
    body = client.get("/api/v1/changes/").json()
    recorded = [c["recorded_at"] for c in body["results"]]
    assert recorded == sorted(recorded, reverse=True)
    first = body["results"][0]
    assert first["destination"] == "wonsan-kalma"
    assert first["previous_status"] == "closed" and first["status"] == "suspended"


def test_changes_follow_a_cursor_without_gaps_or_repeats(client):
    place = DestinationFactory()
    for index in range(7):
        StatusChangeFactory(destination=place, effective_at=day(1, 1 + index))
    seen, url = [], "/api/v1/changes/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [c["id"] for c in body["results"]]
        url = body["next"]
        assert "page=" not in (url or "")  # a cursor, not a page number
    assert len(seen) == 7 and len(set(seen)) == 7


def test_changes_since_keeps_only_those_recorded_from_then(client, story):
    body = client.get("/api/v1/changes/", {"since": "2025-07-07"}).json()
    assert {c["id"] for c in body["results"]} == {
        story.kalma_suspended.pk,
        story.kalma_russians.pk,
    }


def test_changes_filter_by_destination_and_status(client, story):
    body = client.get("/api/v1/changes/", {"destination": "rason", "status": "open"}).json()
    assert [c["id"] for c in body["results"]] == [story.rason_open.pk]


def test_changes_leave_superseded_entries_out(client, story):
    fix = StatusChangeFactory(
        destination=story.rason,
        status=Status.SUSPENDED,
        previous_status=Status.OPEN,
        effective_at=day(3, 12),
        supersedes=story.rason_suspended,
    )
    ids = [
        c["id"] for c in client.get("/api/v1/changes/", {"destination": "rason"}).json()["results"]
    ]
    assert story.rason_suspended.pk not in ids and fix.pk in ids


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "last week"}, "since"),
        ({"status": "ajar"}, "status"),
        ({"country": "1"}, "country"),
    ],
)
def test_bad_changes_parameters_get_the_envelope(client, params, field):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_forged_cursor_is_a_400_in_the_envelope(client, story):
    response = client.get("/api/v1/changes/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "cursor": ["Not a cursor this API gave: follow the `next` or `previous` link."]
    }


def test_openapi_schema_describes_the_read_endpoints(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/destinations/",
        "/api/v1/destinations/{slug}/",
        "/api/v1/destinations/{slug}/history/",
        "/api/v1/changes/",
    ):
        assert "get" in paths[path]
    params = {p["name"] for p in paths["/api/v1/destinations/"]["get"]["parameters"]}
    assert {
        "country",
        "kind",
        "status",
        "audience",
        "q",
        "ordering",
        "cursor",
        "page_size",
    } <= params


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_api_docs_load_their_assets_from_our_own_static_files(client, url):
    html = client.get(url).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html


@pytest.mark.parametrize(
    "asset",
    [
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    ],
)
def test_api_doc_assets_are_shipped_for_offline_use(asset):
    assert finders.find(asset)
