"""A reader subscribes, confirms, manages and leaves, in headless Debian chromium, with axe-core
run on every form page at a desktop and a phone size; and the scope fields work without
JavaScript.

Runs in CI (CI=true), where a missing chromium is a failure; elsewhere it skips, saying why.
"""

import re

import pytest

from advisories.alerts import tokens
from advisories.models import Subscription
from tests.destinations.story import build_story
from tests.e2e.browser_support import DESKTOP, PHONE, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings):
    """A live server of our own, started after the test settings apply (see
    test_browser_publish); mail stays in memory."""
    from pytest_django.live_server_helper import LiveServer

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    build_story()
    server = LiveServer("localhost:0")
    yield server.url
    server.stop()


def _dangling_describedby(page) -> list[str]:
    """Every aria-describedby id that names no element on the page."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby]')]
            .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/))
            .filter(id => !document.getElementById(id))"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_reader_subscribes_confirms_manages_and_leaves_with_no_serious_axe_finding(
    site, browser, viewport
):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{site}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subscribe").click()
    page.wait_for_url("**/alerts/subscribe/")
    assert page.locator("#id_country").is_hidden()
    assert page.locator("#id_destination").is_hidden()
    assert serious_violations(page) == []

    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("One country").check()
    assert page.locator("#id_country").is_visible()
    page.get_by_role("button", name="Subscribe").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    assert summary.is_visible()
    assert summary.get_by_role("link").all_inner_texts() == [
        "Enter a valid email address.",
        "Choose the country to be told about.",
    ]
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_country").get_attribute("aria-invalid") == "true"
    assert _dangling_describedby(page) == []
    assert serious_violations(page) == []

    page.get_by_label("Email address").fill("traveller@example.org")
    page.get_by_label("Country", exact=True).select_option("KP")
    page.get_by_label("Daily digest").check()
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/alerts/subscribe/sent/")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert serious_violations(page) == []

    subscription = Subscription.objects.get(email="traveller@example.org")
    confirm = tokens.make_token(subscription, tokens.TokenPurpose.CONFIRM)
    page.goto(f"{site}/alerts/confirm/{confirm}/")
    text = page.locator("main").inner_text()
    assert re.search(r"Anywhere in Korea, Democratic People.s Republic of", text)
    assert "Daily digest" in text
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm my alerts").click()
    assert page.get_by_role("heading", name="Your alerts are on").is_visible()

    manage = tokens.make_token(subscription, tokens.TokenPurpose.MANAGE)
    page.goto(f"{site}/alerts/manage/{manage}/")
    assert page.locator("#id_country").input_value() == "KP"
    assert serious_violations(page) == []
    page.get_by_label("One destination").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").filter(has_text="There is a problem").is_visible()
    assert _dangling_describedby(page) == []
    assert serious_violations(page) == []

    unsubscribe = tokens.make_token(subscription, tokens.TokenPurpose.UNSUBSCRIBE)
    page.goto(f"{site}/alerts/unsubscribe/{unsubscribe}/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()


def test_scope_fields_follow_the_chosen_radio_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site}/destinations/wonsan-kalma/")
    page.get_by_role("link", name="Subscribe to email alerts").click()
    page.wait_for_url("**/alerts/subscribe/?scope=destination&destination=wonsan-kalma")

    assert page.get_by_label("One destination").is_checked()
    assert page.locator("#id_destination").is_visible()
    assert page.locator("#id_destination").input_value() == "wonsan-kalma"
    assert page.locator("#id_country").is_hidden()

    page.get_by_label("One country").check()
    assert page.locator("#id_country").is_visible()
    assert page.locator("#id_destination").is_hidden()

    page.get_by_label("Every destination").check()
    assert page.locator("#id_country").is_hidden()
    context.close()
