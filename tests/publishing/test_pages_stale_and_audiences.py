"""Old information says it is old, and the board's filters ask about one audience at a time.

The story's statuses were last confirmed when they took effect: Rason on 10 March 2025,
Wonsan-Kalma (all foreign visitors) on 16 July 2025. On 1 August 2025, with the default limit of
90 days, Rason's is stale and Wonsan-Kalma's is not.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from destinations.models import Status
from tests.destinations.story import build_story, day
from tests.factories import (
    ClaimFactory,
    CurrentStatusFactory,
    DestinationFactory,
    NoticeFactory,
    StatusChangeFactory,
)

pytestmark = pytest.mark.django_db
BOARD = reverse("destinations:board")
AUGUST = datetime(2025, 8, 1, 12, tzinfo=UTC)


@pytest.fixture
def story():
    return build_story()


@pytest.fixture
def in_august():
    with time_machine.travel(AUGUST, tick=False):
        yield


def kalma_page(client, **params):
    return client.get(reverse("destinations:detail", args=["wonsan-kalma"]), params).content


def row_of(html: str, name: str) -> str:
    """The board row of one destination."""
    start = html.index(name)
    return html[start : html.index("</ul></li>", start)]


# --- staleness: pages -------------------------------------------------------------------------


def test_board_says_not_confirmed_since_for_a_status_unconfirmed_for_ninety_days(
    client, story, in_august
):
    html = client.get(BOARD).content.decode()
    assert "not confirmed since <time" in row_of(html, "Rason Special Economic Zone")


def test_destination_page_says_not_confirmed_since_once_the_limit_has_passed(client, story):
    with time_machine.travel(datetime(2025, 11, 1, tzinfo=UTC), tick=False):
        html = kalma_page(client).decode()
    assert "not confirmed since <time" in html


def test_the_stale_limit_is_the_setting(client, story, in_august, settings):
    settings.STATUS_STALE_AFTER_DAYS = 10
    assert b"not confirmed since" in kalma_page(client)


def test_destination_page_as_of_a_date_judges_staleness_on_that_date(client, story):
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        fresh_then = kalma_page(client, at="2025-07-20").decode()
        stale_then = kalma_page(client, at="2025-11-01").decode()
    assert "not confirmed since" not in fresh_then and "not confirmed since" in stale_then


def test_board_as_of_counts_evidence_published_by_that_date_as_confirmation(client, story):
    later = NoticeFactory(published_at=day(10, 20), title="Still closed", body="Still closed.")
    ClaimFactory(notice=later, destination=story.kalma).changes.add(story.kalma_suspended)
    html = client.get(BOARD, {"at": "2025-11-01", "audience": "foreign"}).content.decode()
    kalma = row_of(html, "Wonsan-Kalma Coastal Tourist Zone")
    assert "last confirmed <time" in kalma and "20 Oct 2025" in kalma
    assert "not confirmed since" not in kalma


def test_board_filters_stale_entries(client, story, in_august):
    html = client.get(BOARD, {"stale": "1"}).content.decode()
    assert "Rason Special Economic Zone" in html and "Wonsan-Kalma" not in html


def test_board_filters_entries_confirmed_recently(client, story, in_august):
    html = client.get(BOARD, {"stale": "0"}).content.decode()
    assert "Wonsan-Kalma" in html and "Rason Special Economic Zone" not in html


def test_board_as_of_filters_entries_stale_on_that_date(client, story):
    html = client.get(BOARD, {"at": "2025-07-20", "stale": "1"}).content.decode()
    assert "Rason Special Economic Zone" in html and "Wonsan-Kalma" not in html


def test_a_page_cached_one_day_is_rendered_afresh_the_next(client, db):
    place = DestinationFactory(slug="quiet-bay")
    CurrentStatusFactory(change=StatusChangeFactory(destination=place, effective_at=day(7, 16)))
    page = reverse("destinations:detail", args=["quiet-bay"])
    with time_machine.travel(datetime(2025, 10, 14, 23, 59, tzinfo=UTC), tick=False):
        assert b"not confirmed since" not in client.get(page).content
    with time_machine.travel(datetime(2025, 10, 15, 0, 1, tzinfo=UTC), tick=False):
        assert b"not confirmed since" in client.get(page).content


# --- staleness: API ---------------------------------------------------------------------------


def test_api_list_marks_each_current_status_stale_or_not(client, story, in_august):
    def foreign_stale(search):
        (row,) = client.get("/api/v1/destinations/", {"q": search}).json()["results"]
        return [s["stale"] for s in row["statuses"] if s["audience"] == "foreign"]

    assert (foreign_stale("rason"), foreign_stale("kalma resort")) == ([True], [False])


def test_api_detail_marks_a_status_stale_after_the_limit(client, story):
    with time_machine.travel(datetime(2025, 11, 1, tzinfo=UTC), tick=False):
        body = client.get("/api/v1/destinations/wonsan-kalma/").json()
    foreign = next(s for s in body["statuses"] if s["audience"] == "foreign")
    assert foreign["stale"] is True


def test_api_history_judges_staleness_at_the_date_asked_for(client, story):
    body = client.get("/api/v1/destinations/wonsan-kalma/history/", {"at": "2025-07-20"}).json()
    assert [s["stale"] for s in body["statuses"] if s["audience"] == "foreign"] == [False]


def test_api_list_filters_stale_entries(client, story, in_august):
    body = client.get("/api/v1/destinations/", {"stale": "true"}).json()
    assert [d["slug"] for d in body["results"]] == ["rason"]


# --- audiences --------------------------------------------------------------------------------


def test_board_status_filter_asks_about_foreign_visitors_by_default(client, story):
    html = client.get(BOARD, {"status": "open"}).content.decode()
    assert "Wonsan-Kalma" not in html  # open to domestic visitors only


def test_board_status_filter_applies_to_the_audience_chosen(client, story):
    open_place = DestinationFactory(name="Open To Foreigners Bay")
    CurrentStatusFactory(change=StatusChangeFactory(destination=open_place, status=Status.OPEN))
    html = client.get(BOARD, {"status": "open", "audience": "domestic"}).content.decode()
    assert "Wonsan-Kalma" in html and "Open To Foreigners Bay" not in html


def test_board_status_filter_asks_about_the_nationality_chosen(client, story):
    html = client.get(BOARD, {"status": "suspended", "audience": "ru"}).content.decode()
    assert "Wonsan-Kalma" not in html  # suspended for foreigners, restricted for Russians


def test_board_offers_foreign_visitors_first_then_each_audience_with_a_status(client, story):
    html = client.get(BOARD).content.decode()
    select = html[
        html.index('name="audience"') : html.index("</select>", html.index('name="audience"'))
    ]
    assert [v for v in ("foreign", "domestic", "RU") if f'value="{v}"' in select] == [
        "foreign",
        "domestic",
        "RU",
    ]
    assert (
        select.index('value="foreign"')
        < select.index('value="domestic"')
        < select.index('value="RU"')
    )


def test_api_status_filter_asks_about_foreign_visitors_by_default(client, story):
    open_place = DestinationFactory(slug="open-place")
    CurrentStatusFactory(change=StatusChangeFactory(destination=open_place, status=Status.OPEN))
    body = client.get("/api/v1/destinations/", {"status": "open"}).json()
    assert [d["slug"] for d in body["results"]] == ["open-place"]
