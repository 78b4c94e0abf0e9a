"""Thin Celery entry point for feed polling; the work is in ``ingest.feeds``."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from advisories.ingest.feeds import feeds_poll_due


@shared_task(name="advisories.tasks.poll_feeds", ignore_result=True)
def poll_feeds() -> dict[str, int]:
    """Poll every feed that is due. Beat runs it every minute; each source keeps its own interval.

    Safe to run twice or concurrently: each source is claimed before it is fetched, and a notice
    already stored is never stored again.
    """
    return feeds_poll_due(now=timezone.now()).as_dict()
