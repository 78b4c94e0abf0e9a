"""Fan-out, sending and digests, against a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.db import connections
from django.test import Client

from advisories.alerts import messages
from advisories.alerts.digests import digests_send
from advisories.alerts.fanout import change_fan_out
from advisories.alerts.sending import deliveries_drain, deliveries_send
from advisories.alerts.sweep import alerts_sweep
from advisories.alerts.tasks import fan_out_change
from advisories.models import Delivery, DeliveryKind, DeliveryState, FanOut
from destinations.models import Destination, DestinationKind, Status
from tests.advisories.smtp_sink import free_port
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    StatusChangeFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def places():
    """North Korea > Kangwon (region) > Wonsan-Kalma (zone), and Rason beside it."""
    country = Destination.objects.get(kind="country", country_code="KP")
    region = DestinationFactory(
        name="Kangwon", slug="kangwon", kind=DestinationKind.REGION, parent=country
    )
    zone = DestinationFactory(
        name="Wonsan-Kalma", slug="wonsan-kalma", kind=DestinationKind.ZONE, parent=region
    )
    rason = DestinationFactory(
        name="Rason", slug="rason", kind=DestinationKind.ZONE, parent=country
    )
    return {"country": country, "region": region, "zone": zone, "rason": rason}


def alerting_change(destination, **extra):
    fields = {
        "destination": destination,
        "status": Status.SUSPENDED,
        "previous_status": Status.RESTRICTED,
        "effective_at": NOW - timedelta(days=1),
        "recorded_at": NOW,
        "alters_current": True,
        "summary": f"{destination.name} is temporarily not receiving foreign tourists.",
        **extra,
    }
    return StatusChangeFactory(**fields)


def send_all(now=NOW):
    """What the sweep does after a fan-out: send until nothing is due at ``now``."""
    return alerts_sweep(now=now).send


def test_fan_out_follows_every_scope(places):
    zone = places["zone"]
    expected = {
        SubscriptionFactory(email="all@example.org").email,
        SubscriptionFactory(email="zone@example.org", scope="destination", destination=zone).email,
        SubscriptionFactory(
            email="region-children@example.org",
            scope="destination",
            destination=places["region"],
            include_children=True,
        ).email,
        SubscriptionFactory(
            email="country-children@example.org",
            scope="destination",
            destination=places["country"],
            include_children=True,
        ).email,
        SubscriptionFactory(email="kp@example.org", scope="country", country_code="KP").email,
    }
    SubscriptionFactory(
        email="region-only@example.org",
        scope="destination",
        destination=places["region"],
        include_children=False,
    )
    SubscriptionFactory(email="rason@example.org", scope="destination", destination=places["rason"])
    SubscriptionFactory(email="ru@example.org", scope="country", country_code="RU")
    SubscriptionFactory(email="unconfirmed@example.org", confirmed_at=None)
    SubscriptionFactory(email="left@example.org", unsubscribed_at=NOW - timedelta(days=1))
    SubscriptionFactory(email="daily@example.org", frequency="daily")

    change = alerting_change(zone)
    result = change_fan_out(change_id=change.pk, now=NOW)

    reached = set(Delivery.objects.values_list("subscription__email", flat=True))
    assert reached == expected
    assert result.created == len(expected)


def test_back_filled_history_creates_no_delivery_and_sends_nothing(places, smtp):
    SubscriptionFactory()
    history = alerting_change(places["zone"], alters_current=False)

    change_fan_out(change_id=history.pk, now=NOW)
    send_all()

    assert not Delivery.objects.exists()
    assert not FanOut.objects.filter(change=history).exists()
    assert smtp.messages == []


def test_fan_out_run_twice_creates_one_delivery_per_subscriber_and_marks_the_change(places):
    SubscriptionFactory.create_batch(3)
    change = alerting_change(places["zone"])

    first = change_fan_out(change_id=change.pk, now=NOW)
    second = change_fan_out(change_id=change.pk, now=NOW)
    FanOut.objects.all().delete()  # even without the mark, the unique rows hold
    third = change_fan_out(change_id=change.pk, now=NOW)

    assert (first.created, second.created, third.created) == (3, 0, 0)
    assert Delivery.objects.count() == 3
    assert FanOut.objects.get(change=change).deliveries == 0


def test_a_change_corrected_before_fan_out_sends_nothing(places):
    SubscriptionFactory()
    wrong = alerting_change(places["zone"])
    alerting_change(places["zone"], supersedes=wrong, alters_current=False)

    result = change_fan_out(change_id=wrong.pk, now=NOW)

    assert result.created == 0
    assert FanOut.objects.get(change=wrong).note == "superseded before fan-out"


def test_sweep_fans_out_a_change_whose_message_was_lost_and_sends_it(places, smtp):
    SubscriptionFactory(email="reader@example.org")
    alerting_change(places["zone"])

    report = alerts_sweep(now=NOW + timedelta(minutes=1))

    assert report.fanned_out == 1
    assert len(smtp.to("reader@example.org")) == 1


def test_sweep_leaves_changes_older_than_its_lookback(places, smtp, settings):
    SubscriptionFactory()
    alerting_change(
        places["zone"], recorded_at=NOW - settings.ALERTS_FANOUT_LOOKBACK - timedelta(1)
    )

    assert alerts_sweep(now=NOW).fanned_out == 0
    assert smtp.messages == []


def test_duplicated_fan_out_and_send_deliver_each_email_exactly_once(places, smtp):
    readers = [s.email for s in SubscriptionFactory.create_batch(4)]
    change = alerting_change(places["zone"])

    for _ in range(2):
        change_fan_out(change_id=change.pk, now=NOW)
        deliveries_send(now=NOW)
        alerts_sweep(now=NOW + timedelta(minutes=10))

    assert sorted(m["To"] for m in smtp.messages) == sorted(readers)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_fan_out_task_sends_the_alerts_once_its_transaction_commits(
    places, smtp, django_capture_on_commit_callbacks
):
    SubscriptionFactory(email="reader@example.org")
    change = alerting_change(places["zone"])

    with django_capture_on_commit_callbacks(execute=True):
        fan_out_change.delay(change.pk)

    assert len(smtp.to("reader@example.org")) == 1


@pytest.mark.parametrize(("subscribers", "senders"), [(1, 1), (4, 2), (9, 3)])
def test_a_fan_out_starts_one_sender_per_batch_up_to_the_configured_number(
    places, settings, django_capture_on_commit_callbacks, subscribers, senders
):
    settings.ALERTS_BATCH_SIZE, settings.ALERTS_SENDERS = 2, 3
    SubscriptionFactory.create_batch(subscribers)
    change = alerting_change(places["zone"])

    with django_capture_on_commit_callbacks() as started:
        change_fan_out(change_id=change.pk, now=NOW)

    assert len(started) == senders


def test_a_batch_uses_one_smtp_connection(places, smtp):
    SubscriptionFactory.create_batch(5)
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    report = deliveries_send(now=NOW)

    assert report.sent == 5
    assert len(smtp.messages) == 5
    assert smtp.connections == 1


def test_alert_has_text_and_html_parts_with_the_change_its_evidence_and_links(places, smtp):
    subscription = SubscriptionFactory(email="reader@example.org")
    change = alerting_change(places["zone"])
    source = SourceFactory(name="National Tourism Administration", authority=100)
    notice = NoticeFactory(source=source, url="https://tourism.example.org/kalma")
    ClaimFactory(
        notice=notice,
        destination=places["zone"],
        sentence='The zone is "temporarily" not receiving <b>foreign</b> tourists.',
    ).changes.add(change)

    change_fan_out(change_id=change.pk, now=NOW)
    send_all()

    [message] = smtp.to("reader@example.org")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for expected in (
        "Wonsan-Kalma",
        "all foreign visitors",
        "Restricted -> Suspended",
        "15 July 2025",
        "temporarily not receiving foreign tourists.",
        '"The zone is "temporarily" not receiving <b>foreign</b> tourists."',
        "National Tourism Administration <https://tourism.example.org/kalma>",
        "http://localhost:8000/destinations/wonsan-kalma/",
        "/alerts/manage/",
        "/alerts/unsubscribe/",
    ):
        assert expected in text
    assert "&lt;b&gt;foreign&lt;/b&gt;" in html
    assert "<b>foreign</b>" not in html
    assert 'href="http://localhost:8000/destinations/wonsan-kalma/"' in html
    assert message["Subject"] == "Wonsan-Kalma: suspended for all foreign visitors"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire the link is a plain <https-or-http URL> (folded, never RFC 2047-encoded), as
    # mail clients parse it to offer their own unsubscribe button.
    raw_header = re.search(rb"List-Unsubscribe:((?:.*\r?\n[ \t].*)*|.*)", message.raw).group(1)
    assert re.sub(rb"\s+", b"", raw_header).startswith(
        b"<http://localhost:8000/alerts/unsubscribe/"
    )
    assert subscription.email == message["To"]


def test_the_list_unsubscribe_link_unsubscribes_with_one_post(places, smtp):
    subscription = SubscriptionFactory(email="reader@example.org")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    send_all()
    url = smtp.to("reader@example.org")[0]["List-Unsubscribe"].strip().strip("<>")

    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix("http://localhost:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None


def test_temporary_smtp_failure_is_retried_with_backoff_then_sent_once(places, smtp, settings):
    SubscriptionFactory(email="greylisted@example.org")
    SubscriptionFactory(email="fine@example.org")
    smtp.answer("greylisted@example.org", "451 4.7.1 Greylisted, try again later")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    first = deliveries_send(now=NOW)
    delivery = Delivery.objects.get(subscription__email="greylisted@example.org")
    assert (first.sent, first.retried) == (1, 1)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at == NOW + settings.ALERTS_RETRY_BASE
    assert "451" in delivery.last_error

    assert deliveries_send(now=NOW + settings.ALERTS_RETRY_BASE / 2).claimed == 0
    deliveries_send(now=NOW + settings.ALERTS_RETRY_BASE)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert len(smtp.to("greylisted@example.org")) == 1
    assert len(smtp.to("fine@example.org")) == 1


def test_backoff_doubles_with_each_temporary_failure(places, smtp, settings):
    SubscriptionFactory(email="busy@example.org")
    smtp.answer("busy@example.org", "452 4.2.2 Mailbox full", "452 4.2.2 Mailbox full")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    base = settings.ALERTS_RETRY_BASE

    deliveries_send(now=NOW)
    deliveries_send(now=NOW + base)

    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == NOW + base + 2 * base


def test_giving_up_after_the_last_attempt_records_a_failure(places, smtp, settings):
    settings.ALERTS_MAX_ATTEMPTS = 2
    SubscriptionFactory(email="busy@example.org")
    smtp.answer("busy@example.org", "451 later", "451 later")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    deliveries_send(now=NOW)
    deliveries_send(now=NOW + timedelta(hours=1))

    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("gave up after 2 attempts: 451")


def test_permanent_failure_is_recorded_with_its_reason_and_does_not_stop_the_batch(places, smtp):
    SubscriptionFactory(email="gone@example.org")
    SubscriptionFactory.create_batch(3)
    smtp.answer("gone@example.org", "550 5.1.1 No such user here")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    report = deliveries_send(now=NOW)
    later = deliveries_send(now=NOW + timedelta(days=1))

    failed = Delivery.objects.get(subscription__email="gone@example.org")
    assert (report.sent, report.failed, later.claimed) == (3, 1, 0)
    assert failed.state == DeliveryState.FAILED
    assert failed.last_error == "550 5.1.1 No such user here"
    assert smtp.to("gone@example.org") == []


def test_refusals_in_the_envelope_are_recorded_and_the_rest_sent_on_the_same_connection(
    places, smtp
):
    SubscriptionFactory(email="gone@example.org")
    SubscriptionFactory(email="greylisted@example.org")
    SubscriptionFactory.create_batch(2)
    smtp.answer("gone@example.org", "550 5.1.1 No such user here")
    smtp.answer("greylisted@example.org", "451 4.7.1 Greylisted")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    report = deliveries_send(now=NOW)

    assert (report.sent, report.failed, report.retried) == (2, 1, 1)
    assert Delivery.objects.get(subscription__email="gone@example.org").last_error.startswith("550")
    assert len(smtp.messages) == 2
    assert smtp.connections == 1


@pytest.mark.django_db(transaction=True)
def test_each_email_is_marked_sent_before_the_server_accepts_the_next(places, smtp):
    SubscriptionFactory.create_batch(4)
    marked_when_accepting = []

    def count_marked() -> None:  # runs in the server's thread, on a connection of its own
        try:
            marked = Delivery.objects.filter(state=DeliveryState.SENT).count()
            marked_when_accepting.append(marked)
        finally:
            connections.close_all()

    smtp.on_data = count_marked
    # Committed for real here, so the fan-out's send task runs as it would in a worker.
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    assert marked_when_accepting == [0, 1, 2, 3]
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 4
    assert deliveries_send(now=NOW).claimed == 0


def test_a_message_that_fails_to_build_counts_against_its_own_delivery(places, smtp, monkeypatch):
    for email in ("first@example.org", "broken@example.org", "third@example.org"):
        SubscriptionFactory(email=email)
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    build = messages.alert_message

    def build_or_fail(*, subscription, **kwargs):  # a fault injected into one reader's message
        if subscription.email == "broken@example.org":
            raise ValueError("template failed")
        return build(subscription=subscription, **kwargs)

    monkeypatch.setattr(messages, "alert_message", build_or_fail)
    report = deliveries_send(now=NOW)

    states = dict(Delivery.objects.values_list("subscription__email", "state"))
    assert (report.sent, report.retried) == (2, 1)
    assert states == {
        "first@example.org": DeliveryState.SENT,
        "broken@example.org": DeliveryState.PENDING,
        "third@example.org": DeliveryState.SENT,
    }
    assert sorted(m["To"] for m in smtp.messages) == ["first@example.org", "third@example.org"]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except-clause catches it."""


