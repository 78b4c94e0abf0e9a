"""The status a reader is shown: current rows, staleness, filters, as-of history, evidence
dates. The board, the destination page, the API and the feeds all read status through these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import pycountry
from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from advisories.models import Claim
from destinations.gazetteer import COMMON_ALIASES, DISPLAY_NAMES
from destinations.models import (
    Audience,
    CurrentStatus,
    Destination,
    Status,
    StatusChange,
)


def current_statuses() -> QuerySet[CurrentStatus]:
    """Every known current status, with its destination, in one indexed query."""
    return CurrentStatus.objects.exclude(status=Status.UNKNOWN).select_related(
        "destination", "destination__parent"
    )


# --- Staleness --------------------------------------------------------------------------------


def stale_cutoff(at: datetime) -> datetime:
    """A status last confirmed before this moment is stale at `at`.

    Counted in whole UTC days (confirmed more than STATUS_STALE_AFTER_DAYS days before the day
    of `at`), so a status turns stale at midnight, when the pages' cache key turns over too.
    """
    day = at.astimezone(UTC).date() - timedelta(days=settings.STATUS_STALE_AFTER_DAYS)
    return datetime.combine(day, time.min, tzinfo=UTC)


def is_stale(*, confirmed_at: datetime | None, at: datetime) -> bool:
    return confirmed_at is not None and confirmed_at < stale_cutoff(at)


def _stale_condition(at: datetime) -> Q:
    """On CurrentStatus rows annotated with `confirmed`: last confirmed before the cutoff."""
    return Q(confirmed__lt=stale_cutoff(at))


def current_status_rows(*, now: datetime) -> QuerySet[CurrentStatus]:
    """Known CurrentStatus rows, each annotated with `stale` (not confirmed for too long)."""
    return (
        CurrentStatus.objects.exclude(status=Status.UNKNOWN)
        .annotate(confirmed=Coalesce("last_confirmed_at", "since"))
        .annotate(
            stale=Case(
                When(_stale_condition(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


@dataclass(frozen=True)
class StatusFilter:
    """What the board's and the API's status filters mean; both use this one definition.

    `status` and `stale` apply to one audience's row: the audience asked for, else all foreign
    visitors (the question the service answers first), so `?status=open` does not list a place
    open only to domestic visitors. `audience` alone keeps destinations with a known status for
    that audience. With nothing set, every known status counts.
    """

    status: str | None = None
    audience: str | None = None
    stale: bool | None = None

    @property
    def row_audience(self) -> str | None:
        if self.audience:
            return self.audience
        if self.status or self.stale is not None:
            return Audience.FOREIGN
        return None

    @property
    def narrows_rows(self) -> bool:
        return self.row_audience is not None

    def rows(self, rows: QuerySet[CurrentStatus], *, now: datetime) -> QuerySet[CurrentStatus]:
        """Narrow known CurrentStatus rows (from `current_status_rows`) in SQL."""
        if self.status:
            rows = rows.filter(status=self.status)
        if self.row_audience:
            rows = rows.filter(audience=self.row_audience)
        if self.stale is not None:
            rows = rows.filter(stale=self.stale)
        return rows

    def matches(self, status: AudienceStatus) -> bool:
        """The same test for a status read from history (the board `?at=`)."""
        return (
            (not self.status or status.status == self.status)
            and (not self.row_audience or status.audience == self.row_audience)
            and (self.stale is None or status.stale == self.stale)
        )


def timeline(*, destination: Destination, audience: str | None = None) -> QuerySet[StatusChange]:
    """The corrected history (superseded entries left out), newest first."""
    changes = StatusChange.objects.not_superseded().filter(destination=destination)
    if audience is not None:
        changes = changes.filter(audience=audience)
    return changes.order_by("-effective_at", "-id")


def status_as_of(
    destination: Destination, at: datetime, audience: str = Audience.FOREIGN
) -> StatusChange | None:
    """The entry of the corrected timeline in force at `at`, or None if nothing was known."""
    return timeline(destination=destination, audience=audience).filter(effective_at__lte=at).first()


# --- Publishing: the board, destination pages, the changes feed ------------------------------


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """A readable country name for an ISO code, without touching the database."""
    if not code:
        return "Other places"

    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    # ISO's inverted names ("Korea, Democratic People's Republic of") read badly as headings.
    if "," in name and COMMON_ALIASES.get(code):
        return COMMON_ALIASES[code][0]
    return name


@dataclass(frozen=True)
class AudienceStatus:
    """One destination's status for one audience, at the moment a page is about."""

    audience: str
    status: str
    since: datetime | None
    summary: str
    change_id: int | None
    last_confirmed_at: datetime | None = None
    in_review: bool = False
    # It rests on one low-authority report: shown as "reported, unconfirmed".
    unconfirmed: bool = False
    # Claims that speak against it (held for review, or unconfirmed reports kept beside it):
    # their ids, and on the destination page the claims themselves, both sides shown.
    conflicting_ids: tuple[int, ...] = ()
    conflicting: tuple[Any, ...] = ()
    # Not confirmed for STATUS_STALE_AFTER_DAYS before the moment the page is about: pages say
    # "not confirmed since <confirmed_at>".
    stale: bool = False

    @property
    def confirmed_at(self) -> datetime | None:
        return self.last_confirmed_at or self.since

    @property
    def audience_label(self) -> str:
        return Audience.label(self.audience)

    @property
    def status_label(self) -> str:
        return Status(self.status).label


def confirmed_as_of(at: datetime) -> Subquery:
    """Per history entry, when it was last confirmed as things stood at `at`: the latest
    publication date of its evidence by then (a subquery, so the board stays one query)."""

    return Subquery(
        Claim.changes.through.objects.filter(
            statuschange_id=OuterRef("pk"), claim__notice__published_at__lte=at
        )
        .exclude(claim__review_state="rejected")
        .order_by()
        .values("statuschange_id")
        .annotate(latest=Max("claim__notice__published_at"))
        .values("latest")
    )


def confirmations_as_of(*, change_ids: list[int], at: datetime) -> dict[int, datetime]:
    """When each of these entries was last confirmed as things stood at `at` (one query)."""
    if not change_ids:
        return {}
    rows = (
        StatusChange.objects.filter(pk__in=change_ids)
        .annotate(confirmed=confirmed_as_of(at))
        .filter(confirmed__isnull=False)
        .values_list("pk", "confirmed")
    )
    return dict(rows)


def status_from_current(row: CurrentStatus) -> AudienceStatus:
    """A row from `current_status_rows` (annotated with `stale`)."""
    return AudienceStatus(
        audience=row.audience,
        status=row.status,
        since=row.since,
        summary=row.summary,
        change_id=row.change_id,
        last_confirmed_at=row.last_confirmed_at,
        in_review=row.in_review,
        unconfirmed=row.unconfirmed,
        conflicting_ids=tuple(row.conflicting_claim_ids),
        stale=row.stale,
    )


def status_from_change(
    change: StatusChange, *, at: datetime, confirmed_at: datetime | None
) -> AudienceStatus:
    confirmed = max(filter(None, (change.effective_at, confirmed_at)))
    return AudienceStatus(
        audience=change.audience,
        status=change.status,
        since=change.effective_at,
        summary=change.summary,
        change_id=change.pk,
        last_confirmed_at=confirmed,
        unconfirmed=change.unconfirmed,
        stale=is_stale(confirmed_at=confirmed, at=at),
    )
