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

from config.logs import request_id_var
from config.metrics import TASK_DURATION, TASK_RUNS

logger = logging.getLogger("portcullis.tasks")

_started: dict[str, float] = {}
_errors: dict[str, BaseException] = {}
_request_tokens: dict[str, object] = {}
# Message header carrying the id of the web request that enqueued a task, so the worker's lines
# for that task can be found from the request id a user quotes.
REQUEST_ID_HEADER = "portcullis_request_id"
_MAX_LOGGED_RESULT = 2000


def _loggable(value):
    """The task's return value if it is small JSON, else None: logs must stay one short line."""
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        return None
    return value if len(text) <= _MAX_LOGGED_RESULT else None


@signals.before_task_publish.connect(dispatch_uid="portcullis.before_task_publish")
def _stamp_request_id(headers=None, **_):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@signals.task_prerun.connect(dispatch_uid="portcullis.task_prerun")
def _task_started(task_id=None, task=None, **_):
    _started[task_id] = time.perf_counter()
    request_id = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    if request_id:
        _request_tokens[task_id] = request_id_var.set(request_id)


@signals.task_failure.connect(dispatch_uid="portcullis.task_failure")
def _task_failed(task_id=None, exception=None, **_):
    _errors[task_id] = exception


@signals.task_postrun.connect(dispatch_uid="portcullis.task_postrun")
def _task_finished(task_id=None, task=None, retval=None, state=None, **_):
    started = _started.pop(task_id, None)
    error = _errors.pop(task_id, None)
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
            "error": repr(error or retval)[:500] if outcome == "failure" else None,
        },
    )
    token = _request_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)
