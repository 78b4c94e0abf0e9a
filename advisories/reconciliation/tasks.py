"""Thin Celery entry point for reconciliation; the work is in ``reconciliation.service``."""

from __future__ import annotations

import uuid

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from advisories.reconciliation.service import reconcile_pending

_LOCK_KEY = "advisories:reconcile:running"
_LOCK_SECONDS = 15 * 60


@shared_task(name="advisories.tasks.reconcile", ignore_result=True)
def reconcile() -> dict[str, int]:
    """Reconcile every due destination. Beat runs it every few minutes.

    The cache lock only saves pointless overlapping runs when beats pile up; correctness never
    depends on it (row locks and unique constraints do that), so a lost or expired lock is fine.
    """
    token = uuid.uuid4().hex
    if not cache.add(_LOCK_KEY, token, timeout=_LOCK_SECONDS):
        return {"skipped_overlapping_run": 1}
    try:
        summary = reconcile_pending(now=timezone.now())
    finally:
        if cache.get(_LOCK_KEY) == token:
            cache.delete(_LOCK_KEY)
    return {
        "destinations": summary.destinations,
        "changes": summary.changes,
        "links": summary.links,
        "in_review": summary.in_review,
        "skipped": summary.skipped,
    }
