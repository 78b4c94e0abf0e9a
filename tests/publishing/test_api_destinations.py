"""Read API: destinations list, detail with evidence, history with ?at=, errors, throttling."""

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings

from tests.destinations.story import build_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return build_story()


def slugs(response):
    return [row["slug"] for row in response.json()["results"]]


def test_list_is_cursor_paginated_and_the_pages_cover_every_destination_once(client, story):
    body = client.get("/api/v1/destinations/").json()
    assert len(body["results"]) == 50 and body["previous"] is None
    assert "cursor=" in body["next"] and "page=" not in body["next"]
    seen, url = [], "/api/v1/destinations/?page_size=200"
    while url:
        body = client.get(url).json()
        seen += [row["slug"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) > 250  # the gazetteer's countries plus the story


def test_list_rows_carry_current_status_per_audience(client, story):
    body = client.get("/api/v1/destinations/", {"q": "kalma"}).json()
    (row,) = body["results"]
    assert row["slug"] == "wonsan-kalma"
    assert {(s["audience"], s["status"]) for s in row["statuses"]} == {
        ("foreign", "suspended"),
        ("domestic", "open"),
        ("RU", "restricted"),
    }
    assert row["statuses"][0]["since"].endswith("Z") or "+00:00" in row["statuses"][0]["since"]
    assert row["page_url"] == "http://testserver/destinations/wonsan-kalma/"


def test_list_filters_by_country_and_kind(client, story):
    assert slugs(client.get("/api/v1/destinations/", {"country": "kp", "kind": "zone"})) == [
        "rason"
    ]


def test_list_filters_by_status(client, story):
    assert set(slugs(client.get("/api/v1/destinations/", {"status": "suspended"}))) == {
        "rason",
        "wonsan-kalma",
    }


def test_status_and_audience_filters_apply_to_the_same_row(client, story):
    response = client.get("/api/v1/destinations/", {"status": "open", "audience": "domestic"})
    assert slugs(response) == ["wonsan-kalma"]
    response = client.get("/api/v1/destinations/", {"status": "open", "audience": "foreign"})
    assert slugs(response) == []


def test_audience_filter_alone_keeps_destinations_with_a_status_for_it(client, story):
    assert slugs(client.get("/api/v1/destinations/", {"audience": "RU"})) == ["wonsan-kalma"]


@pytest.mark.parametrize("query", ["Kalma Resort", "wonsan-kalma", "WŎNSAN KALMA"])
def test_search_matches_aliases_whatever_their_spelling(client, story, query):
    assert slugs(client.get("/api/v1/destinations/", {"q": query})) == ["wonsan-kalma"]


def test_ordering_by_name_descending(client, story):
    names = [
        r["name"]
        for r in client.get("/api/v1/destinations/", {"country": "KP", "ordering": "-name"}).json()[
            "results"
        ]
    ]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "ajar"}, "status"),
        ({"kind": "planet"}, "kind"),
        ({"audience": "martians"}, "audience"),
        ({"country": "KOR"}, "country"),
    ],
)
def test_bad_filters_get_the_one_error_envelope(client, story, params, field):
    response = client.get("/api/v1/destinations/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "invalid"
    assert field in error["fields"]


def test_a_cursor_the_api_did_not_give_is_a_400_in_the_envelope(client, story):
    response = client.get("/api/v1/destinations/", {"cursor": "not-base64-at-all!!"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "cursor": ["Not a cursor this API gave: follow the `next` or `previous` link."]
    }


def test_detail_gives_current_status_per_audience_with_evidence(client, story):
    body = client.get("/api/v1/destinations/wonsan-kalma/").json()
    assert body["parent"] == "kangwon"
    assert sorted(body["aliases"]) == ["Kalma resort", "Wonsan Kalma"]
    foreign = next(s for s in body["statuses"] if s["audience"] == "foreign")
    assert foreign["status"] == "suspended"
    (evidence,) = foreign["evidence"]
    assert evidence["sentence"].startswith("The Wonsan-Kalma zone is temporarily")
    assert evidence["source_name"] == "National Tourism Administration"
    assert evidence["notice_url"] == "https://tourism.example.org/notices/kalma"
    assert evidence["notice_page"].endswith(f"/notices/{story.notice_id}/")


def test_detail_of_unknown_destination_is_a_404_in_the_envelope(client):
    response = client.get("/api/v1/destinations/atlantis/")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["status"] == 404 and error["message"] == "Not found."
    assert isinstance(error["code"], str)


def test_history_lists_the_corrected_timeline_newest_first(client, story):
    body = client.get("/api/v1/destinations/wonsan-kalma/history/").json()
    dates = [c["effective_at"] for c in body["changes"]]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 4
    assert body["at"] is None


def test_history_at_a_moment_gives_the_status_then(client, story):
    body = client.get("/api/v1/destinations/rason/history/", {"at": "2025-03-01"}).json()
    assert [(s["audience"], s["status"]) for s in body["statuses"]] == [("foreign", "open")]
    assert [c["status"] for c in body["changes"]] == ["open"]
    assert body["at"].startswith("2025-03-01T23:59:59")


def test_history_at_accepts_an_iso_datetime_with_offset(client, story):
    body = client.get(
        "/api/v1/destinations/rason/history/", {"at": "2025-03-10T09:00:00+09:00"}
    ).json()
    # 09:00 in Pyongyang is 00:00 UTC, the moment the suspension took effect.
    assert body["statuses"][0]["status"] == "suspended"


def test_history_with_bad_at_is_a_400_in_the_envelope(client, story):
    response = client.get("/api/v1/destinations/rason/history/", {"at": "soon"})
    assert response.status_code == 400
    assert "at" in response.json()["error"]["fields"]


def test_anonymous_clients_are_throttled_with_the_envelope(client, story, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    cache.clear()
    assert api_settings.DEFAULT_THROTTLE_CLASSES
    for _ in range(2):
        assert client.get("/api/v1/destinations/rason/").status_code == 200
    response = client.get("/api/v1/destinations/rason/")
    assert response.status_code == 429
    assert response.json()["error"]["status"] == 429
    assert "Retry-After" in response.headers


@pytest.mark.parametrize("size", [3, 30])
def test_list_runs_a_constant_number_of_queries(client, story, size, django_assert_max_num_queries):
    from tests.destinations.story import many_destinations

    many_destinations(size)
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/destinations/", {"status": "open"}).status_code == 200