class DiesAfter(EmailBackend):
    """A real SMTP connection whose worker dies after handing over ``accepted`` messages."""

    def __init__(self, accepted: int, **kwargs):
        super().__init__(**kwargs)
        self.left = accepted

    def send_messages(self, email_messages):
        if self.left == 0:
            raise WorkerKilled
        self.left -= 1
        return super().send_messages(email_messages)


def test_batch_left_by_a_killed_worker_is_sent_after_the_lease_exactly_once(places, smtp, settings):
    readers = [s.email for s in SubscriptionFactory.create_batch(5)]
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)

    with pytest.raises(WorkerKilled):
        deliveries_send(now=NOW, connection=DiesAfter(2))
    states = sorted(Delivery.objects.values_list("state", flat=True))
    assert states == ["sending"] * 3 + ["sent"] * 2

    assert deliveries_send(now=NOW + settings.ALERTS_LEASE / 2).claimed == 0
    resumed = deliveries_send(now=NOW + settings.ALERTS_LEASE)

    assert resumed.sent == 3
    assert sorted(m["To"] for m in smtp.messages) == sorted(readers)


def test_sweep_resends_what_a_killed_worker_left_once_the_lease_is_over(places, smtp, settings):
    readers = [s.email for s in SubscriptionFactory.create_batch(3)]
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    with pytest.raises(WorkerKilled):
        deliveries_send(now=NOW, connection=DiesAfter(1))

    alerts_sweep(now=NOW + settings.ALERTS_LEASE + timedelta(seconds=1))

    assert sorted(m["To"] for m in smtp.messages) == sorted(readers)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_beat_schedules_the_sweep_and_the_digest_as_registered_tasks(settings):
    from config.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"advisories.tasks.alerts_sweep", "advisories.tasks.alerts_digest"} <= scheduled
    assert {"advisories.tasks.alerts_sweep", "advisories.tasks.alerts_digest"} <= set(app.tasks)


