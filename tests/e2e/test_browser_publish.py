"""A reader's walk through the public pages in headless Debian chromium, with axe-core checks.

Runs in CI (CI=true), where a missing chromium is a failure; elsewhere it skips, saying why.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.destinations.story import build_story

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI: apt-get install -y chromium (.ci/run does)")
    pytest.skip("Debian chromium is not installed (apt-get install -y chromium); CI runs this")


@pytest.fixture
def browser_page(monkeypatch):
    executable = _chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM work is already done.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


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
    assert _serious_violations(page) == []

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
    assert _serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wonsan-kalma.png"), full_page=True)

    page.get_by_label("Status as of (UTC date)").fill("2025-07-10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/destinations/wonsan-kalma/?at=2025-07-10")
    status = page.locator("section[aria-labelledby=status-heading]")
    assert "Status on 10 Jul 2025 UTC" in status.inner_text()
    assert status.locator(".badge--closed").count() == 1
    assert status.locator(".badge--suspended").count() == 0
    page.screenshot(path=str(ARTIFACTS / "wonsan-kalma-2025-07-10.png"), full_page=True)
