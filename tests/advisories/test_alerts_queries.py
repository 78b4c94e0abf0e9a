"""The per-email queries of a send batch stay cheap on a large deliveries table (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advisories.alerts.fanout import change_fan_out
from advisories.alerts.sending import SendReport, _Batch
from advisories.models import Delivery, Subscription
from advisories.outbox import claim_due
from destinations.models import Destination, Status
from tests.factories import StatusChangeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


def _sent(batch: _Batch, delivery: Delivery) -> None:
    batch.sent(delivery)


def _failed(batch: _Batch, delivery: Delivery) -> None:
    batch.failed(delivery, "550 5.1.1 No such user here")


def _retried(batch: _Batch, delivery: Delivery) -> None:
    batch.retry(delivery, "451 4.7.1 Greylisted")


@pytest.mark.parametrize(
    ("mark", "counted_as"), [(_sent, "sent"), (_failed, "failed"), (_retried, "retried")]
)
def test_marking_an_email_finds_its_row_by_primary_key_whatever_the_statistics(mark, counted_as):
    country = Destination.objects.get(kind="country", country_code="KP")
    Subscription.objects.bulk_create(
        Subscription(
            email=f"reader{n}@example.org",
            scope="all",
            frequency="immediate",
            confirmed_at=NOW - timedelta(days=1),
        )
        for n in range(20_000)
    )
    change = StatusChangeFactory(
        destination=country,
        status=Status.SUSPENDED,
        previous_status=Status.OPEN,
        effective_at=NOW - timedelta(days=1),
        recorded_at=NOW,
        alters_current=True,
    )
    change_fan_out(change_id=change.pk, now=NOW)
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        # Statistics taken while no row was being sent: "sending" looks as rare as can be.
        cursor.execute(f"ANALYZE {table}")
    ids = claim_due(Delivery, token="batch", batch_size=2_000, now=NOW, lease=settings.ALERTS_LEASE)
    batch = _Batch(token="batch", now=NOW, report=SendReport())

    delivery = Delivery.objects.get(pk=ids[-1])
    with CaptureQueriesContext(connection) as queries:
        mark(batch, delivery)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert getattr(batch.report, counted_as) == 1
    assert "advisories_delivery_pkey" in plan, plan
