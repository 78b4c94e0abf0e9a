"""Fault: Redis (cache and broker) unreachable.

Pages and the read API keep answering from the database, the ingest API keeps storing notices,
and once Redis is back the next beat run extracts, reconciles and alerts everything that piled
up. Redis here is a private server on its own port; the machine's shared Redis is never touched.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token

from advisories.alerts.tasks import alerts_sweep
from advisories.extraction.tasks import extraction_sweep
from advisories.models import Delivery, Notice, NoticeState, SourceKind, Subscription
from advisories.reconciliation.tasks import reconcile
from config.celery import app as celery_app
from destinations.models import StatusChange
from tests.factories import (
    AliasFactory,
    DestinationFactory,
    SourceFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.ops.servers import PrivateRedis, redis_cache, use_broker
from tests.ops.smtp import SmtpSink

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db]


def notice(source) -> dict:
    """An official notice of a suspension published an hour ago (recent: it alerts)."""
    return {
        "source": source.slug,
        "url": "https://tourism.example.org/notices/1",
        "title": "Notice to foreign travellers",
        "body": "The Wonsan-Kalma Coastal Tourist Zone is temporarily not receiving foreign "
        "tourists.",
        "published_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }


@pytest.fixture
def redis_server():
    server = PrivateRedis()
    server.start()
    yield server
    if server.process is not None:
        server.stop()


@pytest.fixture
def on_private_redis(redis_server, settings):
    """Cache and broker on the private server, as production has them on one Redis."""
    settings.CACHES = {**settings.CACHES, "default": redis_cache(redis_server.url)}
    original = celery_app.conf.broker_url
    use_broker(redis_server.url)
    yield redis_server
    use_broker(original)


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    yield sink
    sink.stop()


@pytest.fixture
def world():
    resort = DestinationFactory(name="Wonsan-Kalma Coastal Tourist Zone", slug="wonsan-kalma")
    AliasFactory(destination=resort, name="Wonsan-Kalma")
    source = SourceFactory(slug="tourism-admin", kind=SourceKind.OFFICIAL, authority=100)
    token = Token.objects.create(user=UserFactory(is_superuser=True, is_staff=True)).key
    reader = SubscriptionFactory(confirmed_at=datetime(2025, 7, 1, tzinfo=UTC))
    return resort, source, token, reader


def test_with_redis_down_pages_and_api_answer_ingest_stores_and_the_next_beat_alerts(
    client, on_private_redis, smtp, world, django_capture_on_commit_callbacks
):
    resort, source, token, reader = world
    pages = [
        "/",
        f"/destinations/{resort.slug}/",
        "/api/v1/destinations/",
        f"/api/v1/destinations/{resort.slug}/",
    ]
    for page in pages:  # warm the cache while Redis is up
        assert client.get(page).status_code == 200

    on_private_redis.stop()

    for page in pages:
        assert client.get(page).status_code == 200, page
    celery_app.conf.task_always_eager = False  # enqueueing the extraction must reach the broker
    try:
        with django_capture_on_commit_callbacks(execute=True) as enqueued:
            response = client.post(
                "/api/v1/notices/",
                notice(source),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
            )
    finally:
        celery_app.conf.task_always_eager = True
    assert response.status_code == 202, response.content
    assert enqueued, "ingest should have tried to enqueue the extraction"
    assert Notice.objects.get().state == NoticeState.PENDING

    on_private_redis.start()  # a restarted Redis: empty, nothing queued survived
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        for beat_task in (extraction_sweep, reconcile, alerts_sweep):  # each commits in turn
            with django_capture_on_commit_callbacks(execute=True):
                beat_task.apply()

    change = StatusChange.objects.get(destination=resort)
    assert change.status == "suspended"
    assert Delivery.objects.filter(change=change, state="sent").count() == 1
    assert smtp.per_recipient() == {reader.email: 1}
    detail = client.get(f"/api/v1/destinations/{resort.slug}/").json()
    assert "suspended" in {s["status"] for s in detail["statuses"]}


def test_a_change_whose_alert_could_not_be_enqueued_is_alerted_by_the_next_sweep(
    on_private_redis, smtp, world, client, django_capture_on_commit_callbacks
):
    _, source, token, reader = world
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/notices/",
            notice(source),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    assert response.status_code == 202
    # Reconcile while Redis answers (its overlap lock is a cache key: with the cache down a run is
    # skipped, and the next beat run does the work), then lose Redis before the commit's hand-off.
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        summary = reconcile.apply().get()
    assert summary["changes"] >= 1
    assert on_commit, "reconciliation should hand the fan-out over on commit"
    on_private_redis.stop()
    celery_app.conf.task_always_eager = False  # enqueueing must really reach for the broker
    try:
        for callback in on_commit:  # as the commit would: a failed enqueue is logged, not raised
            callback()
    finally:
        celery_app.conf.task_always_eager = True
    assert smtp.per_recipient() == {}

    on_private_redis.start()
    alerts_sweep.apply()
    alerts_sweep.apply()  # a second beat run sends nothing more

    assert smtp.per_recipient() == {reader.email: 1}


@pytest.mark.django_db(transaction=True)
def test_subscribing_while_redis_is_down_is_answered_and_stored(client, on_private_redis, smtp):
    """A transactional test: the confirmation is enqueued on commit inside the request, as live."""
    on_private_redis.stop()
    celery_app.conf.task_always_eager = False  # the confirmation mail goes through the broker
    try:
        response = client.post(
            "/api/v1/subscriptions/",
            {"email": "traveller@example.org", "scope": "all"},
            content_type="application/json",
        )
    finally:
        celery_app.conf.task_always_eager = True
    assert response.status_code < 500, response.content
    assert Subscription.objects.filter(email="traveller@example.org").exists()
