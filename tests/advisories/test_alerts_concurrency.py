"""Concurrent fan-outs and senders on real PostgreSQL: each subscriber gets one delivery and one
email, whatever the number of workers racing for the same work."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from advisories.alerts.fanout import change_fan_out
from advisories.alerts.sending import deliveries_drain
from advisories.models import Delivery, DeliveryState
from destinations.models import Destination, Status
from tests.factories import DestinationFactory, StatusChangeFactory, SubscriptionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)
WORKERS = 4


def run_at_once(work, count: int = WORKERS) -> list[BaseException]:
    """Start ``count`` threads on ``work`` together; each has its own database connection."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # collected and re-raised by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def change():
    # Transactional tests flush the tables, gazetteer included: make the country if it is gone.
    country, _ = Destination.objects.get_or_create(
        kind="country", country_code="KP", defaults={"slug": "kp", "name": "North Korea"}
    )
    zone = DestinationFactory(name="Wonsan-Kalma", slug="wonsan-kalma", parent=country)
    return StatusChangeFactory(
        destination=zone,
        status=Status.SUSPENDED,
        previous_status=Status.RESTRICTED,
        effective_at=NOW - timedelta(days=1),
        recorded_at=NOW,
        alters_current=True,
    )


def test_concurrent_fan_outs_of_one_change_create_one_delivery_per_subscriber(change):
    SubscriptionFactory.create_batch(200)

    errors = run_at_once(lambda: change_fan_out(change_id=change.pk, now=NOW))

    assert errors == []
    assert Delivery.objects.count() == 200
    assert Delivery.objects.values("subscription").distinct().count() == 200


def test_concurrent_senders_send_each_email_exactly_once(change, smtp):
    readers = [s.email for s in SubscriptionFactory.create_batch(120)]
    change_fan_out(change_id=change.pk, now=NOW)

    errors = run_at_once(lambda: deliveries_drain(now=NOW, batch_size=10))

    assert errors == []
    received = Counter(m["To"] for m in smtp.messages)
    assert received == Counter(readers)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
