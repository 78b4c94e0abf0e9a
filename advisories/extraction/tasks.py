"""Thin Celery entry points for extraction; the work is in ``extraction.service``.

Ingest stores a notice as pending and enqueues ``extract_notice`` on commit; the sweeper finds any
notice whose message was lost. Only worker processes run these tasks, so only they load the
language model, once per process, as each starts (``worker_process_init``), so the first notice
a worker takes does not wait for the load.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from advisories.extraction.nlp import language_model
from advisories.extraction.service import notice_extract, notices_requeue_stale

logger = logging.getLogger(__name__)


@shared_task(
    name="advisories.tasks.extract_notice",
    ignore_result=True,
    # The database may be restarting; the notice stays pending meanwhile, so retrying is safe.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    retry_backoff_max=10 * 60,
    max_retries=5,
)
def extract_notice(notice_id: int) -> dict[str, object]:
    """Extract one stored notice. Safe to run twice: a notice no longer pending is left alone."""
    outcome = notice_extract(notice_id=notice_id)
    if outcome is None:
        # Gone, or already extracted (a redelivered message, or the sweeper's duplicate).
        return {"notice": notice_id, "skipped": True}
    return {"notice": notice_id, "state": outcome.state, "claims": len(outcome.claims)}


@shared_task(name="advisories.tasks.extraction_sweep", ignore_result=True)
def extraction_sweep() -> dict[str, int]:
    """Beat, every minute: enqueue again notices left pending (a lost message, a dead worker)."""
    return {"requeued": notices_requeue_stale(now=timezone.now())}


@worker_process_init.connect
def _load_language_model(**kwargs) -> None:
    """Each worker process loads the model as it starts, before it takes any task."""
    try:
        language_model()
    except Exception:  # the worker still starts; each extraction then fails with the cause
        logger.exception("extraction: could not load the language model at worker start")
