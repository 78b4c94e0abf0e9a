"""Liveness and readiness probes, and the reachability checks `manage.py doctor` reuses.

`/healthz` answers as long as the process can serve a request: it touches nothing else, so a
database outage never gets healthy web processes killed by an orchestrator. `/readyz` checks each
dependency with a short timeout and names whichever failed; it also reports how fresh the last
reconciliation and feed poll are, which is what tells an operator the worker and beat are alive.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_redis import get_redis_connection
from django_redis.cache import RedisCache

from config.metrics import holds_ops_token, metrics_view

BROKER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    duration_ms: float
    error: str = ""

    def as_dict(self) -> dict:
        data = {"ok": self.ok, "duration_ms": self.duration_ms}
        if self.error:
            data["error"] = self.error
        return data


def _timed(name: str, probe: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:  # any failure of a probe means "not reachable"
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return CheckResult(name, False, elapsed, f"{type(error).__name__}: {error}"[:300])
    return CheckResult(name, True, round((time.perf_counter() - started) * 1000, 1))


def probe_database() -> None:
    """One round trip on the default connection (Django's health check replaces a dead one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def probe_cache() -> None:
    """Redis answers PING; other backends must store and return a value.

    Plain cache calls would not do for Redis: they ignore connection errors (a miss, not a failed
    page), so the probe asks django-redis for its connection and pings it.
    """
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        get_redis_connection("default").ping()
        return
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just stored")
    cache.delete(key)


def probe_broker() -> None:
    """Open (and close) a connection to the Celery broker, without Celery's long retry loop."""
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )


PROBES: dict[str, Callable[[], None]] = {
    "database": probe_database,
    "cache": probe_cache,
    "broker": probe_broker,
}


def run_checks(names: list[str] | None = None) -> list[CheckResult]:
    """Run the named probes (all by default), each one independent of the others' failure."""
    return [_timed(name, PROBES[name]) for name in (names or list(PROBES))]


_recent: tuple[float, list[CheckResult]] | None = None


def recent_checks() -> list[CheckResult]:
    """All probes, run at most once per OPS_PROBE_MIN_INTERVAL_SECONDS in this process: a
    flood of /readyz requests does not become a flood of new broker and database connections."""
    global _recent
    now = time.monotonic()
    if _recent is None or now - _recent[0] >= settings.OPS_PROBE_MIN_INTERVAL_SECONDS:
        _recent = (now, run_checks())
    return _recent[1]


def freshness(*, now: datetime) -> dict:
    """When reconciliation and feed polling last succeeded, and whether that is overdue.

    Overdue means more than three scheduled intervals ago: one missed beat is noise, three in a
    row mean the worker or beat is not running. Never having run is reported as null, not overdue,
    since a fresh install has nothing to reconcile yet.
    """
    from advisories.models import Source
    from destinations.models import Destination

    reconciled = Destination.objects.aggregate(at=Max("reconciled_at"))["at"]
    polled = Source.objects.aggregate(at=Max("last_success_at"))["at"]

    def describe(at: datetime | None, interval: timedelta) -> dict:
        return {
            "at": at.isoformat() if at else None,
            "overdue": bool(at and now - at > 3 * interval),
        }

    return {
        "reconciliation": describe(reconciled, settings.RECONCILE_INTERVAL),
        "feed_poll": describe(polled, settings.FEED_POLL_INTERVAL),
    }


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when database, cache and broker all answer; 503 naming the ones that did not.

    Anyone learns pass or fail per part; the errors, timings and job freshness, which describe
    the deployment, only a holder of the ops token (METRICS_TOKEN).
    """
    results = recent_checks()
    failing = [result.name for result in results if not result.ok]
    body: dict = {
        "status": "unavailable" if failing else "ready",
        "failing": failing,
        "checks": {result.name: "ok" if result.ok else "failing" for result in results},
    }
    if not holds_ops_token(request):
        return JsonResponse(body, status=503 if failing else 200)
    body["checks"] = {result.name: result.as_dict() for result in results}
    if "database" not in failing:
        try:
            body["last_success"] = freshness(now=timezone.now())
        except Exception as error:  # the database went away between the probe and this query
            body["last_success"] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return JsonResponse(body, status=503 if failing else 200)


class HealthProbeMiddleware:
    """Answers /healthz, /readyz and /metrics before any other middleware runs.

    Orchestrators probe a container by its IP address, which is not (and should not be) in
    ALLOWED_HOSTS, and over plain HTTP inside the cluster: going through the rest of the stack
    would answer 400 or a redirect to https and get healthy containers killed. These endpoints
    render no links and read nothing from the request, so skipping host validation is safe.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Prometheus scrapes by IP as well; /metrics has its own bearer-token check.
        self.routes = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics_view}

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
