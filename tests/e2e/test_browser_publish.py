"""A reader's walk through the public pages in headless Debian chromium, with axe-core checks.

Runs in CI (CI=true), where a missing chromium is a failure; elsewhere it skips, saying why.
"""

import pytest

from tests.destinations.story import build_story
from tests.e2e.browser_support import DESKTOP, SCREENSHOTS, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(browser):
    return browser.new_page(viewport=DESKTOP)


@pytest.fixture
def site(settings):
    """A live server of our own, started after the test settings apply: the session-wide
    `live_server` builds its middleware before them and would redirect to HTTPS."""
    from pytest_django.live_server_helper import LiveServer

    build_story()
    server = LiveServer("localhost:0")
    yield server.url
    server.stop()


def test_reader_filters_the_board_opens_kalma_and_looks_back_in_time(site, browser_page):
    page = browser_page
    page.goto(f"{site}/")
    assert page.get_by_role("heading", name="North Korea").is_visible()
    assert page.get_by_role("link", name="Rason Special Economic Zone").is_visible()
    assert serious_violations(page) == []

    page.get_by_label("Name or alias").fill("kalma resort")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/?q=kalma+resort*")
    assert page.get_by_role("link", name="Rason Special Economic Zone").count() == 0

    page.get_by_role("link", name="Wonsan-Kalma Coastal Tourist Zone").click()
    page.wait_for_url("**/destinations/wonsan-kalma/")
    assert page.locator("svg.timeline__svg").is_visible()
    assert page.locator("svg.timeline__svg rect.span--suspended").count() == 1
    assert page.get_by_text("temporarily not receiving foreign tourists.”").first.is_visible()
    assert page.get_by_role("link", name="read the notice").first.is_visible()
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "wonsan-kalma.png"), full_page=True)

    page.get_by_label("Status as of (UTC date)").fill("2025-07-10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/destinations/wonsan-kalma/?at=2025-07-10")
    status = page.locator("section[aria-labelledby=status-heading]")
    assert "Status on 10 Jul 2025 UTC" in status.inner_text()
    assert status.locator(".badge--closed").count() == 1
    assert status.locator(".badge--suspended").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "wonsan-kalma-2025-07-10.png"), full_page=True)
