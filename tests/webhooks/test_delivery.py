"""Fan-out, signing and sending, against a real HTTP receiver on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from standardwebhooks.webhooks import Webhook

from advisories import handoffs
from advisories.models import Delivery
from config.celery import app as celery_app
from publishing.api.serializers import ChangeSerializer
from tests.factories import StatusChangeFactory, SubscriptionFactory, WebhookEndpointFactory
from tests.webhooks.receiver import spec_verifies
from webhooks.fanout import change_fan_out
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookFanOut
from webhooks.sending import deliveries_send
from webhooks.sweep import webhooks_sweep
from webhooks.tasks import fan_out_change

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


def published_change(destination, **extra):
    fields = {
        "destination": destination,
        "status": "suspended",
        "previous_status": "restricted",
        "effective_at": NOW - timedelta(days=1),
        "recorded_at": NOW,
        "alters_current": True,
        **extra,
    }
    return StatusChangeFactory(**fields)


def endpoint_at(receiver, path="/hook", **extra):
    return WebhookEndpointFactory(url=receiver.url(path), **extra)


def delivery():
    return WebhookDelivery.objects.get()


# --- which changes, to whom ----------------------------------------------------------------------


def test_fan_out_follows_scope_children_country_and_audience(places, receiver):
    zone = places["zone"]
    reached = {
        endpoint_at(receiver, "/all").pk,
        endpoint_at(receiver, "/zone", scope="destination", destination=zone).pk,
        endpoint_at(receiver, "/region", scope="destination", destination=places["region"]).pk,
        endpoint_at(receiver, "/kp", scope="country", country_code="KP").pk,
        endpoint_at(receiver, "/foreign", audience="foreign").pk,
    }
    endpoint_at(
        receiver,
        "/region-only",
        scope="destination",
        destination=places["region"],
        include_children=False,
    )
    endpoint_at(receiver, "/rason", scope="destination", destination=places["rason"])
    endpoint_at(receiver, "/ru", scope="country", country_code="RU")
    endpoint_at(receiver, "/domestic", audience="domestic")
    endpoint_at(receiver, "/off", is_active=False)

    result = change_fan_out(change_id=published_change(zone).pk, now=NOW)

    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == reached
    assert result.created == len(reached)


def test_back_filled_history_is_not_sent(places, receiver):
    endpoint_at(receiver)
    history = published_change(places["zone"], alters_current=False)

    change_fan_out(change_id=history.pk, now=NOW)
    webhooks_sweep(now=NOW)

    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_a_change_corrected_before_fan_out_is_not_sent(places, receiver):
    endpoint_at(receiver)
    wrong = published_change(places["zone"])
    published_change(places["zone"], supersedes=wrong, alters_current=False)

    result = change_fan_out(change_id=wrong.pk, now=NOW)

    assert result.note == "superseded before fan-out"
    assert not WebhookDelivery.objects.exists()


def test_fan_out_run_twice_creates_one_delivery_per_endpoint_and_marks_the_change(places, receiver):
    for path in ("/a", "/b", "/c"):
        endpoint_at(receiver, path)
    change = published_change(places["zone"])

    first = change_fan_out(change_id=change.pk, now=NOW)
    second = change_fan_out(change_id=change.pk, now=NOW)
    WebhookFanOut.objects.all().delete()  # even without the mark, the unique rows hold
    third = change_fan_out(change_id=change.pk, now=NOW)

    assert (first.created, second.created, third.created) == (3, 0, 0)
    assert WebhookDelivery.objects.count() == 3


def test_the_database_refuses_a_second_delivery_of_a_change_to_an_endpoint(places, receiver):
    endpoint = endpoint_at(receiver)
    change = published_change(places["zone"])
    WebhookDelivery.objects.create(change=change, endpoint=endpoint)

    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(change=change, endpoint=endpoint)


# --- what is sent --------------------------------------------------------------------------------


def test_a_delivery_verifies_with_the_reference_library_and_the_spec_algorithm(places, receiver):
    endpoint = endpoint_at(receiver)
    change_fan_out(change_id=published_change(places["zone"]).pk, now=NOW)

    deliveries_send()  # now: the library refuses timestamps more than five minutes off

    sent = receiver.requests[0]
    assert Webhook(endpoint.secret).verify(sent.body, sent.headers)["type"] == "status.changed"
    assert spec_verifies(endpoint.secret, sent)
    assert sent.headers["webhook-id"] == f"msg_{delivery().pk}"
    assert sent.headers["content-type"] == "application/json"


def test_a_tampered_body_does_not_verify(places, receiver):
    endpoint = endpoint_at(receiver)
    change_fan_out(change_id=published_change(places["zone"]).pk, now=NOW)
    deliveries_send()

    sent = receiver.requests[0]
    forged = sent.body.replace(b"suspended", b"open")

    assert not spec_verifies(endpoint.secret, type(sent)("POST", "/", sent.headers, forged))


def test_the_body_is_the_changes_api_object_with_links_in_the_standard_envelope(
    places, receiver, settings
):
    settings.SITE_URL = "https://portcullis.example.org"
    endpoint_at(receiver)
    change = published_change(places["zone"])
    change_fan_out(change_id=change.pk, now=NOW)

    deliveries_send(now=NOW)

    event = json.loads(receiver.requests[0].body)
    assert event["type"] == "status.changed"
    assert event["timestamp"] == "2025-07-16T12:00:00Z"
    links = event["data"].pop("links")
    assert event["data"] == json.loads(json.dumps(ChangeSerializer(change).data))
    assert links == {
        "destination_api": "https://portcullis.example.org/api/v1/destinations/wonsan-kalma/",
        "history_api": "https://portcullis.example.org/api/v1/destinations/wonsan-kalma/history/",
        "destination_page": "https://portcullis.example.org/destinations/wonsan-kalma/",
    }


# --- exactly once --------------------------------------------------------------------------------


def test_duplicated_fan_out_and_send_deliver_each_change_once_per_endpoint(places, receiver):
    for path in ("/a", "/b"):
        endpoint_at(receiver, path)
    change = published_change(places["zone"])

    for _ in range(2):
        change_fan_out(change_id=change.pk, now=NOW)
        deliveries_send(now=NOW)
        webhooks_sweep(now=NOW + timedelta(minutes=10))

    assert sorted(r.path for r in receiver.requests) == ["/a", "/b"]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_the_fan_out_task_delivers_once_its_transaction_commits(
    places, receiver, django_capture_on_commit_callbacks
):
    endpoint_at(receiver)
    change = published_change(places["zone"])

    with django_capture_on_commit_callbacks(execute=True):
        fan_out_change.delay(change.pk)
        fan_out_change.delay(change.pk)

    assert len(receiver.requests) == 1


def test_a_recorded_change_reaches_the_webhook_receiver_beside_the_alert_emails(
    places, receiver, smtp, django_capture_on_commit_callbacks
):
    SubscriptionFactory(email="reader@example.org")
    endpoint_at(receiver)
    change = published_change(places["zone"])

    with django_capture_on_commit_callbacks(execute=True):
        handoffs.change_recorded.open_after_commit(change.pk)  # as reconciliation does

    assert len(receiver.requests) == 1
    assert Delivery.objects.filter(change=change).count() == 1
    assert len(smtp.to("reader@example.org")) == 1


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except-clause catches it."""


