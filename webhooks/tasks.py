"""Thin Celery entry points for webhooks; the guarantees are in the services. Each task takes
ids (or nothing), re-reads the database and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from webhooks.fanout import change_fan_out
from webhooks.sending import deliveries_drain
from webhooks.sweep import webhooks_sweep


@shared_task(name="webhooks.tasks.fan_out_change", ignore_result=True)
def fan_out_change(change_id: int) -> dict[str, object]:
    """Behind the pipeline's "change recorded" door, beside the alerts' fan-out."""
    result = change_fan_out(change_id=change_id)
    return {"change": result.change_id, "created": result.created, "note": result.note}


@shared_task(name="webhooks.tasks.send_deliveries", ignore_result=True)
def send_deliveries() -> dict[str, int]:
    """Send everything due now. Two of these at once take disjoint batches."""
    report = deliveries_drain()
    return {"delivered": report.delivered, "retried": report.retried, "failed": report.failed}


@shared_task(name="webhooks.tasks.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Beat, every minute: fan out what a lost message missed, send what is due or orphaned."""
    report = webhooks_sweep()
    return {
        "fanned_out": report.fanned_out,
        "created": report.deliveries_created,
        "delivered": report.send.delivered,
        "notices": report.notices,
    }
