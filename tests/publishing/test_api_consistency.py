"""The API says the same thing the same way everywhere (issue 16, "API consistency"): one shape
for a status, one order for audiences, the same 400 for any value it cannot use, an index at
its root."""

from datetime import UTC, datetime

import pytest

from destinations.models import CurrentStatus
from tests.destinations.story import build_story
from tests.factories import NoticeFactory, SourceFactory

pytestmark = pytest.mark.django_db

AUDIENCE_ORDER = ["foreign", "domestic", "RU"]


@pytest.fixture
def story():
    return build_story()


def _list_row(client, slug):
    (row,) = [
        r
        for r in client.get("/api/v1/destinations/", {"q": slug}).json()["results"]
        if r["slug"] == slug
    ]
    return row


# --- 1. one shape for a status -----------------------------------------------------------------


def test_the_same_current_status_serialises_identically_in_list_detail_and_history(client, story):
    # A status under review, confirmed later than its evidence says: the stored row is the truth
    # every endpoint must repeat (history/ once recomputed it and disagreed).
    confirmed = datetime(2025, 7, 20, 12, tzinfo=UTC)
    CurrentStatus.objects.filter(destination=story.kalma, audience="foreign").update(
        in_review=True, last_confirmed_at=confirmed
    )

    listed = _list_row(client, "wonsan-kalma")["statuses"]
    detailed = client.get("/api/v1/destinations/wonsan-kalma/").json()["statuses"]
    history = client.get("/api/v1/destinations/wonsan-kalma/history/").json()["statuses"]

    assert [{k: v for k, v in s.items() if k != "evidence"} for s in detailed] == listed
    assert history == listed
    assert all(set(s) == set(listed[0]) | {"evidence"} for s in detailed)
    foreign = listed[0]
    assert foreign["audience"] == "foreign" and foreign["in_review"] is True
    assert foreign["last_confirmed_at"] == "2025-07-20T12:00:00Z"


# --- 4. a value the API cannot use is a 400, whatever the endpoint -----------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/destinations/", {"status": "sunny"}, "status"),
        ("/api/v1/destinations/", {"audience": "Mars"}, "audience"),
        ("/api/v1/destinations/", {"country": "XYZ"}, "country"),
        ("/api/v1/destinations/", {"stale": "maybe"}, "stale"),
        ("/api/v1/destinations/", {"page_size": "abc"}, "page_size"),
        ("/api/v1/destinations/", {"page_size": "0"}, "page_size"),
        ("/api/v1/destinations/", {"ordering": "password"}, "ordering"),
        ("/api/v1/destinations/wonsan-kalma/history/", {"at": "notadate"}, "at"),
        ("/api/v1/changes/", {"status": "sunny"}, "status"),
        ("/api/v1/changes/", {"audience": "Mars"}, "audience"),
        ("/api/v1/changes/", {"country": "XYZ"}, "country"),
        ("/api/v1/changes/", {"since": "notadate"}, "since"),
        ("/api/v1/changes/", {"since": "100%"}, "since"),
        ("/api/v1/changes/", {"page_size": "-5"}, "page_size"),
        ("/api/v1/notices/", {"state": "sunny"}, "state"),
        ("/api/v1/notices/", {"published_after": "notadate"}, "published_after"),
        ("/api/v1/notices/", {"page_size": "abc"}, "page_size"),
        ("/api/v1/sources/", {"page_size": "1.5"}, "page_size"),
    ],
)
def test_every_endpoint_answers_an_invalid_value_with_a_400_in_the_envelope(
    client, story, path, params, field
):
    response = client.get(path, params)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid" and error["message"]
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/destinations/",
        "/api/v1/destinations/wonsan-kalma/",
        "/api/v1/destinations/wonsan-kalma/history/",
        "/api/v1/destinations/wonsan-kalma/explain/",
        "/api/v1/changes/",
        "/api/v1/notices/",
        "/api/v1/sources/",
        "/api/v1/",
    ],
)
def test_every_endpoint_ignores_a_parameter_it_does_not_know(client, story, path):
    plain = client.get(path)
    with_unknown = client.get(path, {"colour": "sunny", "search": "nothing-matches-this"})

    assert plain.status_code == with_unknown.status_code == 200
    if path.endswith("explain/"):  # carries the moment it was generated
        return
    plain, with_unknown = plain.json(), with_unknown.json()
    if "results" in plain:  # the links carry the query along, unknown parameters too
        plain, with_unknown = plain["results"], with_unknown["results"]
    assert with_unknown == plain


def test_stale_takes_true_or_false(client, story):
    for value in ("true", "false", "1", "0"):
        assert client.get("/api/v1/destinations/", {"stale": value}).status_code == 200


def test_page_size_is_honoured_and_clamped_at_the_maximum(client, story):
    assert len(client.get("/api/v1/destinations/", {"page_size": 7}).json()["results"]) == 7
    body = client.get("/api/v1/destinations/", {"page_size": 100000}).json()
    assert len(body["results"]) == 200


def test_a_notice_id_that_is_not_a_number_or_is_too_big_is_a_404_in_the_envelope(client, story):
    for path in ("/api/v1/notices/abc/", f"/api/v1/notices/{'9' * 30}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404


# --- 5. numbers and order ----------------------------------------------------------------------


def test_coordinates_are_json_numbers(client, story):
    story.kalma.latitude, story.kalma.longitude = "39.18123", "127.43456"
    story.kalma.save()

    body = client.get("/api/v1/destinations/wonsan-kalma/").json()

    assert (body["latitude"], body["longitude"]) == (39.18123, 127.43456)


def test_audiences_come_in_one_order_on_every_endpoint(client, story):
    detail = client.get("/api/v1/destinations/wonsan-kalma/").json()
    history = client.get("/api/v1/destinations/wonsan-kalma/history/").json()
    explain = client.get("/api/v1/destinations/wonsan-kalma/explain/").json()
    orders = {
        "list": [s["audience"] for s in _list_row(client, "wonsan-kalma")["statuses"]],
        "detail": [s["audience"] for s in detail["statuses"]],
        "history": [s["audience"] for s in history["statuses"]],
        "explain": [a["audience"] for a in explain["audiences"] if a["status"] != "unknown"],
    }

    assert orders == dict.fromkeys(orders, AUDIENCE_ORDER)


# --- 7. the root -------------------------------------------------------------------------------


def test_the_api_root_is_a_json_index_of_absolute_links(client, story):
    SourceFactory(slug="daily")
    NoticeFactory()

    response = client.get("/api/v1/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["resources"] == {
        "destinations": "http://testserver/api/v1/destinations/",
        "changes": "http://testserver/api/v1/changes/",
        "notices": "http://testserver/api/v1/notices/",
        "sources": "http://testserver/api/v1/sources/",
        "subscriptions": "http://testserver/api/v1/subscriptions/",
        "webhooks": "http://testserver/api/v1/webhooks/",
        "export": "http://testserver/api/v1/export/",
    }
    assert body["schema"] == "http://testserver/api/v1/schema/"
    assert body["docs"] == "http://testserver/api/v1/docs/"
    for name in ("destinations", "changes", "notices", "sources", "export"):
        assert client.get(body["resources"][name]).status_code == 200
