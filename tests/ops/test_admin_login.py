"""Admin login: failed attempts are limited per client address and per username."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def curator():
    user = UserFactory(username="curator", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(address: str, username: str, password: str):
    return Client(REMOTE_ADDR=address).post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


def test_the_right_password_logs_in(curator):
    assert attempt("203.0.113.5", "curator", PASSWORD).status_code == 302


def test_after_five_failures_from_one_address_even_the_right_password_is_refused(curator, settings):
    answers = [
        attempt("203.0.113.5", "curator", "guess").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again

    assert attempt("203.0.113.5", "curator", PASSWORD).status_code == 429


def test_guessing_one_username_from_many_addresses_locks_that_username(curator, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"198.51.100.{n}", "curator", "guess")

    assert attempt("192.0.2.77", "curator", PASSWORD).status_code == 429


def test_guessing_many_usernames_from_one_address_locks_that_address(curator, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("203.0.113.9", f"someone-{n}", "guess")

    assert attempt("203.0.113.9", "curator", PASSWORD).status_code == 429
    assert attempt("203.0.113.10", "curator", PASSWORD).status_code == 302


def test_a_lockout_by_address_follows_the_trusted_proxy_setting(curator, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    proxy = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A client cannot escape the count by claiming other addresses.
        proxy.post(
            LOGIN,
            {"username": f"someone-{n}", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    response = proxy.post(LOGIN, {"username": "curator", "password": PASSWORD})
    assert response.status_code == 429
