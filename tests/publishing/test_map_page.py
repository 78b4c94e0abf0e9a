"""The world map page: countries filled by their foreign status, places as markers, a table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from destinations.models import Status
from publishing.world_map import HEIGHT, WIDTH, countries, project
from tests.destinations.story import build_story, day
from tests.factories import CurrentStatusFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db


def map_story():
    """The story, with North Korea itself suspended for foreigners and Kalma on the map."""
    story = build_story()
    suspended = StatusChangeFactory(
        destination=story.country,
        status=Status.SUSPENDED,
        effective_at=day(1, 20, 2020),
        summary="Borders closed to foreign tourists.",
    )
    CurrentStatusFactory(change=suspended)
    story.kalma.latitude, story.kalma.longitude = Decimal("39.12"), Decimal("127.48")
    story.kalma.save()
    return story


@pytest.fixture
def html(client):
    map_story()
    response = client.get(reverse("destinations:map"))
    assert response.status_code == 200
    return response.content.decode()


def country_path(html: str, code: str) -> str:
    match = re.search(
        rf'<path class="([^"]+)" data-code="{code}" d="[^"]+"><title>([^<]+)</title>', html
    )
    assert match, f"no path for {code}"
    return match.group(0)


def test_a_country_is_filled_with_its_foreign_status(html):
    kp = country_path(html, "KP")
    assert "world-map__land--suspended" in kp
    assert "<title>North Korea: Suspended</title>" in kp


def test_a_country_without_a_status_is_grey_and_says_so(html):
    fr = country_path(html, "FR")
    assert "world-map__land--unknown" in fr
    assert ": no status known</title>" in fr


def test_a_place_with_coordinates_is_a_marker_coloured_by_its_status(html):
    x, y = project(39.12, 127.48)
    marker = re.search(
        r'<circle class="world-map__marker world-map__marker--(\w+)" cx="([\d.]+)" cy="([\d.]+)"',
        html,
    )
    assert marker.group(1) == "suspended"
    assert abs(float(marker.group(2)) - x) < 0.1 and abs(float(marker.group(3)) - y) < 0.1
    assert "<title>Wonsan-Kalma Coastal Tourist Zone: Suspended</title>" in html


def test_places_without_coordinates_are_not_drawn(html):
    assert html.count("<circle") == 1  # Rason has a status but no position


def test_the_table_lists_the_same_statuses_in_words(html):
    table = html[html.index('<table class="world-map__table"') : html.index("</table>")]
    assert "North Korea" in table and "Wonsan-Kalma Coastal Tourist Zone" in table
    assert table.count("badge--suspended") == 2


def test_the_svg_has_a_title_description_and_fits_its_viewbox(html):
    svg = html[html.index('<svg class="world-map__svg"') : html.index("</svg>")]
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' in svg
    assert 'role="img"' in svg and "<desc" in svg


def test_every_outline_lies_on_the_canvas():
    for country in countries():
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", country.path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= -1 and max(xs) <= WIDTH + 1, country.name
        assert min(ys) >= -1 and max(ys) <= HEIGHT + 1, country.name


def test_the_map_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    map_story()
    with django_assert_max_num_queries(3):
        client.get(reverse("destinations:map"))


def test_the_map_is_cached_and_ignores_unknown_parameters(client):
    map_story()
    first = client.get(reverse("destinations:map"), {"utm": "x"})
    again = client.get(reverse("destinations:map"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert first.status_code == 200 and again.status_code == 304


def test_the_board_offers_the_world_map(client):
    page = client.get("/")
    assert b'href="/map/"' in page.content
