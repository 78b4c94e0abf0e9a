from datetime import UTC, datetime

import pytest
from django.urls import reverse

from advisories.reconciliation.service import reconcile_pending
from destinations.models import Destination
from tests.factories import ClaimFactory, DestinationFactory, NoticeFactory, SourceFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 8, 1, tzinfo=UTC)


def test_a_reconciled_status_shows_on_a_board_that_was_cached_before(
    client, django_capture_on_commit_callbacks
):
    resort = DestinationFactory(name="Kalma Test Resort", slug="kalma-test")
    official = SourceFactory(kind="official", authority=100)
    ClaimFactory(
        destination=resort,
        notice=NoticeFactory(source=official),
        status="suspended",
        confidence=0.95,
        effective_at=datetime(2025, 7, 16, tzinfo=UTC),
    )
    Destination.objects.filter(pk=resort.pk).update(claims_version=1)
    board = reverse("destinations:board")
    assert "Kalma Test Resort" not in client.get(board).content.decode()
    assert "Kalma Test Resort" not in client.get(board).content.decode()  # served from cache

    with django_capture_on_commit_callbacks(execute=True):
        summary = reconcile_pending(now=NOW)

    assert summary.changes >= 1
    assert "Kalma Test Resort" in client.get(board).content.decode()
