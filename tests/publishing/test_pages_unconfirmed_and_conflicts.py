"""What the page, the API and the alert say when the evidence in force is one weak report, or
when other reports speak against the published status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisories.alerts import messages
from advisories.reconciliation.service import reconcile_pending
from destinations.models import StatusChange
from destinations.services import claims_changed
from tests.factories import (
    ClaimFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def report(destination, status, on, *, source, sentence, published=None):
    notice = NoticeFactory(source=source, published_at=day(published if published else on))
    claim = ClaimFactory(
        notice=notice,
        destination=destination,
        status=status,
        effective_at=day(on),
        sentence=sentence,
    )
    claims_changed(destination_ids=[destination.pk])
    return claim


@pytest.fixture
def resort():
    return DestinationFactory(slug="wonsan-kalma", name="Wonsan-Kalma")


@pytest.fixture
def ministry():
    return SourceFactory(name="Tourism Ministry", kind="official", authority=100)


@pytest.fixture
def blog():
    return SourceFactory(name="Travel Blog", kind="other", authority=20)


@pytest.fixture
def reopened_by_one_blog(resort, ministry, blog):
    """An official closure, then one low-authority report that it reopened, learnt 30 days on."""
    report(resort, "closed", 0, source=ministry, sentence="The resort is closed to foreigners.")
    reconcile_pending(now=day(1))
    report(
        resort,
        "open",
        10,
        source=blog,
        sentence="Foreign guests are back on the beach.",
        published=40,
    )
    reconcile_pending(now=day(40))
    return resort


def test_a_lone_low_authority_reopening_is_shown_as_reported_unconfirmed_beside_the_official_side(
    client, reopened_by_one_blog
):
    page = client.get(f"/destinations/{reopened_by_one_blog.slug}/").content.decode()

    assert "reported, unconfirmed" in page
    assert "conflicting reports" in page
    assert "Foreign guests are back on the beach." in page
    assert "The resort is closed to foreigners." in page and "Tourism Ministry" in page


def test_the_api_marks_the_status_unconfirmed_and_lists_the_claims_against_it(
    client, reopened_by_one_blog
):
    body = client.get(f"/api/v1/destinations/{reopened_by_one_blog.slug}/").json()

    [row] = body["statuses"]
    assert (row["status"], row["unconfirmed"], row["in_review"]) == ("open", True, False)
    closure = reopened_by_one_blog.claims.get(status="closed")
    assert row["conflicting_claim_ids"] == [closure.pk]


def test_the_alert_of_an_unconfirmed_change_learnt_late_says_so_and_gives_both_dates(
    reopened_by_one_blog,
):
    change = StatusChange.objects.get(status="open")
    assert change.alters_current and change.unconfirmed

    content = messages.change_content(change)
    body = messages.alert_message(
        content=content, subscription=SubscriptionFactory(), delivery_id=1
    ).body

    assert "In effect since: 11 July 2025" in body
    assert "Learnt on: 10 August 2025" in body
    assert "Reported, unconfirmed" in body
