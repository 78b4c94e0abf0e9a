"""schemathesis against the published OpenAPI schema: no 5xx, every response as documented.

Each operation gets a bounded number of generated requests (FUZZ_EXAMPLES, default 50), both
valid and invalid ones. Writes are sent with a superuser's token so the fuzzer reaches the
validation code behind the authentication check, where bugs hide.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, event, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.factories import DestinationFactory, SourceFactory, UserFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))


def _over_https(app):
    """Requests arrive as HTTPS, as behind the production TLS proxy (no redirect to https)."""

    def wrapped(environ, start_response):
        environ["wsgi.url_scheme"] = "https"
        return app(environ, start_response)

    return wrapped


schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json", _over_https(get_wsgi_application())
)


@pytest.fixture
def api_token(django_user_model, settings):
    from rest_framework.authtoken.models import Token

    # No throttling: the fuzzer sends far more than an anonymous reader may.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    user = UserFactory(username="fuzzer", is_staff=True, is_superuser=True)
    SourceFactory(slug="fuzz-source")
    DestinationFactory(slug="fuzz-resort")
    # The fuzzer calls the WSGI app directly, not through Django's test client, so do what the
    # client does: keep the end of each request from closing the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield Token.objects.get_or_create(user=user)[0].key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_answers_5xx_and_always_as_documented(case, api_token):
    response = case.call(headers={"Authorization": f"Token {api_token}"})
    event(f"answered {response.status_code}")  # the status mix, with --hypothesis-show-statistics
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
