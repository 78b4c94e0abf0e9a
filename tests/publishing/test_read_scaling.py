"""Issue 17, the behaviour behind the read paths whose cost follows the page: the board's count
and filter options kept under the status version, the pages' depth limit, the board as of a
moment paged without a count, and the country lists (feed, changes API) read by country."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse

from bench.scale_data import generate
from destinations.models import Audience, Status
from destinations.status_version import status_cache_bump
from publishing import selectors
from publishing.feeds import FEED_LENGTH
from tests.destinations.story import build_story, day, many_destinations
from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db
BOARD = reverse("destinations:board")
CHANGES = reverse("destinations:changes")


@pytest.fixture(autouse=True)
def empty_caches():
    for alias in ("default", "pages"):
        caches[alias].clear()


def test_a_second_board_reads_its_count_and_filter_options_from_the_cache(
    client, django_assert_max_num_queries
):
    build_story()
    client.get(BOARD)
    caches["pages"].clear()
    # The page of destinations, their statuses and "last updated": nothing counts the table.
    with django_assert_max_num_queries(3):
        assert client.get(BOARD).status_code == 200


def test_the_board_count_follows_a_status_change_once_the_version_moves(client):
    many_destinations(3)
    assert "3 destinations" in client.get(BOARD).content.decode()
    CurrentStatusFactory(change=StatusChangeFactory(destination__country_code="KP"))
    status_cache_bump()  # what every writer of the status tables does on commit
    assert "4 destinations" in client.get(BOARD).content.decode()


def test_board_offers_each_audience_with_a_known_status_and_none_with_only_unknown():
    place = DestinationFactory(country_code="RU")
    for audience, status in [
        (Audience.FOREIGN, Status.OPEN),
        (Audience.DOMESTIC, Status.CLOSED),
        ("CN", Status.RESTRICTED),
        ("JP", Status.UNKNOWN),
    ]:
        CurrentStatusFactory(
            change=StatusChangeFactory(destination=place, audience=audience, status=status)
        )
    choices = selectors.board_choices()
    assert choices.audiences == {Audience.FOREIGN, Audience.DOMESTIC, "CN"}
    assert choices.countries == {"RU"}


def test_a_board_page_past_the_deepest_is_a_friendly_400(client):
    response = client.get(BOARD, {"page": selectors.BOARD_MAX_PAGE + 1})
    assert response.status_code == 400
    assert "choose a country or kind, or search" in response.content.decode()


def _more_places_than_the_deepest_page_reaches() -> None:
    places = selectors.BOARD_MAX_PAGE * 50 + 10
    generate(destinations=places, changes=2 * places)


def test_a_board_longer_than_its_deepest_page_says_how_to_reach_the_rest(client):
    _more_places_than_the_deepest_page_reaches()
    deepest = client.get(BOARD, {"page": selectors.BOARD_MAX_PAGE}).content.decode()
    assert f"page {selectors.BOARD_MAX_PAGE} of {selectors.BOARD_MAX_PAGE}" in deepest
    assert 'rel="next"' not in deepest
    assert "to reach the rest" in deepest


def test_a_filtered_board_counts_only_as_far_as_its_deepest_page(client):
    _more_places_than_the_deepest_page_reaches()
    cities = client.get(BOARD, {"kind": "city"}).content.decode()  # a third: counted exactly
    assert "More than" not in cities and " destinations match your filters" in cities
    everything = client.get(BOARD, {"q": "place"}).content.decode()
    assert f"More than {selectors.BOARD_MAX_PAGE * 50} destinations match" in everything
    assert "to reach the rest" in everything


def test_a_changes_page_past_the_deepest_is_a_friendly_400(client):
    response = client.get(CHANGES, {"page": 41})
    assert response.status_code == 400
    assert "destination&#x27;s history and in the API" in response.content.decode()


def test_the_deepest_changes_page_links_no_older_page_and_says_where_the_rest_is(client):
    generate(destinations=40, changes=2_400)
    html = client.get(CHANGES, {"page": 40}).content.decode()
    assert 'rel="prev"' in html and 'rel="next"' not in html
    assert "/api/v1/changes/" in html


def test_board_as_of_a_moment_links_the_next_page_without_counting_them_all(client):
    many_destinations(60, changes_each=2)
    first = client.get(BOARD, {"at": "2025-12-31"}).content.decode()
    assert first.count('class="board__row"') == 50
    assert "More than 50 destinations" in first and 'rel="next"' in first
    second = client.get(BOARD, {"at": "2025-12-31", "page": 2}).content.decode()
    assert second.count('class="board__row"') == 10
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_board_as_of_a_moment_leaves_out_a_place_whose_latest_entry_then_was_unknown(client):
    place = DestinationFactory(name="Quietened", country_code="RU")
    StatusChangeFactory(destination=place, status=Status.OPEN, effective_at=day(3, 1))
    StatusChangeFactory(destination=place, status=Status.UNKNOWN, effective_at=day(5, 1))
    assert "Quietened" in client.get(BOARD, {"at": "2025-04-01"}).content.decode()
    assert "Quietened" not in client.get(BOARD, {"at": "2025-06-01"}).content.decode()


def test_board_as_of_a_moment_ignores_an_entry_a_correction_replaced(client):
    place = DestinationFactory(name="Corrected", country_code="RU")
    wrong = StatusChangeFactory(destination=place, status=Status.CLOSED, effective_at=day(3, 1))
    StatusChangeFactory(
        destination=place,
        status=Status.OPEN,
        effective_at=day(3, 1),
        recorded_at=day(3, 2),
        supersedes=wrong,
    )
    assert (
        "Corrected"
        not in client.get(BOARD, {"at": "2025-04-01", "status": "closed"}).content.decode()
    )
    assert "Corrected" in client.get(BOARD, {"at": "2025-04-01", "status": "open"}).content.decode()


def test_country_feed_holds_that_countrys_newest_recorded_changes_across_its_places(client):
    places = [DestinationFactory(country_code="RU") for _ in range(4)]
    elsewhere = DestinationFactory(country_code="CN")
    made = []
    for step in range(30):
        for index, place in enumerate(places):
            made.append(
                StatusChangeFactory(
                    destination=place,
                    effective_at=day(1, 1) + timedelta(hours=step),
                    recorded_at=day(6, 1) + timedelta(minutes=7 * step + index),
                )
            )
        StatusChangeFactory(destination=elsewhere, recorded_at=day(7, 1) + timedelta(hours=step))
    newest = sorted(made, key=lambda change: (change.recorded_at, change.pk), reverse=True)
    body = client.get("/feeds/countries/ru/").content.decode()
    guids = [f"status-change:{change.pk}<" for change in newest[:FEED_LENGTH]]
    positions = [body.index(guid) for guid in guids]
    assert positions == sorted(positions)
    assert body.count("status-change:") == FEED_LENGTH
    assert f"status-change:{newest[FEED_LENGTH].pk}<" not in body


def _country_history() -> list:
    """Three places in RU with interleaved histories (some changes recorded at the same moment),
    and one in CN; returns the RU changes newest recorded first, as the API lists them."""
    places = [DestinationFactory(country_code="RU") for _ in range(3)]
    elsewhere = DestinationFactory(country_code="CN")
    made = []
    for step in range(9):
        for index, place in enumerate(places[: 1 + step % 3]):
            made.append(
                StatusChangeFactory(
                    destination=place,
                    effective_at=day(1, 1) + timedelta(hours=step),
                    recorded_at=day(6, 1) + timedelta(minutes=5 * step + index % 2),
                )
            )
        StatusChangeFactory(destination=elsewhere, recorded_at=day(6, 1) + timedelta(minutes=step))
    return sorted(made, key=lambda change: (change.recorded_at, change.pk), reverse=True)


def test_changes_api_by_country_pages_through_every_change_of_that_country_in_order(client):
    expected = [change.pk for change in _country_history()]
    seen, url = [], "/api/v1/changes/?country=ru&page_size=4"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    assert seen == expected


def test_changes_api_by_country_pages_back_with_the_previous_link(client):
    expected = [change.pk for change in _country_history()]
    first = client.get("/api/v1/changes/?country=RU&page_size=5").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [item["id"] for item in second["results"]] == expected[5:10]
    assert [item["id"] for item in back["results"]] == expected[:5]


def test_changes_api_by_country_and_status_keeps_both_filters(client):
    history = _country_history()
    expected = [change.pk for change in history if change.status == Status.SUSPENDED]
    body = client.get("/api/v1/changes/?country=RU&status=suspended&page_size=200").json()
    assert [item["id"] for item in body["results"]] == expected


def test_changes_api_by_country_answers_a_bad_cursor_with_a_400(client):
    response = client.get("/api/v1/changes/?country=RU&cursor=cD1nYXJiYWdl")  # p=garbage
    assert response.status_code == 400
