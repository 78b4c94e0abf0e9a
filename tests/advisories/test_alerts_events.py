"""One alert email per destination per event, listing the audiences it affects, and the
previous status it gives is the one subscribers were last told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisories.alerts.fanout import change_fan_out
from advisories.alerts.sweep import alerts_sweep
from advisories.models import Delivery, FanOut
from destinations.models import Audience, Status
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    StatusChangeFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
QUOTE = "Wonsan-Kalma reopened to foreign tourists and to Russian groups on 15 November."


@pytest.fixture
def resort():
    return DestinationFactory(name="Wonsan-Kalma", slug="wonsan-kalma")


@pytest.fixture
def reopening(resort):
    """One reconciliation run: the resort opens for all foreign visitors and for Russians."""
    source = SourceFactory(name="Tourism Administration", kind="official", authority=100)
    notice = NoticeFactory(source=source, title="Reopening", body=QUOTE)
    changes = []
    for audience in (Audience.FOREIGN, "RU"):
        change = StatusChangeFactory(
            destination=resort,
            audience=audience,
            status=Status.OPEN,
            previous_status=Status.SUSPENDED,
            effective_at=NOW - timedelta(days=5),
            recorded_at=NOW,
            alters_current=True,
        )
        ClaimFactory(
            notice=notice, destination=resort, audience=audience, status=Status.OPEN, sentence=QUOTE
        ).changes.add(change)
        changes.append(change)
    return changes


def fan_out(changes):
    for change in changes:
        change_fan_out(change_id=change.pk, now=NOW)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_an_event_affecting_two_audiences_sends_one_email_to_each_subscriber(reopening, smtp):
    SubscriptionFactory.create_batch(2)

    fan_out(reopening)
    alerts_sweep(now=NOW)

    assert len(smtp.messages) == 2


def test_the_events_email_lists_every_audience_it_affects(reopening, smtp):
    SubscriptionFactory()

    fan_out(reopening)
    alerts_sweep(now=NOW)

    text = text_of(smtp.messages[0])
    assert "Status for all foreign visitors: Suspended -> Open" in text
    assert "Status for visitors from Russian Federation: Suspended -> Open" in text


def test_the_events_subject_names_every_audience(reopening, smtp):
    SubscriptionFactory()

    fan_out(reopening)
    alerts_sweep(now=NOW)

    assert smtp.messages[0]["Subject"] == (
        "Wonsan-Kalma: open for all foreign visitors, visitors from Russian Federation"
    )


def test_the_evidence_quote_appears_once_in_the_events_email(reopening, smtp):
    SubscriptionFactory()

    fan_out(reopening)
    alerts_sweep(now=NOW)

    assert sum(text_of(m).count(QUOTE) for m in smtp.messages) == 1


def test_fanning_an_event_out_twice_creates_one_delivery_per_subscriber(reopening):
    SubscriptionFactory.create_batch(3)

    fan_out(reopening)
    fan_out(reopening)
    FanOut.objects.all().delete()  # even without the marks, the unique rows hold
    fan_out(list(reversed(reopening)))

    assert Delivery.objects.count() == 3
    assert set(Delivery.objects.values_list("change_id", flat=True)) == {reopening[0].pk}


def test_the_events_other_changes_are_marked_told_in_the_first_ones_alert(reopening):
    SubscriptionFactory()

    fan_out(reopening)

    assert FanOut.objects.get(change=reopening[1]).note == (
        f"told in the alert of change {reopening[0].pk}"
    )


def test_the_sweep_alone_sends_an_event_whose_fan_out_messages_were_lost(reopening, smtp):
    SubscriptionFactory()

    alerts_sweep(now=NOW)

    assert len(smtp.messages) == 1 and "visitors from Russian Federation" in text_of(
        smtp.messages[0]
    )


def test_an_event_whose_first_change_was_corrected_still_tells_the_rest_in_one_email(
    reopening, resort, smtp
):
    SubscriptionFactory()
    domestic = StatusChangeFactory(
        destination=resort,
        audience=Audience.DOMESTIC,
        status=Status.OPEN,
        recorded_at=NOW,
        alters_current=True,
    )
    StatusChangeFactory(
        destination=resort,
        status=Status.RESTRICTED,
        effective_at=NOW - timedelta(days=5),
        recorded_at=NOW + timedelta(minutes=1),
        supersedes=reopening[0],
    )

    fan_out([*reopening, domestic])
    alerts_sweep(now=NOW)

    (message,) = smtp.messages
    text = text_of(message)
    assert "visitors from Russian Federation" in text and "domestic visitors" in text
    assert "all foreign visitors" not in text


def test_changes_of_two_destinations_in_one_run_are_two_emails(reopening, smtp):
    SubscriptionFactory()
    other = StatusChangeFactory(
        destination=DestinationFactory(name="Rason"),
        status=Status.SUSPENDED,
        recorded_at=NOW,
        alters_current=True,
    )

    fan_out([*reopening, other])
    alerts_sweep(now=NOW)

    assert len(smtp.messages) == 2


def test_an_alert_for_a_change_learnt_late_gives_the_status_subscribers_were_last_told(
    resort, smtp
):
    SubscriptionFactory()
    StatusChangeFactory(
        destination=resort,
        status=Status.SUSPENDED,
        effective_at=datetime(2025, 8, 1, tzinfo=UTC),
        recorded_at=datetime(2025, 8, 2, tzinfo=UTC),
        alters_current=True,
    )
    StatusChangeFactory(  # history filled in behind the opening, learnt with it
        destination=resort,
        status=Status.RESTRICTED,
        previous_status=Status.SUSPENDED,
        effective_at=NOW - timedelta(days=20),
        recorded_at=NOW,
    )
    opening = StatusChangeFactory(
        destination=resort,
        status=Status.OPEN,
        previous_status=Status.RESTRICTED,
        effective_at=NOW - timedelta(days=5),
        recorded_at=NOW,
        alters_current=True,
    )

    change_fan_out(change_id=opening.pk, now=NOW)
    alerts_sweep(now=NOW)

    assert "Status for all foreign visitors: Suspended -> Open" in text_of(smtp.messages[0])
