"""End to end: the demo notices, extracted and reconciled, tell the 2025 story of domain-facts.md.

load_demo -> extraction -> reconciliation, then the curator works the review queue the way the
policy asks: the Russian-group reports contradict the tourism administration's notice of a few
days before, so they wait for a curator; once accepted they take their place in the timeline. The
later, hedged talk of Russian officials stays in review.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from advisories.extraction_service import notices_reextract
from advisories.models import Claim, ReviewState
from advisories.reconciliation_service import claims_review, reconcile_pending
from destinations.models import CurrentStatus, Destination, StatusChange
from destinations.selectors import status_as_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 12, 1, tzinfo=UTC)


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=None)
        notices_reextract()
        reconcile_pending(now=NOW)
        yield


def timeline(slug: str, audience: str) -> list[tuple[str, date]]:
    destination = Destination.objects.get(slug=slug)
    return [
        (change.status, change.effective_at.date())
        for change in StatusChange.objects.not_superseded()
        .filter(destination=destination, audience=audience)
        .order_by("effective_at", "id")
    ]


def current(slug: str, audience: str) -> CurrentStatus:
    return CurrentStatus.objects.get(destination__slug=slug, audience=audience)


def accept_russian_group_reports() -> None:
    reports = Claim.objects.filter(
        destination__slug="wonsan-kalma",
        notice__title="First Russian tourists holiday at Wonsan-Kalma",
    )
    assert set(reports.values_list("review_state", flat=True)) == {ReviewState.NEEDS_REVIEW}
    claims_review(
        claim_ids=list(reports.values_list("pk", flat=True)),
        accept=True,
        curator=UserFactory(),
        note="Operator in Vladivostok confirmed the group's stay",
        now=NOW,
    )


def test_rason_opens_in_february_and_is_suspended_within_a_month(demo):
    assert timeline("rason", "foreign") == [
        ("open", date(2025, 2, 20)),
        ("suspended", date(2025, 3, 5)),
    ]
    # The November report that it is still closed confirms, it does not change anything.
    assert current("rason", "foreign").last_confirmed_at.date() == date(2025, 11, 30)


def test_wonsan_kalma_opens_to_domestic_visitors_on_the_first_of_july(demo):
    assert timeline("wonsan-kalma", "domestic") == [("open", date(2025, 7, 1))]


def test_russian_group_reports_wait_for_review_against_the_official_notice(demo):
    assert timeline("wonsan-kalma", "foreign") == [
        ("closed", date(2025, 7, 1)),
        ("suspended", date(2025, 7, 16)),
    ]
    assert current("wonsan-kalma", "foreign").in_review


def test_accepted_russian_group_reports_complete_the_timeline(demo):
    accept_russian_group_reports()
    assert timeline("wonsan-kalma", "foreign") == [
        ("closed", date(2025, 7, 1)),
        ("restricted", date(2025, 7, 5)),
        ("suspended", date(2025, 7, 16)),
    ]
    assert timeline("wonsan-kalma", "RU") == [
        ("closed", date(2025, 7, 1)),
        ("open", date(2025, 7, 5)),
        ("suspended", date(2025, 7, 16)),
    ]
    resort = Destination.objects.get(slug="wonsan-kalma")
    assert status_as_of(resort, datetime(2025, 7, 12, tzinfo=UTC), "RU").status == "open"


def test_later_talk_of_russian_officials_goes_to_review_not_to_the_public(demo):
    accept_russian_group_reports()
    talk = Claim.objects.get(notice__title="Moscow talks up North Korean beach resort")
    assert talk.review_state == ReviewState.NEEDS_REVIEW
    ru = current("wonsan-kalma", "RU")
    assert (ru.status, ru.in_review) == ("suspended", True)
    assert (
        current("wonsan-kalma", "foreign").status,
        current("wonsan-kalma", "foreign").in_review,
    ) == (
        "suspended",
        False,
    )


def test_masikryong_is_restricted_to_russian_groups(demo):
    assert timeline("masikryong", "foreign") == [("restricted", date(2025, 2, 8))]
    assert timeline("masikryong", "RU") == [("open", date(2025, 2, 8))]


def test_reconciling_the_demo_again_changes_nothing(demo):
    before = list(StatusChange.objects.values_list("pk", flat=True))
    with time_machine.travel(NOW, tick=False):
        notices_reextract()
        summary = reconcile_pending(now=NOW)
    assert summary.changes == 0
    assert list(StatusChange.objects.values_list("pk", flat=True)) == before
