"""Structured logs: one JSON line per event, each tagged with the request or task it belongs to.

A request id ties together every line one web request writes (and is echoed to the client in the
`X-Request-ID` header, so a user's bug report can quote it); a Celery task id does the same for a
task run. Both travel in context variables and are stamped on every record by `ContextFilter`, so
no call site has to pass them along.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# A client may hand us its own id (a proxy's, or one it logged itself); anything else is replaced
# so a hostile header can never inject log lines or huge values.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

request_logger = logging.getLogger("portcullis.request")
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _current_task():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a hard dependency
        return None
    task = current_task
    # `current_task` is a proxy; outside a task it wraps None.
    if task is None or not getattr(task, "request", None) or task.request.id is None:
        return None
    return task


class ContextFilter(logging.Filter):
    """Adds `request_id`, `task_id` and `task_name` to every record (None when not applicable)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "task_id"):
            task = _current_task()
            record.task_id = task.request.id if task else None
            record.task_name = task.name if task else None
        return True


class PortcullisJsonFormatter(JsonFormatter):
    """JSON lines with fixed field names a log pipeline can index (`time`, `level`, `logger`...)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt",
            "{asctime}{levelname}{name}{message}{request_id}{task_id}{task_name}",
        )
        kwargs.setdefault("style", "{")
        kwargs.setdefault(
            "rename_fields",
            {"asctime": "time", "levelname": "level", "name": "logger"},
        )
        kwargs.setdefault("timestamp", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record, datefmt=None):
        # ISO 8601 in UTC with milliseconds: sortable and unambiguous across hosts.
        moment = time.gmtime(record.created)
        return time.strftime("%Y-%m-%dT%H:%M:%S", moment) + f".{int(record.msecs):03d}Z"


def logging_config(*, fmt: str, level: str) -> dict:
    """The LOGGING dict for settings: `fmt` is "json" (production) or "plain" (for people)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logs.ContextFilter"}},
        "formatters": {
            "plain": {
                "format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s task=%(task_id)s]"
                " %(message)s"
            },
            "json": {"()": "config.logs.PortcullisJsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Our own per-request line replaces Django's; 4xx/5xx are still logged by it below.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }


def _incoming_request_id(request) -> str:
    supplied = request.META.get("HTTP_X_REQUEST_ID", "")
    if supplied and _ACCEPTABLE_REQUEST_ID.match(supplied):
        return supplied
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each request an id (the client's `X-Request-ID` if sane), echoes it, logs one line.

    The line carries method, path, status and duration so a slow or failing request can be found
    without the web server's access log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_request_id(request)
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # Probes and scrapes arrive every few seconds; keep them out of the INFO stream.
            level = logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            # The message reads on its own in a terminal; JSON logs also get the fields apart.
            request_logger.log(
                level,
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
