"""The Wonsan-Kalma and Rason story of 2025, written straight into the status tables, for the
publishing tests (pages, API, feeds, browser). Reconciliation is not involved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from advisories.models import SourceKind
from destinations.models import Audience, Destination, DestinationKind, Status, StatusChange
from tests.factories import (
    AliasFactory,
    ClaimFactory,
    CurrentStatusFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    StatusChangeFactory,
)


def day(month: int, date: int, year: int = 2025) -> datetime:
    return datetime(year, month, date, tzinfo=UTC)


@dataclass
class Story:
    country: Destination
    kangwon: Destination
    kalma: Destination
    rason: Destination
    kalma_suspended: StatusChange
    kalma_closed: StatusChange
    kalma_russians: StatusChange
    kalma_domestic: StatusChange
    rason_open: StatusChange
    rason_suspended: StatusChange
    notice_id: int


def build_story() -> Story:
    country = Destination.objects.get(kind=DestinationKind.COUNTRY, country_code="KP")
    kangwon = DestinationFactory(
        slug="kangwon", name="Kangwon Province", kind=DestinationKind.REGION, parent=country
    )
    kalma = DestinationFactory(
        slug="wonsan-kalma",
        name="Wonsan-Kalma Coastal Tourist Zone",
        kind=DestinationKind.RESORT,
        parent=kangwon,
        description="Beach resort near Wonsan.",
    )
    AliasFactory(destination=kalma, name="Wonsan Kalma")
    AliasFactory(destination=kalma, name="Kalma resort")
    rason = DestinationFactory(
        slug="rason", name="Rason Special Economic Zone", kind=DestinationKind.ZONE, parent=country
    )
    AliasFactory(destination=rason, name="Rason SEZ")

    kalma_closed = StatusChangeFactory(
        destination=kalma,
        status=Status.CLOSED,
        effective_at=day(7, 1),
        summary="Opened to domestic holidaymakers only; foreigners not admitted.",
    )
    kalma_suspended = StatusChangeFactory(
        destination=kalma,
        status=Status.SUSPENDED,
        previous_status=Status.CLOSED,
        effective_at=day(7, 16),
        summary="Temporarily not receiving foreign tourists.",
    )
    kalma_russians = StatusChangeFactory(
        destination=kalma,
        audience="RU",
        status=Status.RESTRICTED,
        effective_at=day(7, 7),
        summary="First organised group of Russian tourists hosted.",
    )
    kalma_domestic = StatusChangeFactory(
        destination=kalma,
        audience=Audience.DOMESTIC,
        status=Status.OPEN,
        effective_at=day(7, 1),
        summary="Open to domestic visitors from 1 July.",
    )
    rason_open = StatusChangeFactory(
        destination=rason,
        status=Status.OPEN,
        effective_at=day(2, 20),
        summary="A small group of foreign tourists let in.",
    )
    rason_suspended = StatusChangeFactory(
        destination=rason,
        status=Status.SUSPENDED,
        previous_status=Status.OPEN,
        effective_at=day(3, 10),
        summary="Foreign tourism halted without explanation.",
    )
    for change in (kalma_suspended, kalma_russians, kalma_domestic, rason_suspended):
        CurrentStatusFactory(change=change)

    official = SourceFactory(
        name="National Tourism Administration", kind=SourceKind.OFFICIAL, authority=100
    )
    notice = NoticeFactory(
        source=official,
        title="Notice on the Wonsan-Kalma zone",
        body="The Wonsan-Kalma zone is temporarily not receiving foreign tourists.",
        url="https://tourism.example.org/notices/kalma",
        published_at=day(7, 16),
    )
    claim = ClaimFactory(
        notice=notice,
        destination=kalma,
        status=Status.SUSPENDED,
        effective_at=day(7, 16),
        sentence="The Wonsan-Kalma zone is temporarily not receiving foreign tourists.",
    )
    claim.changes.add(kalma_suspended)
    return Story(
        country=country,
        kangwon=kangwon,
        kalma=kalma,
        rason=rason,
        kalma_suspended=kalma_suspended,
        kalma_closed=kalma_closed,
        kalma_russians=kalma_russians,
        kalma_domestic=kalma_domestic,
        rason_open=rason_open,
        rason_suspended=rason_suspended,
        notice_id=notice.pk,
    )


def many_destinations(count: int, changes_each: int = 3) -> None:
    """Bulk filler for constant-query tests: `count` destinations with `changes_each` entries."""
    statuses = [Status.OPEN, Status.RESTRICTED, Status.SUSPENDED, Status.CLOSED]
    for index in range(count):
        destination = DestinationFactory(country_code="RU" if index % 2 else "CN")
        change = None
        for step in range(changes_each):
            change = StatusChangeFactory(
                destination=destination,
                status=statuses[(index + step) % 4],
                effective_at=day(1 + step % 12, 1 + index % 27),
            )
        CurrentStatusFactory(change=change)
