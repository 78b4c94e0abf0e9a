"""Faults in the task pipeline, with real worker and beat processes.

A private Redis is the broker and cache, PostgreSQL holds a test database the worker processes
can see (transactional tests commit for real), and an SMTP sink in this process counts what the
mail server accepted. What must hold every time: each subscriber receives the alert exactly once
and one delivery row per subscriber is marked sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from advisories.alerts.tasks import alerts_sweep, fan_out_change, send_deliveries
from advisories.ingest.service import notice_ingest
from advisories.models import Delivery, DeliveryState, FanOut, Notice, NoticeState, SourceKind
from advisories.reconciliation.service import reconcile_pending
from destinations.models import StatusChange
from tests.factories import AliasFactory, DestinationFactory, SourceFactory, SubscriptionFactory
from tests.ops.conftest import ALERTS_LEASE_SECONDS, database_url
from tests.ops.servers import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

LEASE_SECONDS = ALERTS_LEASE_SECONDS


@pytest.fixture
def readers():
    resort = DestinationFactory(name="Wonsan-Kalma Coastal Tourist Zone", slug="wonsan-kalma")
    AliasFactory(destination=resort, name="Wonsan-Kalma")
    source = SourceFactory(slug="tourism-admin", kind=SourceKind.OFFICIAL, authority=100)
    subscribers = SubscriptionFactory.create_batch(5, confirmed_at=datetime(2025, 7, 1, tzinfo=UTC))
    return resort, source, [s.email for s in subscribers]


def _ingest_suspension(source) -> None:
    """Ingest a suspension and wait until the worker has extracted it."""
    notice = notice_ingest(
        source=source,
        title="Notice to foreign travellers",
        body="The Wonsan-Kalma Coastal Tourist Zone is temporarily not receiving foreign tourists.",
        published_at=timezone.now() - timedelta(hours=1),
    ).notice
    wait_until(
        lambda: Notice.objects.get(pk=notice.pk).state == NoticeState.EXTRACTED,
        timeout=60,
        what="the worker to extract the notice",
    )


def _sent_per_subscription() -> dict[str, int]:
    counts: dict[str, int] = {}
    for email in Delivery.objects.filter(state=DeliveryState.SENT).values_list(
        "subscription__email", flat=True
    ):
        counts[email] = counts.get(email, 0) + 1
    return counts


def _beat_until_all_sent(expected: int, *, rounds: int = 15) -> None:
    """What beat does every minute, compressed: sweep until nothing is left to send."""
    for _ in range(rounds):
        alerts_sweep.delay()
        try:
            wait_until(
                lambda: Delivery.objects.filter(state=DeliveryState.SENT).count() >= expected,
                timeout=LEASE_SECONDS + 1,
                what="every delivery sent",
            )
            return
        except TimeoutError:
            continue
    raise AssertionError(f"deliveries not all sent: {list(Delivery.objects.values('state'))}")


def test_a_worker_killed_mid_send_batch_leaves_each_subscriber_exactly_one_email(stack, readers):
    _, source, emails = readers
    worker = stack.worker()
    stack.smtp.hold_after(2)  # two alerts accepted, the third stalls in the mail server

    _ingest_suspension(source)
    reconcile_pending(now=timezone.now())  # commits the change; fan-out goes to the broker
    wait_until(stack.smtp.holding.is_set, timeout=60, what="the sender to reach the third mail")
    worker.kill()
    stack.smtp.release.set()  # the stalled mail was never accepted

    assert Delivery.objects.count() == 5
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2
    assert sum(stack.smtp.per_recipient().values()) == 2

    stack.worker(log="worker-restarted.log")
    _beat_until_all_sent(5)

    assert stack.smtp.per_recipient() == {email: 1 for email in emails}
    assert _sent_per_subscription() == {email: 1 for email in emails}


def _backends_waiting_on_lock(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{table}%"],
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_fan_out_leaves_no_half_fan_out_and_each_email_goes_once(
    stack, readers
):
    _, source, emails = readers
    worker = stack.worker()
    table = FanOut._meta.db_table
    # Another session holds the fan-out mark's table: the worker's fan-out transaction gets as
    # far as inserting the deliveries, then waits, mid-transaction, until it is killed.
    with psycopg.connect(database_url()) as blocker:
        blocker.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        _ingest_suspension(source)
        reconcile_pending(now=timezone.now())
        wait_until(
            lambda: _backends_waiting_on_lock(table) > 0,
            timeout=60,
            what="the fan-out to block half-way",
        )
        worker.kill()
        blocker.rollback()

    assert Delivery.objects.count() == 0  # the killed transaction's rows never became visible
    assert not FanOut.objects.exists()

    stack.worker(log="worker-restarted.log")
    _beat_until_all_sent(5)

    assert Delivery.objects.count() == 5
    assert stack.smtp.per_recipient() == {email: 1 for email in emails}


def test_the_same_task_messages_delivered_twice_send_each_email_once(stack, readers):
    _, source, emails = readers
    worker = stack.worker(concurrency=2)
    _ingest_suspension(source)
    reconcile_pending(now=timezone.now())
    change = StatusChange.objects.get()

    for _ in range(2):  # the broker redelivers: same message, same task id
        fan_out_change.apply_async(args=[change.pk], task_id="fan-out-redelivered")
        send_deliveries.apply_async(task_id="send-redelivered")
    wait_until(
        lambda: (
            worker.finished("advisories.tasks.fan_out_change") >= 3
            and worker.finished("advisories.tasks.send_deliveries") >= 3
        ),
        timeout=60,
        what="every copy of the messages to be processed",
    )
    _beat_until_all_sent(5)

    assert Delivery.objects.filter(change=change).count() == 5
    assert stack.smtp.per_recipient() == {email: 1 for email in emails}


def test_two_beat_schedulers_at_once_make_one_change_and_one_email_each(stack, readers):
    resort, source, emails = readers
    worker = stack.worker(concurrency=2)
    _ingest_suspension(source)  # nothing reconciled yet: beat has to do everything

    fast = {
        "RECONCILE_INTERVAL_SECONDS": 1,
        "ALERTS_SWEEP_INTERVAL_SECONDS": 1,
        "FEED_POLL_INTERVAL_SECONDS": 3600,
    }
    stack.beat("beat-a", **fast)
    stack.beat("beat-b", **fast)
    wait_until(
        lambda: (
            worker.finished("advisories.tasks.reconcile") >= 6
            and worker.finished("advisories.tasks.alerts_sweep") >= 6
            and sum(stack.smtp.per_recipient().values()) >= 5
        ),
        timeout=90,
        what="both beats to drive several reconcile and sweep runs",
    )

    assert StatusChange.objects.filter(destination=resort).count() == 1
    assert Delivery.objects.count() == 5
    assert stack.smtp.per_recipient() == {email: 1 for email in emails}
    assert worker.finished("advisories.tasks.reconcile", "failure") == 0
