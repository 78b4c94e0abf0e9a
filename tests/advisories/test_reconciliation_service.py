"""Reconciliation against the database: writes, idempotence, review queue, curator actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from advisories.alerts.sweep import alerts_sweep
from advisories.alerts.tasks import fan_out_change
from advisories.models import Claim, CuratorOverride, Delivery, ReviewState
from advisories.reconciliation import service
from advisories.reconciliation.curation import claims_review, override_create
from advisories.reconciliation.service import destination_reconcile, reconcile_pending
from advisories.reconciliation.tasks import reconcile as reconcile_task
from destinations.models import CurrentStatus, Destination, StatusChange
from destinations.services import claims_changed
from publishing.selectors import status_as_of
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def add_claim(destination, status, on, *, authority=40, published=None, **extra) -> Claim:
    source = SourceFactory(authority=authority, kind="official" if authority >= 100 else "news")
    notice = NoticeFactory(source=source, published_at=day(on if published is None else published))
    claim = ClaimFactory(
        notice=notice, destination=destination, status=status, effective_at=day(on), **extra
    )
    claims_changed(destination_ids=[destination.pk])
    return claim


def snapshot() -> dict:
    """Everything reconciliation may write, in a comparable form."""
    return {
        "changes": list(StatusChange.objects.order_by("pk").values()),
        "links": sorted(Claim.changes.through.objects.values_list("statuschange_id", "claim_id")),
        "current": list(CurrentStatus.objects.order_by("pk").values()),
        "claims": list(Claim.objects.order_by("pk").values("pk", "review_state", "review_note")),
        "marks": list(
            Destination.objects.order_by("pk").values(
                "pk", "reconciled_version", "reconcile_after", "reconciled_at"
            )
        ),
    }


@pytest.fixture
def resort():
    return DestinationFactory(slug="wonsan-kalma", name="Wonsan-Kalma")


def test_five_reports_of_one_closure_write_one_change_linked_to_all_five(resort):
    claims = [add_claim(resort, "suspended", i * 0.5) for i in range(5)]
    summary = reconcile_pending(now=day(10))
    [change] = StatusChange.objects.all()
    assert summary.changes == 1
    assert set(change.claims.values_list("pk", flat=True)) == {c.pk for c in claims}
    current = CurrentStatus.objects.get(destination=resort, audience="foreign")
    assert (current.status, current.change, current.since) == ("suspended", change, day(0))


@pytest.mark.parametrize(
    "entry_point",
    [
        pytest.param(lambda d, now: reconcile_pending(now=now), id="reconcile_pending"),
        pytest.param(
            lambda d, now: destination_reconcile(destination_id=d.pk, now=now),
            id="destination_reconcile",
        ),
        pytest.param(lambda d, now: call_command("reconcile", stdout=None), id="command"),
        pytest.param(lambda d, now: reconcile_task.delay(), id="task"),
    ],
)
def test_every_entry_point_run_twice_leaves_identical_database_state(resort, entry_point):
    add_claim(resort, "open", -60, authority=100)
    add_claim(resort, "suspended", -10, authority=100)
    add_claim(resort, "open", -9)  # the same days, outranked: goes to review
    add_claim(resort, "open", 400, published=-1)  # scheduled reopening, far ahead
    now = day(0)
    with time_machine.travel(now, tick=False):
        entry_point(resort, now)
        first = snapshot()
        entry_point(resort, now)
    assert snapshot() == first
    assert StatusChange.objects.count() == 2


def test_second_pass_with_no_new_claims_processes_no_destination(resort):
    add_claim(resort, "suspended", 0)
    reconcile_pending(now=day(1))
    summary = reconcile_pending(now=day(2))
    assert summary.destinations == 0


def test_only_destinations_with_new_claims_are_processed(resort):
    other = DestinationFactory()
    add_claim(resort, "suspended", 0)
    add_claim(other, "open", 0)
    reconcile_pending(now=day(1))
    add_claim(other, "suspended", 20)
    summary = reconcile_pending(now=day(21))
    assert [o.slug for o in summary.outcomes] == [other.slug]


def test_future_dated_claim_is_applied_at_the_first_run_after_its_date(resort):
    add_claim(resort, "suspended", 0)
    add_claim(resort, "open", 30, published=5)
    reconcile_pending(now=day(6))
    resort.refresh_from_db()
    assert resort.reconcile_after == day(30)
    assert reconcile_pending(now=day(29)).destinations == 0
    reconcile_pending(now=day(31))
    assert CurrentStatus.objects.get(destination=resort).status == "open"


def test_outranked_claim_joins_the_review_queue_with_the_reason(resort):
    add_claim(resort, "suspended", 0, authority=100)
    news = add_claim(resort, "open", 2)  # the same days: a disagreement, not a later event
    reconcile_pending(now=day(6))
    news.refresh_from_db()
    assert news.review_state == ReviewState.NEEDS_REVIEW
    assert "outranked" in news.review_note
    current = CurrentStatus.objects.get(destination=resort)
    assert (current.status, current.in_review) == ("suspended", True)


def test_curator_accepting_a_held_claim_applies_it_and_records_who_and_why(resort):
    curator = UserFactory()
    add_claim(resort, "suspended", 0, authority=100)
    news = add_claim(resort, "open", 2)  # the same days: a disagreement, not a later event
    reconcile_pending(now=day(6))
    claims_review(
        claim_ids=[news.pk], accept=True, curator=curator, note="Operator confirmed", now=day(7)
    )
    news.refresh_from_db()
    assert (news.review_state, news.reviewed_by, news.review_note) == (
        ReviewState.ACCEPTED,
        curator,
        "Operator confirmed",
    )
    current = CurrentStatus.objects.get(destination=resort)
    assert (current.status, current.in_review) == ("open", False)


def test_curator_rejecting_a_held_claim_clears_the_review(resort):
    add_claim(resort, "suspended", 0, authority=100)
    news = add_claim(resort, "open", 2)  # the same days: a disagreement, not a later event
    reconcile_pending(now=day(6))
    claims_review(
        claim_ids=[news.pk], accept=False, curator=UserFactory(), note="Rumour", now=day(7)
    )
    current = CurrentStatus.objects.get(destination=resort)
    assert (current.status, current.in_review) == ("suspended", False)


def test_review_decision_without_a_reason_is_refused(resort):
    news = add_claim(resort, "open", 5)
    with pytest.raises(ValidationError):
        claims_review(claim_ids=[news.pk], accept=True, curator=UserFactory(), note=" ", now=day(6))


def test_curator_override_wins_and_ends_on_its_date(resort):
    curator = UserFactory()
    add_claim(resort, "open", 0)
    reconcile_pending(now=day(1))
    override_create(
        destination=resort,
        audience="foreign",
        status="closed",
        reason="Ministry phoned us",
        curator=curator,
        now=day(2),
        ends_at=day(10),
    )
    change = CurrentStatus.objects.get(destination=resort).change
    assert (change.status, change.decided_by, change.curator, change.reason) == (
        "closed",
        "curator",
        curator,
        "Ministry phoned us",
    )
    reconcile_pending(now=day(11))
    assert CurrentStatus.objects.get(destination=resort).status == "open"


def test_override_ending_before_it_starts_is_refused_and_nothing_is_written(resort):
    with pytest.raises(ValidationError):
        override_create(
            destination=resort,
            audience="foreign",
            status="closed",
            reason="x",
            curator=UserFactory(),
            now=day(2),
            ends_at=day(1),
        )
    assert not CuratorOverride.objects.exists()


def test_status_as_of_follows_the_corrected_timeline(resort):
    add_claim(resort, "suspended", 2)
    reconcile_pending(now=day(3))
    add_claim(resort, "suspended", 0, authority=100, published=4)
    reconcile_pending(now=day(4))
    assert StatusChange.objects.count() == 2  # the audit trail keeps both
    assert status_as_of(resort, day(1), "foreign").status == "suspended"
    assert status_as_of(resort, day(1), "foreign").effective_at == day(0)


def test_withdrawn_entry_disappears_from_status_as_of(resort):
    add_claim(resort, "open", -20)
    wrong = add_claim(resort, "suspended", 0)
    reconcile_pending(now=day(1))
    claims_review(claim_ids=[wrong.pk], accept=False, curator=UserFactory(), note="no", now=day(2))
    assert status_as_of(resort, day(1), "foreign").status == "open"


def test_a_change_of_current_status_enqueues_fan_out_after_commit(
    resort, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(fan_out_change, "delay", sent.append)
    add_claim(resort, "open", -40)  # back-filled history alerts nobody
    add_claim(resort, "suspended", 0)
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_pending(now=day(1))
    fresh = StatusChange.objects.get(status="suspended")
    assert sent == [fresh.pk]
    assert fresh.alters_current


def test_a_reopening_learnt_months_late_alerts_once_and_history_filled_in_behind_it_never(
    resort, smtp
):
    SubscriptionFactory(email="reader@example.org")
    add_claim(resort, "suspended", 0, authority=100)
    reconcile_pending(now=day(1))
    # Learnt on day 200: a reopening of day 100 and, behind it, a restriction of day 50.
    add_claim(resort, "restricted", 50, authority=100, published=200)
    add_claim(resort, "open", 100, authority=100, published=200)
    reconcile_pending(now=day(200))

    reopening = StatusChange.objects.get(status="open")
    filled_in = StatusChange.objects.get(status="restricted")
    assert (reopening.alters_current, filled_in.alters_current) == (True, False)
    assert (reopening.effective_at, reopening.recorded_at) == (day(100), day(200))

    first = alerts_sweep(now=day(200) + timedelta(minutes=1))
    again = alerts_sweep(now=day(200) + timedelta(minutes=2))
    assert (first.fanned_out, again.fanned_out) == (1, 0)
    assert list(Delivery.objects.values_list("change_id", flat=True)) == [reopening.pk]
    assert len(smtp.to("reader@example.org")) == 1


def test_dry_run_writes_nothing(resort):
    add_claim(resort, "suspended", 0)
    before = snapshot()
    outcome = destination_reconcile(destination_id=resort.pk, now=day(1), dry_run=True)
    assert outcome.changes == 1
    assert snapshot() == before


def test_general_suspension_applies_to_a_nationality_with_its_own_history(resort):
    add_claim(resort, "open", 0, audience="RU")
    add_claim(resort, "suspended", 15, authority=100)
    reconcile_pending(now=day(16))
    assert CurrentStatus.objects.get(destination=resort, audience="RU").status == "suspended"


def test_reconcile_command_prints_each_decision_with_its_rule(resort, capsys):
    add_claim(resort, "suspended", 0)
    call_command("reconcile", "--destination", resort.slug, "--explain")
    out = capsys.readouterr().out
    assert "wonsan-kalma [foreign]: suspended since 2025-07-01" in out
    assert "[status_change]" in out


def test_reconcile_command_rejects_an_unknown_slug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No destination"):
        call_command("reconcile", "--destination", "atlantis")


def test_policy_numbers_come_from_settings(settings):
    settings.RECONCILIATION = {"MERGE_WINDOW_DAYS": 1, "AUTHORITY_MARGIN": 50}
    policy = service.reconciliation_policy()
    assert (policy.merge_window, policy.authority_margin) == (timedelta(days=1), 50)


def test_beat_run_overlapping_a_running_one_steps_aside(resort):
    from django.core.cache import cache

    from advisories.reconciliation.tasks import _LOCK_KEY

    add_claim(resort, "suspended", 0)
    cache.add(_LOCK_KEY, "another-worker", timeout=60)
    assert reconcile_task.apply().get() == {"skipped_overlapping_run": 1}
    assert not StatusChange.objects.exists()
    cache.delete(_LOCK_KEY)
    assert reconcile_task.apply().get()["changes"] == 1


def test_reconcile_command_dry_run_over_due_destinations_writes_nothing(resort, capsys):
    add_claim(resort, "suspended", 0)
    before = snapshot()
    call_command("reconcile", "--dry-run")
    assert "would write 1 change(s)" in capsys.readouterr().out
    assert snapshot() == before


def test_a_change_written_by_reconciliation_carries_its_destinations_country():
    place = DestinationFactory(country_code="KP")
    add_claim(place, "suspended", 0)
    reconcile_pending(now=day(1))
    assert StatusChange.objects.get(destination=place).country_code == "KP"
