"""What each answer of the receiver does to a delivery: retries, refusals, the endpoint's health."""

from __future__ import annotations

import shutil
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook

from tests.advisories.smtp_sink import free_port
from tests.factories import StatusChangeFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Reply, spec_verifies
from tests.webhooks.tls import TlsReceiver
from webhooks.fanout import change_fan_out
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.registration import endpoint_rotate_secret
from webhooks.sending import deliveries_send
from webhooks.sweep import webhooks_sweep

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpointFactory(url=receiver.url())


def fan_out(destination, recorded_at=NOW):
    change = StatusChangeFactory(
        destination=destination, recorded_at=recorded_at, alters_current=True
    )
    change_fan_out(change_id=change.pk, now=recorded_at)
    return change


def delivery():
    return WebhookDelivery.objects.get()


def test_a_500_is_retried_after_a_backoff_then_delivered_once(places, receiver, endpoint):
    receiver.answer(Reply(500, body=b"database down"))
    fan_out(places["zone"])

    first = deliveries_send(now=NOW)
    retry_at = delivery().next_attempt_at
    early = deliveries_send(now=retry_at - timedelta(seconds=1))
    second = deliveries_send(now=retry_at)

    assert (first.retried, early.claimed, second.delivered) == (1, 0, 1)
    assert NOW + timedelta(seconds=15) <= retry_at <= NOW + timedelta(seconds=31)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert delivery().state == DeliveryState.DELIVERED


