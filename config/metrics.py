"""Prometheus metrics: request metrics from django-prometheus, domain gauges read at scrape time.

Domain figures (notices, claims waiting for a curator, deliveries by state, freshness of the last
reconciliation and feed poll) are read from the database when Prometheus scrapes, not counted in
memory: the database is the one place every web and worker process agrees on, so the numbers are
right whichever process answers and survive restarts. Task runs and failures are counters
incremented by Celery signals in the worker (see `config.signals`); with several processes set
`PROMETHEUS_MULTIPROC_DIR` to a directory shared by web and worker so one scrape sees them all.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

import prometheus_client
from django.conf import settings
from django.core import checks
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

TASK_RUNS = Counter(
    "portcullis_task_runs_total",
    "Celery task runs that finished, by task and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_DURATION = Histogram(
    "portcullis_task_duration_seconds",
    "Wall time of Celery task runs.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)


class DomainCollector:
    """Yields gauges computed from the database on every scrape (a handful of indexed counts)."""

    def describe(self):
        # Describing nothing keeps registration from running queries at import time.
        return []

    def __init__(self) -> None:
        self._last: tuple[float, list] | None = None

    def collect(self):
        # A scrape storm costs the database one round of counts a second, not one per scrape.
        now = time.monotonic()
        if self._last is None or now - self._last[0] >= settings.OPS_PROBE_MIN_INTERVAL_SECONDS:
            self._last = (now, list(self._collect_now()))
        yield from self._last[1]

    def _collect_now(self):
        up = GaugeMetricFamily(
            "portcullis_database_up", "1 if the metrics scrape could read the database."
        )
        try:
            families = list(self._families())
        except Exception:
            logger.warning("metrics: database unreadable during scrape", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self):
        from advisories.models import Claim, Delivery, Notice, ReviewState, Source
        from destinations.models import Destination

        yield _by_state(
            "portcullis_notices",
            "Notices stored, by processing state.",
            Notice.objects.values_list("state").annotate(n=Count("id")).order_by(),
            always=("pending", "extracted", "failed"),
        )
        pending_review = GaugeMetricFamily(
            "portcullis_claims_pending_review", "Claims waiting for a curator's decision."
        )
        pending_review.add_metric(
            [], Claim.objects.filter(review_state=ReviewState.NEEDS_REVIEW).count()
        )
        yield pending_review
        yield _by_state(
            "portcullis_deliveries",
            "Alert and digest deliveries, by state.",
            Delivery.objects.values_list("state").annotate(n=Count("id")).order_by(),
            always=("pending", "sending", "sent", "failed"),
        )

        last = GaugeMetricFamily(
            "portcullis_last_success_timestamp_seconds",
            "Unix time of the last successful reconciliation and feed poll (0: never).",
            labels=["job"],
        )
        reconciled = Destination.objects.aggregate(at=Max("reconciled_at"))["at"]
        polled = Source.objects.aggregate(at=Max("last_success_at"))["at"]
        last.add_metric(["reconcile"], reconciled.timestamp() if reconciled else 0)
        last.add_metric(["feed_poll"], polled.timestamp() if polled else 0)
        yield last


def _by_state(name: str, documentation: str, rows, *, always: tuple[str, ...]):
    """A gauge per state; the usual states are always present, at 0, so alerts can use them."""
    family = GaugeMetricFamily(name, documentation, labels=["state"])
    counts = dict(rows)
    for state in always:
        family.add_metric([state], counts.pop(state, 0))
    for state, n in counts.items():
        family.add_metric([str(state)], n)
    return family


_collector = DomainCollector()
_registered = False


def register_domain_collector() -> None:
    """Add the database gauges to the default registry once per process."""
    global _registered
    if not _registered:
        prometheus_client.REGISTRY.register(_collector)
        _registered = True


def holds_ops_token(request: HttpRequest) -> bool:
    """Whether the request carries "Authorization: Bearer <METRICS_TOKEN>" (a token is set)."""
    token = settings.METRICS_TOKEN
    supplied = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode())


def _from_allowed_network(request: HttpRequest) -> bool:
    # The connection's own peer: scrapers connect directly, and a forwarded address is a claim.
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The scrape endpoint: for a token holder, an allowed network, or anyone if made public."""
    if not (settings.METRICS_PUBLIC or holds_ops_token(request) or _from_allowed_network(request)):
        response = HttpResponse("metrics need a bearer token\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_collector)
    else:
        registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(registry)
    response = HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


@checks.register(checks.Tags.security, deploy=True)
def metrics_exposed(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """check --deploy (and doctor) warn when anyone may read /metrics."""
    if not settings.METRICS_PUBLIC:
        return []
    return [
        checks.Warning(
            "/metrics is public (METRICS_PUBLIC=1): anyone can read the service's internals.",
            hint="Unset METRICS_PUBLIC and give Prometheus METRICS_TOKEN as its bearer token, "
            "or list its network in METRICS_ALLOWED_NETWORKS.",
            id="portcullis.W001",
        )
    ]
