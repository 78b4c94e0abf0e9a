"""A client is who the connection (or the proxies we trust) says, never what X-Forwarded-For
claims: throttles cannot be dodged by sending a different header with each request."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from advisories.models import Subscription

pytestmark = pytest.mark.django_db

API = "/api/v1/destinations/"


@pytest.fixture
def tight_limits(settings, monkeypatch):
    rates = {"anon": "3/minute", "subscribe": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF's throttles read their rates once, when the class is created.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _trust(settings, proxies: int) -> None:
    settings.TRUSTED_PROXIES = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}


def test_by_default_the_api_ignores_forwarded_for_and_throttles_the_peer(tight_limits):
    client = Client(REMOTE_ADDR="203.0.113.7")

    codes = [client.get(API, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)]

    assert codes == [200, 200, 200, 429]


def test_by_default_the_subscribe_form_ignores_forwarded_for(tight_limits):
    client = Client(REMOTE_ADDR="203.0.113.7")

    codes = [
        client.post(
            "/alerts/subscribe/",
            {"email": f"a{n}@example.org", "scope": "all", "frequency": "immediate"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]

    assert codes[-1] == 429
    assert not Subscription.objects.filter(email="a2@example.org").exists()


def test_behind_one_trusted_proxy_each_client_is_the_address_it_appended(tight_limits, settings):
    _trust(settings, 1)
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    first = [proxy.get(API, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code for _ in range(4)]
    other = proxy.get(API, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code

    assert first == [200, 200, 200, 429] and other == 200


def test_behind_a_trusted_proxy_a_forged_entry_before_the_proxys_own_changes_nothing(
    tight_limits, settings
):
    _trust(settings, 1)
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    codes = [
        proxy.get(API, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.1").status_code
        for n in range(4)
    ]

    assert codes == [200, 200, 200, 429]


def test_the_default_trusts_no_proxy(settings):
    assert settings.TRUSTED_PROXIES == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