def test_a_timeout_is_retried(places, receiver, endpoint, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.answer(Reply(200, delay=1.0))
    fan_out(places["zone"])

    report = deliveries_send(now=NOW)

    assert report.retried == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "Timed out" in attempt.error
    assert delivery().state == DeliveryState.PENDING and delivery().next_attempt_at > NOW


@pytest.fixture
def hung_url():
    """An endpoint that takes the connection and never answers: a listening socket nobody
    accepts from (the kernel completes the handshake; the request waits in its buffer)."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"


def test_a_hung_endpoint_costs_one_timeout_per_batch_and_never_delays_the_others(
    places, receiver, endpoint, hung_url, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    hung = WebhookEndpointFactory(url=hung_url)
    for hours in range(3):
        fan_out(places["zone"], recorded_at=NOW - timedelta(hours=hours))

    report = deliveries_send(now=NOW)

    assert (report.delivered, report.retried, report.deferred) == (3, 1, 2)
    assert len(receiver.requests) == 3
    assert WebhookAttempt.objects.filter(endpoint=hung).count() == 1
    waiting = WebhookDelivery.objects.filter(endpoint=hung)
    assert {d.state for d in waiting} == {DeliveryState.PENDING}
    assert len({d.next_attempt_at for d in waiting}) == 1  # all due when the retry is
    assert sorted(d.attempts for d in waiting) == [0, 0, 1]  # the untried count no attempt


def test_a_refused_connection_is_retried(places, receiver, settings):
    WebhookEndpointFactory(url=f"http://127.0.0.1:{free_port()}/hook")  # nothing listens there
    fan_out(places["zone"])

    report = deliveries_send(now=NOW)

    assert report.retried == 1
    assert "Could not fetch" in WebhookAttempt.objects.get().error


def test_a_400_is_not_retried(places, receiver, endpoint):
    receiver.answer(Reply(400, body=b'{"error": "unknown field"}'))
    fan_out(places["zone"])

    report = deliveries_send(now=NOW)
    webhooks_sweep(now=NOW + timedelta(days=2))

    assert report.failed == 1
    assert len(receiver.requests) == 1
    assert delivery().state == DeliveryState.FAILED
    assert delivery().last_error == "HTTP 400: not retried"


def test_a_429_is_retried_when_its_retry_after_seconds_say(places, receiver, endpoint):
    receiver.answer(Reply(429, headers={"Retry-After": "120"}))
    fan_out(places["zone"])

    deliveries_send(now=NOW)

    wait = delivery().next_attempt_at - NOW
    assert timedelta(seconds=120) <= wait < timedelta(seconds=121)


def test_a_408_with_a_retry_after_date_is_retried_at_that_date(places, receiver, endpoint):
    receiver.answer(
        Reply(
            408, headers={"Retry-After": format_datetime(NOW + timedelta(minutes=7), usegmt=True)}
        )
    )
    fan_out(places["zone"])

    deliveries_send(now=NOW)

    assert delivery().next_attempt_at == NOW + timedelta(minutes=7)


def test_a_retry_after_further_than_the_cap_waits_only_the_cap(
    places, receiver, endpoint, settings
):
    receiver.answer(Reply(429, headers={"Retry-After": "999999"}))
    fan_out(places["zone"])

    deliveries_send(now=NOW)

    wait = delivery().next_attempt_at - NOW
    assert (
        settings.WEBHOOK_RETRY_AFTER_MAX
        <= wait
        < settings.WEBHOOK_RETRY_AFTER_MAX + timedelta(seconds=1)
    )


def test_a_redirect_is_not_followed_and_is_retried(places, receiver, endpoint):
    receiver.answer(Reply(302, headers={"Location": receiver.url("/elsewhere")}))
    fan_out(places["zone"])

    report = deliveries_send(now=NOW)

    assert report.retried == 1
    assert [r.path for r in receiver.requests] == ["/hook"]
    assert "redirects are not followed" in delivery().last_error


def test_retries_go_on_for_at_least_a_day_then_the_delivery_fails(
    places, receiver, endpoint, settings
):
    receiver.default = Reply(503)
    fan_out(places["zone"])
    at = NOW
    attempts = 0
    while delivery().state == DeliveryState.PENDING and attempts < 200:
        at = delivery().next_attempt_at
        deliveries_send(now=at)
        attempts += 1

    assert delivery().state == DeliveryState.FAILED
    assert at - NOW >= timedelta(hours=24)
    assert at - NOW == settings.WEBHOOK_RETRY_FOR
    assert delivery().last_error.startswith(f"gave up after {attempts} attempts")


# --- refusals at send time -----------------------------------------------------------------------


def test_a_loopback_endpoint_is_refused_at_send_when_its_network_is_not_allowed(
    places, receiver, endpoint, settings
):
    fan_out(places["zone"])
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    report = deliveries_send(now=NOW)

    assert report.failed == 1
    assert receiver.requests == []
    assert WebhookAttempt.objects.get().error.startswith("Refused: 127.0.0.1 resolves to")


def test_an_http_endpoint_is_refused_at_send_once_https_is_required(
    places, receiver, endpoint, settings
):
    fan_out(places["zone"])
    settings.WEBHOOKS_REQUIRE_HTTPS = True

    deliveries_send(now=NOW)

    assert receiver.requests == []
    assert "must use https" in delivery().last_error


# --- signing secrets ------------------------------------------------------------------------------


def test_during_the_overlap_both_secrets_sign_and_after_it_only_the_new_one(
    places, receiver, endpoint, settings
):
    old = endpoint.secret
    rotated = endpoint_rotate_secret(endpoint=endpoint, now=NOW)
    fan_out(places["zone"])
    fan_out(places["rason"], recorded_at=NOW + settings.WEBHOOK_SECRET_OVERLAP)

    deliveries_send(now=NOW + timedelta(hours=1))
    deliveries_send(now=NOW + settings.WEBHOOK_SECRET_OVERLAP)

    during, after = receiver.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert spec_verifies(old, during) and spec_verifies(rotated.secret, during)
    assert after.headers["webhook-signature"].count("v1,") == 1
    assert spec_verifies(rotated.secret, after) and not spec_verifies(old, after)


def test_the_reference_library_verifies_with_either_secret_during_the_overlap(
    places, receiver, endpoint
):
    old = endpoint.secret
    with time_machine.travel(NOW, tick=False):
        rotated = endpoint_rotate_secret(endpoint=endpoint, now=NOW)
        fan_out(places["zone"])
        deliveries_send(now=NOW)
        sent = receiver.requests[0]
        for secret in (old, rotated.secret):
            assert Webhook(secret).verify(sent.body, sent.headers)["type"] == "status.changed"


# --- an endpoint that keeps failing ---------------------------------------------------------------


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_owner_mailed_once(
    places, receiver, endpoint, smtp, settings
):
    receiver.default = Reply(500)
    fan_out(places["zone"])
    deliveries_send(now=NOW)
    assert WebhookEndpoint.objects.get().failing_since == NOW

    fan_out(places["rason"], recorded_at=NOW + timedelta(days=2))
    webhooks_sweep(now=NOW + timedelta(days=2))
    assert WebhookEndpoint.objects.get().is_active

    later = NOW + settings.WEBHOOK_DISABLE_AFTER
    webhooks_sweep(now=later)
    webhooks_sweep(now=later + timedelta(hours=1))
    webhooks_sweep(now=later + timedelta(days=1))

    disabled = WebhookEndpoint.objects.get()
    assert not disabled.is_active and disabled.disabled_at == later
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == endpoint.owner.email
    assert endpoint.url in mail.get_content()
    assert disabled.disabled_notice_sent_at == later


def test_the_owner_is_mailed_by_the_sweep_when_the_mail_server_was_down(
    places, receiver, endpoint, smtp, settings
):
    receiver.default = Reply(500)
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the mail server is down when the endpoint is disabled
    fan_out(places["zone"])
    deliveries_send(now=NOW)
    later = NOW + settings.WEBHOOK_DISABLE_AFTER
    fan_out(places["rason"], recorded_at=later)
    deliveries_send(now=later)
    assert not WebhookEndpoint.objects.get().is_active and smtp.messages == []

    settings.EMAIL_PORT = real_port
    webhooks_sweep(now=later + timedelta(minutes=1))
    webhooks_sweep(now=later + timedelta(minutes=2))

    assert len(smtp.messages) == 1


def test_a_success_ends_the_failing_streak(places, receiver, endpoint, settings):
    receiver.answer(Reply(500))
    fan_out(places["zone"])
    deliveries_send(now=NOW)
    deliveries_send(now=delivery().next_attempt_at)
    assert WebhookEndpoint.objects.get().failing_since is None

    receiver.answer(Reply(500))
    fan_out(places["rason"], recorded_at=NOW + settings.WEBHOOK_DISABLE_AFTER)
    deliveries_send(now=NOW + settings.WEBHOOK_DISABLE_AFTER)

    assert WebhookEndpoint.objects.get().is_active


def test_every_attempt_is_recorded_with_status_latency_and_an_escaped_excerpt(
    places, receiver, endpoint
):
    receiver.answer(Reply(503, body=b"<b>busy</b>\x00\x1b[31m" + b"x" * 5000))
    fan_out(places["zone"])

    deliveries_send(now=NOW)

    attempt = WebhookAttempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.outcome) == (1, 503, "retry")
    assert attempt.latency_ms >= 0
    assert attempt.response_excerpt.startswith("<b>busy</b>\\x00\\x1b[31m")
    assert len(attempt.response_excerpt.encode()) <= 1024


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_an_https_endpoint_whose_certificate_does_not_verify_is_not_sent_to(
    places, tmp_path, settings
):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    tls = TlsReceiver(tmp_path).start()
    try:
        WebhookEndpointFactory(url=tls.url())
        fan_out(places["zone"])

        report = deliveries_send(now=NOW)
    finally:
        tls.stop()

    assert report.retried == 1
    assert "CERTIFICATE_VERIFY_FAILED" in WebhookAttempt.objects.get().error
    assert tls.requests == []
