"""Thin Celery entry point for the export snapshots; the work is in export/snapshots.py."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from publishing.export.snapshots import snapshots_prune, snapshots_write


@shared_task(name="publishing.tasks.export_snapshots", ignore_result=True)
def export_snapshots() -> dict[str, object]:
    """Beat, hourly: today's (UTC) snapshots if not yet written, then drop the expired ones.

    Hourly rather than once at midnight: the first run of a day writes, later ones find the
    day's rows and write nothing, and a beat or worker that was down at midnight catches up.
    """
    today = timezone.now().date()
    written = snapshots_write(day=today)
    dropped = snapshots_prune(today=today, keep_days=settings.EXPORT_KEEP_DAYS)
    return {"day": today.isoformat(), "written": [s.kind for s in written], "dropped": dropped}
