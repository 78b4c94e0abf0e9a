"""Several reconcilers at once on real PostgreSQL, each with its own connection."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count

from advisories.reconciliation.service import destination_reconcile, reconcile_pending
from destinations.models import CurrentStatus, StatusChange
from destinations.services import claims_changed
from tests.factories import ClaimFactory, DestinationFactory, NoticeFactory, SourceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2025, 8, 1, tzinfo=UTC)
WORKERS = 4


def seed(destinations: int = 20) -> list:
    official = SourceFactory(authority=100, kind="official")
    news = SourceFactory(authority=40)
    result = []
    for i in range(destinations):
        destination = DestinationFactory()
        for n, (source, status, days) in enumerate(
            [(official, "open", -60), (news, "open", -59), (official, "suspended", -20)]
            + [(news, "suspended", -19 + k) for k in range(3)]
            + [(news, "open", -18)]  # the same days as the suspension: held for review
        ):
            ClaimFactory(
                notice=NoticeFactory(source=source, title=f"n{i}-{n}"),
                destination=destination,
                status=status,
                effective_at=NOW + timedelta(days=days),
            )
        result.append(destination)
    claims_changed(destination_ids=[d.pk for d in result])
    return result


def run_together(target) -> list[BaseException]:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def duplicates() -> list:
    return list(
        StatusChange.objects.not_superseded()
        .values("destination", "audience", "status", "effective_at")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


def test_four_pending_reconcilers_at_once_create_no_duplicate_changes():
    destinations = seed()
    errors = run_together(lambda: reconcile_pending(now=NOW, batch_size=5))
    assert errors == []
    assert duplicates() == []
    assert StatusChange.objects.count() == 2 * len(destinations)
    assert CurrentStatus.objects.filter(status="suspended", in_review=True).count() == len(
        destinations
    )


def test_four_reconcilers_of_one_destination_at_once_create_no_duplicate_changes():
    [destination] = seed(destinations=1)
    errors = run_together(lambda: destination_reconcile(destination_id=destination.pk, now=NOW))
    assert errors == []
    assert duplicates() == []
    assert StatusChange.objects.filter(destination=destination).count() == 2
