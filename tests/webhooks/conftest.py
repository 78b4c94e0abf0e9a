"""Fixtures for webhooks tests: a real HTTP receiver on loopback, the alerts' SMTP sink."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from destinations.models import Destination, DestinationKind
from tests.advisories.conftest import _smtp_sink, smtp  # noqa: F401 - the real SMTP sink
from tests.factories import DestinationFactory, WebhookUserFactory
from tests.webhooks.receiver import Receiver


@pytest.fixture(scope="session")
def _receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(_receiver, settings):
    """The loopback receiver, trusted as a webhook network, over plain http; starts empty."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 2.0
    _receiver.reset()
    yield _receiver
    _receiver.reset()


@pytest.fixture
def places():
    """North Korea > Kangwon (region) > Wonsan-Kalma (zone), and Rason beside it."""
    country = Destination.objects.get(kind="country", country_code="KP")
    region = DestinationFactory(
        name="Kangwon", slug="kangwon", kind=DestinationKind.REGION, parent=country
    )
    zone = DestinationFactory(
        name="Wonsan-Kalma", slug="wonsan-kalma", kind=DestinationKind.ZONE, parent=region
    )
    rason = DestinationFactory(
        name="Rason", slug="rason", kind=DestinationKind.ZONE, parent=country
    )
    return {"country": country, "region": region, "zone": zone, "rason": rason}


@pytest.fixture
def owner():
    return WebhookUserFactory(username="owner", email="owner@example.org")


@pytest.fixture
def owner_client(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    return client
