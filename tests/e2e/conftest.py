import pytest

from tests.e2e.browser_support import CHROMIUM_ARGS, chromium_path


@pytest.fixture
def browser(monkeypatch):
    """A headless Debian chromium, closed after the test."""
    executable = chromium_path()
    # Playwright's sync API runs an event loop in this thread; the ORM work is already done.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
