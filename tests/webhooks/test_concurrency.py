"""Concurrent fan-outs and senders on real PostgreSQL: one delivery row and one request per
(change, endpoint), whatever the number of workers racing for the same work."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from destinations.models import Destination
from tests.advisories.test_alerts_concurrency import run_at_once
from tests.factories import DestinationFactory, StatusChangeFactory, WebhookEndpointFactory
from webhooks.fanout import change_fan_out
from webhooks.models import WebhookDelivery
from webhooks.sending import deliveries_drain

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def change():
    country, _ = Destination.objects.get_or_create(
        kind="country", country_code="KP", defaults={"slug": "kp", "name": "North Korea"}
    )
    zone = DestinationFactory(name="Wonsan-Kalma", slug="wonsan-kalma", parent=country)
    return StatusChangeFactory(destination=zone, recorded_at=NOW, alters_current=True)


def test_concurrent_fan_outs_create_one_delivery_per_endpoint(change, receiver):
    for n in range(30):
        WebhookEndpointFactory(url=receiver.url(f"/{n}"))

    errors = run_at_once(lambda: change_fan_out(change_id=change.pk, now=NOW))

    assert errors == []
    assert WebhookDelivery.objects.count() == 30


def test_concurrent_senders_post_each_delivery_exactly_once(change, receiver, settings):
    settings.WEBHOOK_BATCH_SIZE = 3
    for n in range(24):
        WebhookEndpointFactory(url=receiver.url(f"/{n}"))
    change_fan_out(change_id=change.pk, now=NOW)

    errors = run_at_once(lambda: deliveries_drain(now=NOW))

    assert errors == []
    counts = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert len(counts) == 24 and set(counts.values()) == {1}
