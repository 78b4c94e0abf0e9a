"""The timeline and the world map in headless chromium, at a desktop and a phone width.

Measures what a reader sees: the timeline's text is never drawn below 12 px and no two of its
labels overlap; the map fits a phone's width. Screenshots go to var/screenshots/.
"""

from decimal import Decimal
from itertools import combinations

import pytest

from destinations.models import Audience, Status
from tests.destinations.story import build_story, day
from tests.e2e.browser_support import SCREENSHOTS, serious_violations
from tests.factories import CurrentStatusFactory, StatusChangeFactory

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(WIDTHS))
def browser_page(request, browser):
    width, height = WIDTHS[request.param]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.width_name = request.param
    return page


@pytest.fixture
def site(settings):
    from pytest_django.live_server_helper import LiveServer

    story = build_story()
    # Years of calm before the 2025 events, and North Korea itself on the map.
    StatusChangeFactory(
        destination=story.kalma,
        audience=Audience.DOMESTIC,
        status=Status.CLOSED,
        effective_at=day(1, 10, 2022),
        summary="Closed for construction.",
    )
    suspended = StatusChangeFactory(
        destination=story.country, status=Status.SUSPENDED, effective_at=day(1, 20, 2020)
    )
    CurrentStatusFactory(change=suspended)
    story.kalma.latitude, story.kalma.longitude = Decimal("39.12"), Decimal("127.48")
    story.kalma.save()
    server = LiveServer("localhost:0")
    yield server.url
    server.stop()


MEASURE_TEXT = """svg => [...svg.querySelectorAll('text')].map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
          x: r.x, y: r.y, w: r.width, h: r.height};
})"""


def _intersect(a, b, slack=0.5) -> bool:
    return (
        a["x"] + slack < b["x"] + b["w"]
        and b["x"] + slack < a["x"] + a["w"]
        and a["y"] + slack < b["y"] + b["h"]
        and b["y"] + slack < a["y"] + a["h"]
    )


def test_timeline_text_is_readable_and_its_labels_never_overlap(site, browser_page):
    page = browser_page
    page.goto(f"{site}/destinations/wonsan-kalma/")
    svg = page.locator("svg.timeline__svg")
    assert svg.is_visible()
    drawn = svg.bounding_box()
    view_width = float(svg.get_attribute("viewBox").split()[2])
    assert drawn["width"] == pytest.approx(view_width, abs=1)  # one unit per CSS pixel

    labels = svg.evaluate(MEASURE_TEXT)
    assert any("years" in label["text"] for label in labels)  # the quiet stretch is marked
    for label in labels:
        assert label["size"] >= 12, label
        assert label["h"] >= 12, label
    for one, other in combinations(labels, 2):
        assert not _intersect(one, other), (one, other)

    # The page itself never scrolls sideways; only the timeline's own box does, to its end.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.locator(".timeline__scroll").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    last_date = page.locator("svg.timeline__svg .timeline__date").last.bounding_box()
    assert (
        last_date["x"] >= 0 and last_date["x"] + last_date["width"] <= page.viewport_size["width"]
    )
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#timeline-heading").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"timeline-{page.width_name}.png"), full_page=True)


def test_map_fits_the_viewport_and_colours_north_korea(site, browser_page):
    page = browser_page
    page.goto(f"{site}/map/")
    svg = page.locator("svg.world-map__svg")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    kp = page.locator('path[data-code="KP"]')
    fill = kp.evaluate("p => getComputedStyle(p).fill")
    expected = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--suspended-fill').trim()"
    )
    assert fill == _rgb(expected)
    assert page.locator("circle.world-map__marker--suspended").count() == 1
    table = page.locator("table.world-map__table")
    assert "North Korea" in table.inner_text()
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"map-{page.width_name}.png"), full_page=True)


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"
