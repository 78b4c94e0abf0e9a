"""Issue 16 in a real browser: the board on a phone shows statuses on its first screen, and the
pages are photographed at desktop and phone sizes for CI (var/screenshots/)."""

import pytest

from tests.destinations.story import build_story
from tests.e2e.browser_support import DESKTOP, PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings):
    """Started after the test settings apply, like the walk-through's own server."""
    from pytest_django.live_server_helper import LiveServer

    build_story()
    server = LiveServer("localhost:0")
    yield server.url
    server.stop()


def test_on_a_phone_the_first_status_is_on_the_first_screen(site, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{site}/")
    first = page.locator(".board__row").first.bounding_box()
    assert first is not None
    assert first["y"] < PHONE["height"] - 60, f"first status card starts at {first['y']} px"
    # The other filters are folded away, and open on one tap.
    assert not page.get_by_label("Status", exact=True).is_visible()
    page.get_by_text("More filters").click()
    assert page.get_by_label("Status", exact=True).is_visible()


def test_a_search_on_a_phone_keeps_the_filters_folded_and_results_in_sight(site, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{site}/")
    page.get_by_label("Name or alias").fill("rason")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/?q=rason*")
    assert not page.get_by_label("Status", exact=True).is_visible()
    first = page.locator(".board__row").first.bounding_box()
    assert first is not None and first["y"] < PHONE["height"] - 60


def test_the_filters_stay_open_when_one_is_in_use(site, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{site}/?status=suspended")
    assert page.get_by_label("Status", exact=True).is_visible()
    assert page.locator(".board__row").count() == 2


def test_pages_are_photographed_at_desktop_and_phone_sizes(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_page(viewport=viewport)
        page.goto(f"{site}/")
        page.screenshot(path=str(SCREENSHOTS / f"board-{name}.png"))
        page.goto(f"{site}/destinations/wonsan-kalma/")
        page.screenshot(path=str(SCREENSHOTS / f"destination-{name}.png"), full_page=True)
        page.goto(f"{site}/changes/")
        page.screenshot(path=str(SCREENSHOTS / f"changes-{name}.png"))
        page.close()
    for name in ("board-desktop", "board-phone", "destination-desktop", "destination-phone"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 0
