"""Liveness and readiness probes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from config import health
from config.celery import app as celery_app
from tests.factories import DestinationFactory, SourceFactory
from tests.ops.servers import closed_port, redis_cache

pytestmark = pytest.mark.django_db

OPS = "Bearer ops-token"


@pytest.fixture(autouse=True)
def _ops_token(settings):
    settings.METRICS_TOKEN = "ops-token"


def test_liveness_answers_ok_without_touching_dependencies(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": redis_cache(f"redis://127.0.0.1:{closed_port()}/0"),
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_is_ready_when_database_cache_and_broker_answer(client):
    response = client.get("/readyz", HTTP_AUTHORIZATION=OPS)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readiness_names_an_unreachable_cache_and_answers_503(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": redis_cache(f"redis://127.0.0.1:{closed_port()}/0"),
    }
    response = client.get("/readyz", HTTP_AUTHORIZATION=OPS)
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["cache"]
    assert "Connection" in body["checks"]["cache"]["error"]


@pytest.fixture
def unreachable_broker():
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    yield
    celery_app.conf.broker_url = original


def test_readiness_names_an_unreachable_broker_and_answers_503(client, unreachable_broker):
    response = client.get("/readyz", HTTP_AUTHORIZATION=OPS)
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False


def test_readiness_reports_when_reconciliation_and_feed_polling_last_succeeded(client):
    DestinationFactory(reconciled_at=datetime(2025, 7, 16, 9, 0, tzinfo=UTC))
    DestinationFactory(reconciled_at=datetime(2025, 7, 16, 9, 5, tzinfo=UTC))
    SourceFactory(last_success_at=datetime(2025, 7, 16, 8, 0, tzinfo=UTC))
    body = client.get("/readyz", HTTP_AUTHORIZATION=OPS).json()
    assert body["last_success"]["reconciliation"]["at"] == "2025-07-16T09:05:00+00:00"
    assert body["last_success"]["feed_poll"]["at"] == "2025-07-16T08:00:00+00:00"


def test_readiness_flags_a_reconciliation_three_intervals_overdue(client, settings):
    settings.RECONCILE_INTERVAL = timedelta(minutes=5)
    DestinationFactory(reconciled_at=datetime(2025, 7, 16, 9, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2025, 7, 16, 9, 14, tzinfo=UTC), tick=False):
        fresh = client.get("/readyz", HTTP_AUTHORIZATION=OPS).json()["last_success"][
            "reconciliation"
        ]
    with time_machine.travel(datetime(2025, 7, 16, 9, 16, tzinfo=UTC), tick=False):
        stale = client.get("/readyz", HTTP_AUTHORIZATION=OPS).json()["last_success"][
            "reconciliation"
        ]
    assert fresh["overdue"] is False
    assert stale["overdue"] is True


def test_readiness_is_never_cached(client):
    response = client.get("/readyz")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_probes_and_scrapes_by_ip_over_plain_http_are_answered(client, settings):
    settings.ALLOWED_HOSTS = ["portcullis.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/metrics", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_anonymous_readiness_says_pass_or_fail_per_part_and_nothing_else(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": redis_cache(f"redis://127.0.0.1:{closed_port()}/0"),
    }
    SourceFactory(last_success_at=datetime(2025, 7, 16, 8, 0, tzinfo=UTC))

    body = client.get("/readyz").json()

    assert body == {
        "status": "unavailable",
        "failing": ["cache"],
        "checks": {"database": "ok", "cache": "failing", "broker": "ok"},
    }


def test_a_wrong_token_gets_no_details_either(client):
    body = client.get("/readyz", HTTP_AUTHORIZATION="Bearer guess").json()
    assert set(body["checks"].values()) == {"ok"} and "last_success" not in body


def test_a_flood_of_readiness_probes_runs_the_checks_once_a_second(client, settings, monkeypatch):
    settings.OPS_PROBE_MIN_INTERVAL_SECONDS = 60.0  # the whole flood falls inside one interval
    runs = []
    original = health.run_checks
    monkeypatch.setattr(health, "run_checks", lambda: runs.append(1) or original())
    monkeypatch.setattr(health, "_recent", None)

    for _ in range(20):
        assert client.get("/readyz").status_code == 200

    assert len(runs) == 1