def test_a_killed_worker_resends_only_the_one_in_flight_with_the_same_webhook_id(
    places, receiver, settings, monkeypatch
):
    for path in ("/a", "/b", "/c"):
        endpoint_at(receiver, path)
    change_fan_out(change_id=published_change(places["zone"]).pk, now=NOW)
    real = WebhookAttempt.objects.create
    calls = {"n": 0}

    def dies_on_the_second(**fields):  # the receiver has answered; the worker dies before marking
        calls["n"] += 1
        if calls["n"] == 2:
            raise WorkerKilled
        return real(**fields)

    monkeypatch.setattr(WebhookAttempt.objects, "create", dies_on_the_second)
    with pytest.raises(WorkerKilled):
        deliveries_send(now=NOW)
    monkeypatch.undo()
    assert sorted(WebhookDelivery.objects.values_list("state", flat=True)) == [
        "delivered",
        "sending",
        "sending",
    ]

    assert deliveries_send(now=NOW + settings.WEBHOOK_LEASE / 2).claimed == 0
    resumed = webhooks_sweep(now=NOW + settings.WEBHOOK_LEASE + timedelta(seconds=1))

    assert resumed.send.delivered == 2
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 4 and len(set(ids)) == 3  # one duplicate, the one in flight
    duplicate = next(i for i in ids if ids.count(i) == 2)
    assert duplicate == ids[1]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_the_sweep_fans_out_a_change_whose_message_was_lost_and_sends_it(places, receiver):
    endpoint_at(receiver)
    published_change(places["zone"])

    report = webhooks_sweep(now=NOW)

    assert (report.fanned_out, report.send.delivered) == (1, 1)
    assert len(receiver.requests) == 1


def test_the_sweep_leaves_changes_older_than_its_lookback(places, receiver, settings):
    endpoint_at(receiver)
    published_change(
        places["zone"], recorded_at=NOW - settings.WEBHOOK_FANOUT_LOOKBACK - timedelta(hours=1)
    )

    assert webhooks_sweep(now=NOW).fanned_out == 0
    assert receiver.requests == []


def test_beat_schedules_the_webhooks_sweep_as_a_registered_task(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "webhooks.tasks.sweep" in scheduled
    assert {"webhooks.tasks.sweep", "webhooks.tasks.fan_out_change"} <= set(celery_app.tasks)


def test_a_disabled_endpoint_is_skipped_not_sent(places, receiver):
    endpoint = endpoint_at(receiver)
    change_fan_out(change_id=published_change(places["zone"]).pk, now=NOW)
    endpoint.is_active = False
    endpoint.save()

    assert deliveries_send(now=NOW).skipped == 1
    assert receiver.requests == []
    assert delivery().state == DeliveryState.SKIPPED
