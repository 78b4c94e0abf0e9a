"""The same text published by several sources: every source stands as evidence, the most
authoritative one counts, and a verbatim copy is not an independent confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisories.ingest.recording import notice_content_hash
from advisories.reconciliation.service import reconcile_pending
from destinations.models import CurrentStatus
from destinations.services import claims_changed
from tests.factories import ClaimFactory, DestinationFactory, NoticeFactory, SourceFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
TITLE, BODY = "Resort closed", "The resort is temporarily not receiving foreign tourists."


@pytest.fixture
def resort():
    return DestinationFactory(slug="wonsan-kalma", name="Wonsan-Kalma")


def report(resort, *, authority: int, body: str = BODY, hours: int = 0):
    source = SourceFactory(authority=authority, kind="official" if authority >= 100 else "other")
    notice = NoticeFactory(
        source=source,
        title=TITLE,
        body=body,
        content_hash=notice_content_hash(title=TITLE, body=body),
        published_at=T0 + timedelta(hours=hours),
    )
    ClaimFactory(notice=notice, destination=resort, status="suspended", effective_at=T0)
    claims_changed(destination_ids=[resort.pk])


def current(resort) -> CurrentStatus:
    reconcile_pending(now=T0 + timedelta(days=1))
    return CurrentStatus.objects.get(destination=resort, audience="foreign")


def test_one_low_authority_report_is_published_as_unconfirmed(resort):
    report(resort, authority=20)

    assert current(resort).unconfirmed


def test_a_second_low_authority_source_with_its_own_words_confirms_it(resort):
    report(resort, authority=20)
    report(resort, authority=20, body="Foreign tourists are not being received for now.", hours=2)

    assert not current(resort).unconfirmed


def test_a_verbatim_copy_by_a_second_low_authority_source_confirms_nothing(resort):
    report(resort, authority=20)
    report(resort, authority=20, hours=2)

    assert current(resort).unconfirmed


def test_an_official_notice_with_the_same_text_as_a_news_item_counts_at_its_own_authority(resort):
    report(resort, authority=20)
    report(resort, authority=100, hours=2)

    status = current(resort)
    assert not status.unconfirmed
    evidence_sources = set(status.change.claims.values_list("notice__source__kind", flat=True))
    assert evidence_sources == {"other", "official"}
