"""The admin review queue and override form go through the reconciliation service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from advisories.models import CuratorOverride, ReviewState
from advisories.reconciliation.service import reconcile_pending
from destinations.models import CurrentStatus
from destinations.services import claims_changed
from tests.factories import ClaimFactory, DestinationFactory, NoticeFactory, SourceFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)
CHANGELIST = "/admin/advisories/claim/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def held_claim():
    resort = DestinationFactory(slug="wonsan-kalma")
    for authority, status, days_ago, sentence in [
        (100, "suspended", 4, "The zone is temporarily not receiving foreign tourists."),
        (40, "open", 2, "Officials call the zone a major draw for Russian tourists."),
    ]:
        claim = ClaimFactory(
            notice=NoticeFactory(
                source=SourceFactory(authority=authority),
                published_at=NOW - timedelta(days=days_ago),
            ),
            destination=resort,
            status=status,
            effective_at=NOW - timedelta(days=days_ago),
            sentence=sentence,
        )
    claims_changed(destination_ids=[resort.pk])
    reconcile_pending(now=NOW)
    claim.refresh_from_db()
    assert claim.review_state == ReviewState.NEEDS_REVIEW
    return claim


def test_review_action_first_shows_both_sides_and_asks_why(admin_client, held_claim):
    response = admin_client.post(
        CHANGELIST, {"action": "accept_claims", "_selected_action": [held_claim.pk]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "major draw for Russian tourists" in page
    assert "temporarily not receiving foreign tourists" in page
    held_claim.refresh_from_db()
    assert held_claim.review_state == ReviewState.NEEDS_REVIEW


def test_review_action_with_a_note_accepts_and_reconciles(admin_client, admin_user, held_claim):
    admin_client.post(
        CHANGELIST,
        {
            "action": "accept_claims",
            "_selected_action": [held_claim.pk],
            "apply": "Accept",
            "note": "Tour operator confirmed departures",
        },
    )
    held_claim.refresh_from_db()
    assert (held_claim.review_state, held_claim.reviewed_by) == (ReviewState.ACCEPTED, admin_user)
    assert CurrentStatus.objects.get(destination=held_claim.destination).status == "open"


def test_override_added_in_the_admin_is_recorded_with_its_curator(admin_client, admin_user):
    resort = DestinationFactory()
    response = admin_client.post(
        "/admin/advisories/curatoroverride/add/",
        {
            "destination": resort.pk,
            "audience": "foreign",
            "status": "closed",
            "summary": "Closed to foreigners",
            "reason": "Ministry confirmed by phone",
            "starts_at_0": "2025-07-20",
            "starts_at_1": "12:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CuratorOverride.objects.get().curator == admin_user
    change = CurrentStatus.objects.get(destination=resort).change
    assert (change.status, change.curator, change.reason) == (
        "closed",
        admin_user,
        "Ministry confirmed by phone",
    )
