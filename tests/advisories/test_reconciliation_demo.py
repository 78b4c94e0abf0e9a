"""End to end: the demo notices, extracted and reconciled, tell the 2025 story of domain-facts.md.

load_demo -> extraction -> reconciliation. The Russian-group reports describe days after the
tourism administration's notice, so they are new information, not a contradiction: they take their
place in the timeline at once, marked "reported, unconfirmed" as one news outlet's word against an
official status, until a curator accepts them. The later, hedged talk of Russian officials stays in
review.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from advisories.extraction.service import notice_extract, notices_reextract
from advisories.ingest.service import notice_ingest
from advisories.models import Claim, ReviewState, Source
from advisories.reconciliation.service import reconcile_pending
from destinations.models import CurrentStatus, Destination, StatusChange
from publishing.selectors import status_as_of

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


def russian_group_reports():
    return Claim.objects.filter(
        destination__slug="wonsan-kalma",
        notice__title="First Russian tourists holiday at Wonsan-Kalma",
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


def test_russian_group_reports_take_their_place_in_the_timeline_without_waiting_for_review(demo):
    assert set(russian_group_reports().values_list("review_state", flat=True)) == {ReviewState.AUTO}
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
    assert not current("wonsan-kalma", "foreign").in_review


def test_russian_group_reports_are_published_as_reported_unconfirmed(demo):
    russian = StatusChange.objects.get(
        destination__slug="wonsan-kalma", audience="RU", status="open"
    )
    assert russian.unconfirmed


def test_later_praise_from_russian_officials_does_not_reopen_the_resort(demo):
    praise = Claim.objects.filter(notice__title="Moscow talks up North Korean beach resort")
    assert not praise.exists()
    foreign = current("wonsan-kalma", "foreign")
    assert (foreign.status, foreign.in_review) == ("suspended", False)


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


def test_a_later_travel_piece_calling_the_resort_newly_opened_does_not_reopen_it(demo):
    later = datetime(2025, 11, 20, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        result = notice_ingest(
            source=Source.objects.filter(kind="news").first(),
            title="A summer on North Korea's east coast",
            body=(
                "Visitors to the newly opened Wonsan-Kalma resort praised its long beaches and "
                "its water park. The resort, which opened this summer, is one of the largest on "
                "the coast."
            ),
            published_at=later,
            enqueue_extraction=False,
        )
        extraction = notice_extract(notice_id=result.notice.pk)
        reconcile_pending(now=later)
    assert extraction is not None and extraction.claims == []
    assert current("wonsan-kalma", "foreign").status == "suspended"
    assert timeline("wonsan-kalma", "foreign")[-1][0] == "suspended"
