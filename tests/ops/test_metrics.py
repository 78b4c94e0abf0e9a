"""The Prometheus endpoint: request metrics, database-backed gauges, task counters."""

from datetime import UTC, datetime

import pytest
from django.core import checks
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from advisories.models import Delivery, NoticeState, ReviewState
from config.celery import app as celery_app
from config.doctor import deploy_check_problems
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    StatusChangeFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


@celery_app.task(name="tests.ops.succeed")
def succeed():
    return None


@celery_app.task(name="tests.ops.fail")
def fail():
    raise RuntimeError("boom")


def _samples(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_count_notices_by_state_and_claims_waiting_for_review(client):
    NoticeFactory.create_batch(2, state=NoticeState.EXTRACTED)
    NoticeFactory(state=NoticeState.FAILED)
    ClaimFactory.create_batch(3, review_state=ReviewState.NEEDS_REVIEW)
    ClaimFactory(review_state=ReviewState.AUTO)

    samples = _samples(client)

    # The claims' own notices are pending.
    assert samples[("portcullis_notices", (("state", "extracted"),))] == 2
    assert samples[("portcullis_notices", (("state", "failed"),))] == 1
    assert samples[("portcullis_notices", (("state", "pending"),))] == 4
    assert samples[("portcullis_claims_pending_review", ())] == 3
    assert samples[("portcullis_database_up", ())] == 1


def test_metrics_count_deliveries_by_state(client):
    change = StatusChangeFactory()
    for state in ("pending", "pending", "sent", "failed"):
        Delivery.objects.create(change=change, subscription=SubscriptionFactory(), state=state)

    samples = _samples(client)

    assert samples[("portcullis_deliveries", (("state", "pending"),))] == 2
    assert samples[("portcullis_deliveries", (("state", "sent"),))] == 1
    assert samples[("portcullis_deliveries", (("state", "failed"),))] == 1
    assert samples[("portcullis_deliveries", (("state", "sending"),))] == 0


def test_metrics_report_the_last_reconciliation_time(client):
    DestinationFactory(reconciled_at=datetime(2025, 7, 16, 9, 0, tzinfo=UTC))
    samples = _samples(client)
    key = ("portcullis_last_success_timestamp_seconds", (("job", "reconcile"),))
    assert samples[key] == datetime(2025, 7, 16, 9, 0, tzinfo=UTC).timestamp()


def test_metrics_include_request_counts_from_django_prometheus(client):
    client.get("/api/v1/sources/")
    samples = _samples(client)
    assert any(name.startswith("django_http_requests_total") for name, _ in samples)


def test_task_runs_and_failures_are_counted_per_task(client):
    def count(task, outcome):
        key = ("portcullis_task_runs_total", (("outcome", outcome), ("task", task)))
        return _samples(client).get(key, 0)

    before_ok, before_failed = (
        count("tests.ops.succeed", "success"),
        count("tests.ops.fail", "failure"),
    )
    succeed.apply()
    fail.apply(throw=False)
    assert count("tests.ops.succeed", "success") == before_ok + 1
    assert count("tests.ops.fail", "failure") == before_failed + 1


def test_metrics_need_the_bearer_token_from_outside_the_allowed_networks(settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    outsider = Client(REMOTE_ADDR="203.0.113.50")
    assert outsider.get("/metrics").status_code == 401
    assert outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    _samples(outsider, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")


def test_metrics_are_closed_to_outsiders_even_with_no_token_configured(settings):
    settings.METRICS_TOKEN = ""
    outsider = Client(REMOTE_ADDR="203.0.113.50")
    assert outsider.get("/metrics").status_code == 401
    assert outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    # A forwarded address is a claim, not the connection's peer.
    assert outsider.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 401


def test_a_scraper_on_an_allowed_network_needs_no_token(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200


def test_public_metrics_are_open_and_the_deploy_check_and_doctor_warn(settings):
    settings.METRICS_PUBLIC = True
    assert Client(REMOTE_ADDR="203.0.113.50").get("/metrics").status_code == 200

    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "portcullis.W001" in ids
    assert any("/metrics is public" in p.message for p in deploy_check_problems())


def test_closed_metrics_raise_no_deploy_warning(settings):
    settings.METRICS_PUBLIC = False
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "portcullis.W001" not in ids


def test_a_flood_of_scrapes_reads_the_database_once_a_second(
    client, settings, django_assert_num_queries
):
    settings.OPS_PROBE_MIN_INTERVAL_SECONDS = 60.0  # the whole flood falls inside one interval
    client.get("/metrics")
    with django_assert_num_queries(0):
        for _ in range(10):
            assert client.get("/metrics").status_code == 200
