"""Celery signal handlers: one structured log line and one metric sample per task run.

Wired from `config.apps.OpsConfig.ready`, so the web process, the worker and beat all get them
without any task having to remember. Tasks that return a small summary (counts of what they did)
have it logged, which is how a reconciliation or fan-out run reports its work.
"""

from __future__ import annotations

import json
import logging
import time

from celery import signals

from config.metrics import TASK_DURATION, TASK_RUNS

logger = logging.getLogger("portcullis.tasks")

_started: dict[str, float] = {}
_MAX_LOGGED_RESULT = 2000


def _loggable(value):
    """The task's return value if it is small JSON, else None: logs must stay one short line."""
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        return None
    return value if len(text) <= _MAX_LOGGED_RESULT else None


@signals.task_prerun.connect(dispatch_uid="portcullis.task_prerun")
def _task_started(task_id=None, task=None, **_):
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect(dispatch_uid="portcullis.task_postrun")
def _task_finished(task_id=None, task=None, retval=None, state=None, **_):
    started = _started.pop(task_id, None)
    duration = time.perf_counter() - started if started is not None else None
    name = getattr(task, "name", "unknown")
    outcome = {"SUCCESS": "success", "RETRY": "retry"}.get(state or "", "failure")
    TASK_RUNS.labels(task=name, outcome=outcome).inc()
    if duration is not None:
        TASK_DURATION.labels(task=name).observe(duration)
    level = logging.INFO if outcome != "failure" else logging.ERROR
    logger.log(
        level,
        "task finished",
        extra={
            "task_id": task_id,
            "task_name": name,
            "outcome": outcome,
            "duration_ms": round(duration * 1000, 1) if duration is not None else None,
            "result": _loggable(retval) if outcome == "success" else None,
            "error": repr(retval)[:500] if outcome == "failure" else None,
        },
    )
