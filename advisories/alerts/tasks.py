"""Thin Celery entry points for alerts; the work and its guarantees are in the alerts services.

Every task takes ids (or nothing), re-reads the database and is safe to run twice: the unique
delivery rows and the sent mark, not the queue, are what make each email go out once.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from advisories.alerts.digests import digests_send
from advisories.alerts.fanout import change_fan_out
from advisories.alerts.sending import deliveries_drain
from advisories.alerts.subscriptions import subscription_mail_send
from advisories.alerts.sweep import alerts_sweep as sweep


@shared_task(name="advisories.tasks.fan_out_change", ignore_result=True)
def fan_out_change(change_id: int) -> dict[str, object]:
    """Enqueued on commit by reconciliation for each change that alters a current status."""
    result = change_fan_out(change_id=change_id)
    return {"change": result.change_id, "created": result.created, "note": result.note}


@shared_task(name="advisories.tasks.send_deliveries", ignore_result=True)
def send_deliveries() -> dict[str, int]:
    """Send everything due now. Two of these at once take disjoint batches."""
    report = deliveries_drain()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed}


@shared_task(name="advisories.tasks.alerts_sweep", ignore_result=True)
def alerts_sweep() -> dict[str, int]:
    """Beat, every minute: fan out what a lost message missed, send what is due or orphaned."""
    report = sweep(now=timezone.now())
    return {
        "fanned_out": report.fanned_out,
        "created": report.deliveries_created,
        "sent": report.send.sent,
    }


@shared_task(name="advisories.tasks.alerts_digest", ignore_result=True)
def alerts_digest() -> dict[str, int]:
    """Beat, hourly: yesterday's (UTC) digests. Repeats create nothing new."""
    now = timezone.now()
    yesterday = now.date() - timedelta(days=1)
    return {"created": digests_send(day=yesterday, now=now)}


@shared_task(
    name="advisories.tasks.send_subscription_mail",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=6,
)
def send_subscription_mail(subscription_id: int, kind: str) -> bool:
    """The confirmation (or "already subscribed") email; retried on mail-server trouble."""
    return subscription_mail_send(subscription_id=subscription_id, kind=kind)
