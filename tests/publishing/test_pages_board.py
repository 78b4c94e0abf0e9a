"""The public board: grouped by country, badges with words, filters, search, as-of, bad input."""

import pytest
from django.urls import reverse

from destinations.models import Destination, Status
from tests.destinations.story import build_story, day, many_destinations
from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db
BOARD = reverse("destinations:board")


@pytest.fixture
def story():
    return build_story()


def test_board_groups_destinations_under_their_country_heading(client, story):
    html = client.get(BOARD).content.decode()
    heading = html.index('id="country-KP"')
    assert html.index("Wonsan-Kalma Coastal Tourist Zone") > heading
    assert html.index("Rason Special Economic Zone") > heading
    assert "North Korea" in html


def test_board_badge_carries_the_status_word_not_only_a_colour(client, story):
    html = client.get(BOARD).content.decode()
    assert 'class="badge badge--suspended"' in html
    assert "Suspended</span>" in html


def test_board_shows_each_audience_with_since_and_summary(client, story):
    html = client.get(BOARD).content.decode()
    assert "for visitors from Russian Federation" in html
    assert "since <time" in html and "16 Jul 2025 UTC" in html
    assert "Temporarily not receiving foreign tourists." in html


def test_board_leaves_out_destinations_whose_status_is_unknown(client, story):
    quiet = DestinationFactory(name="Quiet Place")
    CurrentStatusFactory(
        change=StatusChangeFactory(destination=quiet, status=Status.UNKNOWN),
    )
    assert "Quiet Place" not in client.get(BOARD).content.decode()


def test_board_shows_when_the_status_was_last_updated_in_utc(client, story):
    Destination.objects.filter(pk=story.kalma.pk).update(reconciled_at=day(7, 20))
    html = client.get(BOARD).content.decode()
    assert "Last updated: <strong><time" in html
    assert "20 Jul 2025, 00:00 UTC" in html


def test_board_filters_by_status_for_foreign_visitors(client, story):
    html = client.get(BOARD, {"status": "suspended"}).content.decode()
    assert "Wonsan-Kalma" in html and "Rason Special Economic Zone" in html


def test_board_filters_by_country(client, story):
    other = DestinationFactory(name="Far Resort", country_code="CN")
    CurrentStatusFactory(change=StatusChangeFactory(destination=other, status=Status.OPEN))
    html = client.get(BOARD, {"country": "cn"}).content.decode()
    assert "Far Resort" in html
    assert "Wonsan-Kalma" not in html


def test_board_filters_by_kind(client, story):
    html = client.get(BOARD, {"kind": "zone"}).content.decode()
    assert "Rason Special Economic Zone" in html
    assert "Wonsan-Kalma Coastal" not in html


@pytest.mark.parametrize("query", ["kalma resort", "WONSAN kalma", "Wŏnsan-Kalma", "coastal"])
def test_board_search_finds_a_destination_by_name_or_any_spelling_of_an_alias(client, story, query):
    html = client.get(BOARD, {"q": query}).content.decode()
    assert "Wonsan-Kalma Coastal Tourist Zone" in html
    assert "Rason Special Economic Zone" not in html


def test_board_as_of_a_date_shows_the_status_then(client, story):
    html = client.get(BOARD, {"at": "2025-03-01"}).content.decode()
    assert "Rason Special Economic Zone" in html
    assert 'class="badge badge--open"' in html
    assert "Wonsan-Kalma Coastal" not in html  # nothing known yet


def test_board_as_of_includes_changes_that_took_effect_that_day(client, story):
    html = client.get(BOARD, {"at": "2025-07-16", "q": "kalma"}).content.decode()
    assert 'class="badge badge--suspended"' in html


def test_board_as_of_status_filter_asks_about_the_latest_entry_not_any_entry(client, story):
    # Rason was open in February but suspended by April: an "open" filter must not find it.
    html = client.get(BOARD, {"at": "2025-04-01", "status": "open"}).content.decode()
    assert "Rason Special Economic Zone" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"at": "yesterday"},
        {"at": "2025-13-45"},
        {"at": "9999-12-31T25:00"},
        {"status": "ajar"},
        {"kind": "planet"},
        {"country": "Korea"},
        {"q": "x" * 500},
    ],
)
def test_bad_board_parameters_get_a_friendly_400_page(client, story, params):
    response = client.get(BOARD, params)
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


def test_board_escapes_names_and_summaries(client):
    place = DestinationFactory(name="<script>alert(1)</script>")
    CurrentStatusFactory(
        change=StatusChangeFactory(destination=place, status=Status.OPEN, summary="<b>bold</b>")
    )
    html = client.get(BOARD).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_board_links_to_the_subscribe_page_and_carries_no_form_token(client, story):
    html = client.get(BOARD).content.decode()
    assert f'href="{reverse("advisories:subscribe")}?scope=all"' in html
    assert "csrfmiddlewaretoken" not in html


def test_a_board_filtered_by_country_links_to_subscribing_to_that_country(client, story):
    html = client.get(BOARD, {"country": "kp"}).content.decode()
    assert f'href="{reverse("advisories:subscribe")}?scope=country&amp;country=KP"' in html


@pytest.mark.parametrize("size", [5, 40])
def test_board_runs_a_constant_number_of_queries(
    client, story, size, django_assert_max_num_queries
):
    many_destinations(size)
    # Page, its statuses, "last updated"; and on a new status version the count and choices.
    with django_assert_max_num_queries(6):
        response = client.get(BOARD)
    assert response.content.decode().count("board__row") >= size


@pytest.mark.parametrize("size", [5, 40])
def test_board_as_of_runs_a_constant_number_of_queries(
    client, story, size, django_assert_max_num_queries
):
    many_destinations(size, changes_each=4)
    # The page, its places' latest entries (PostgreSQL: their ids, then the rows), "last
    # updated"; the count and choices on a new status version.
    with django_assert_max_num_queries(7):
        response = client.get(BOARD, {"at": "2025-12-31"})
    assert response.content.decode().count("board__row") >= size


def test_board_is_paginated_in_pages_of_fifty_destinations(client, story):
    many_destinations(60)
    first = client.get(BOARD).content.decode()
    second = client.get(BOARD, {"page": 2}).content.decode()
    assert first.count('class="board__row"') == 50
    assert second.count('class="board__row"') == 62 - 50
    assert "page 2 of 2" in second and 'rel="prev"' in second


def test_board_pages_keep_the_filters_in_their_links(client, story):
    many_destinations(120)
    html = client.get(BOARD, {"country": "RU"}).content.decode()
    assert 'href="?country=RU&amp;page=2"' in html


def test_board_page_past_the_end_is_a_404(client, story):
    assert client.get(BOARD, {"page": 5}).status_code == 404