def test_mail_server_down_gives_the_batch_back_for_later(places, smtp, settings):
    SubscriptionFactory.create_batch(3)
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    settings.EMAIL_PORT = free_port()  # nothing listens there

    report = deliveries_send(now=NOW)

    assert (report.retried, report.released, report.sent) == (1, 2, 0)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert all(d.next_attempt_at > NOW and d.last_error for d in Delivery.objects.all())


def test_deliveries_queued_before_an_unsubscribe_are_not_sent(places, smtp):
    subscription = SubscriptionFactory(email="reader@example.org")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    Delivery.objects.update(state=DeliveryState.SENDING, claimed_at=NOW - timedelta(hours=1))
    type(subscription).objects.filter(pk=subscription.pk).update(unsubscribed_at=NOW)

    report = send_all()

    assert report.skipped == 1
    assert smtp.messages == []


# --- digests -----------------------------------------------------------------------------------

DAY = date(2025, 7, 16)
NEXT_MORNING = datetime(2025, 7, 17, 0, 30, tzinfo=UTC)


def test_daily_digest_is_one_email_per_subscriber_with_that_days_changes_in_scope(places, smtp):
    everything = SubscriptionFactory(email="all@example.org", frequency="daily")
    rason_only = SubscriptionFactory(
        email="rason@example.org",
        frequency="daily",
        scope="destination",
        destination=places["rason"],
    )
    SubscriptionFactory(
        email="quiet@example.org", frequency="daily", scope="country", country_code="RU"
    )
    SubscriptionFactory(email="instant@example.org")
    alerting_change(places["zone"], recorded_at=datetime(2025, 7, 16, 8, tzinfo=UTC))
    alerting_change(places["rason"], recorded_at=datetime(2025, 7, 16, 20, tzinfo=UTC))
    alerting_change(places["rason"], recorded_at=datetime(2025, 7, 17, 0, 10, tzinfo=UTC))
    alerting_change(
        places["zone"], recorded_at=datetime(2025, 7, 16, 9, tzinfo=UTC), alters_current=False
    )

    created = digests_send(day=DAY, now=NEXT_MORNING)
    deliveries_drain(now=NEXT_MORNING)

    assert created == 2
    [mail_all] = smtp.to(everything.email)
    [mail_rason] = smtp.to(rason_only.email)
    text_all = mail_all.get_body(preferencelist=("plain",)).get_content()
    text_rason = mail_rason.get_body(preferencelist=("plain",)).get_content()
    assert "2 status changes" in mail_all["Subject"]
    assert "Wonsan-Kalma" in text_all and "Rason" in text_all
    assert "1 status change" in mail_rason["Subject"]
    assert "Wonsan-Kalma" not in text_rason
    assert smtp.to("quiet@example.org") == []
    assert smtp.to("instant@example.org") == []
    assert mail_all["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_digest_run_twice_creates_and_sends_one_digest(places, smtp):
    SubscriptionFactory(email="all@example.org", frequency="daily")
    alerting_change(places["zone"], recorded_at=datetime(2025, 7, 16, 8, tzinfo=UTC))

    counts = [digests_send(day=DAY, now=NEXT_MORNING) for _ in range(2)]
    deliveries_drain(now=NEXT_MORNING)
    deliveries_drain(now=NEXT_MORNING + timedelta(hours=1))

    assert counts == [1, 0]
    assert Delivery.objects.get().kind == DeliveryKind.DIGEST
    assert len(smtp.to("all@example.org")) == 1


def test_no_digest_when_the_day_had_no_changes(places, smtp):
    SubscriptionFactory(email="all@example.org", frequency="daily")

    assert digests_send(day=DAY, now=NEXT_MORNING) == 0
    deliveries_drain(now=NEXT_MORNING)
    assert smtp.messages == []


def test_a_digest_is_not_made_for_a_day_still_running(places):
    with pytest.raises(ValueError, match="over"):
        digests_send(day=DAY, now=datetime(2025, 7, 16, 23, 0, tzinfo=UTC))


def test_admin_lists_permanent_failures_with_their_reason(places, smtp, admin_client):
    SubscriptionFactory(email="gone@example.org")
    smtp.answer("gone@example.org", "550 5.1.1 No such user here")
    change_fan_out(change_id=alerting_change(places["zone"]).pk, now=NOW)
    deliveries_send(now=NOW)

    page = admin_client.get("/admin/advisories/delivery/", {"state__exact": "failed"})

    assert page.status_code == 200
    assert "550 5.1.1 No such user here" in page.content.decode()
    assert admin_client.get("/admin/advisories/subscription/").status_code == 200
