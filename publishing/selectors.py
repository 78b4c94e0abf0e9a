"""Read queries for destinations and status. Views and serializers call these; never write."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import pycountry
from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from destinations.models import (
    Audience,
    CurrentStatus,
    Destination,
    DestinationAlias,
    DestinationKind,
    Status,
    StatusChange,
)
from destinations.normalise import normalise_name


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

AUDIENCE_ORDER = {Audience.FOREIGN: 0, Audience.DOMESTIC: 1}


def audience_sort_key(audience: str) -> tuple[int, str]:
    """All foreign visitors first, then domestic visitors, then single nationalities by code."""
    return (AUDIENCE_ORDER.get(audience, 2), audience)


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """A readable country name for an ISO code, without touching the database."""
    if not code:
        return "Other places"
    from destinations.gazetteer import COMMON_ALIASES, DISPLAY_NAMES

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


@dataclass
class BoardDestination:
    destination: Destination
    statuses: list[AudienceStatus] = field(default_factory=list)


@dataclass
class CountryGroup:
    code: str
    name: str
    destinations: list[BoardDestination] = field(default_factory=list)


def destination_search(*, query: str) -> Q:
    """Match a destination by its name or any alias, ignoring case, hyphens and diacritics.

    Aliases are compared on their stored normalised form, so "wonsan kalma", "Wonsan-Kalma"
    and "Wŏnsan Kalma" all find the resort. Returned as a condition on Destination, built
    on a subquery so an alias match never duplicates rows.
    """
    folded = normalise_name(query)
    by_alias = DestinationAlias.objects.filter(normalised__contains=folded).values("destination_id")
    return Q(name__icontains=query.strip()) | Q(pk__in=by_alias)


def _destination_conditions(
    *, prefix: str, country: str | None, kind: str | None, query: str | None
) -> Q:
    condition = Q()
    if country:
        condition &= Q(**{f"{prefix}country_code": country})
    if kind:
        condition &= Q(**{f"{prefix}kind": kind})
    if query:
        search = destination_search(query=query)
        ids = Destination.objects.filter(search).values("pk")
        condition &= Q(**{f"{prefix}pk__in": ids})
    return condition


def latest_changes_as_of(*, at: datetime, destination_filter: Q | None = None) -> QuerySet:
    """The corrected-timeline entry in force at `at` for every (destination, audience), in ONE
    query: a ROW_NUMBER window over the history picks each partition's latest entry, so the
    cost is one indexed scan however many destinations there are (portable to SQLite and
    PostgreSQL; no DISTINCT ON)."""
    changes = StatusChange.objects.not_superseded().filter(effective_at__lte=at)
    if destination_filter is not None:
        changes = changes.filter(destination_filter)
    return (
        changes.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("destination_id"), F("audience")],
                order_by=[F("effective_at").desc(), F("id").desc()],
            )
        )
        .filter(position=1)
        .select_related("destination")
    )


BOARD_PAGE_SIZE = 50


@dataclass
class BoardPage:
    """One page of the board: destinations grouped by country, and where this page sits."""

    groups: list[CountryGroup]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def count(self) -> int:
        return sum(len(group.destinations) for group in self.groups)


def _board_sort_key(destination: Destination) -> tuple:
    return (
        destination.country_code == "",
        destination.country_code,
        destination.kind != DestinationKind.COUNTRY,
        destination.name,
        destination.pk,
    )


def board(
    *,
    at: datetime | None = None,
    status: str | None = None,
    audience: str | None = None,
    stale: bool | None = None,
    country: str | None = None,
    kind: str | None = None,
    query: str | None = None,
    page: int = 1,
    per_page: int = BOARD_PAGE_SIZE,
    now: datetime | None = None,
) -> BoardPage:
    """Destinations with a known status, grouped by country (by ISO code), one page at a time.

    Without `at` it reads the CurrentStatus projection and pages in SQL: a count, the page's
    destinations, their statuses (three queries whatever the size). With `at` it reads the
    history as it stood then in one window-function query, and when each entry was last
    confirmed in one more, and pages in memory. `status`, `audience` and `stale` mean what
    `StatusFilter` says; when they narrow the rows, only the matching audience is shown.
    Staleness is judged at `at`, or `now`.
    """
    wanted = StatusFilter(status=status, audience=audience, stale=stale)
    now = now or datetime.now(UTC)
    conditions = _destination_conditions(prefix="", country=country, kind=kind, query=query)
    offset = (page - 1) * per_page
    rows: list[tuple[Destination, AudienceStatus]] = []
    if at is None:
        matching = wanted.rows(current_status_rows(now=now), now=now)
        destinations = (
            Destination.objects.filter(conditions)
            .filter(Exists(matching.filter(destination=OuterRef("pk"))))
            .annotate(
                no_country=Case(When(country_code="", then=1), default=0),
                not_country=Case(When(kind=DestinationKind.COUNTRY, then=0), default=1),
            )
            .order_by("no_country", "country_code", "not_country", "name", "id")
        )
        total = destinations.count()
        chosen = {d.pk: d for d in destinations[offset : offset + per_page]} if total else {}
        for row in matching.filter(destination_id__in=list(chosen)):
            rows.append((chosen[row.destination_id], _from_current(row)))
    else:
        history_conditions = _destination_conditions(
            prefix="destination__", country=country, kind=kind, query=query
        )
        latest = latest_changes_as_of(at=at, destination_filter=history_conditions).annotate(
            confirmed=_confirmed_as_of(at)
        )
        for change in latest:
            # Filtered here, not in SQL: a WHERE on status would pick the latest entry *with*
            # that status instead of asking whether the latest entry has it.
            if change.status == Status.UNKNOWN:
                continue
            audience_status = _from_change(change, at=at, confirmed_at=change.confirmed)
            if wanted.matches(audience_status):
                rows.append((change.destination, audience_status))
        ordered = sorted({d.pk: d for d, _ in rows}.values(), key=_board_sort_key)
        total = len(ordered)
        keep = {d.pk for d in ordered[offset : offset + per_page]}
        rows = [(d, s) for d, s in rows if d.pk in keep]
    return BoardPage(groups=_group_by_country(rows), total=total, number=page, per_page=per_page)


def _confirmed_as_of(at: datetime) -> Subquery:
    """Per history entry, when it was last confirmed as things stood at `at`: the latest
    publication date of its evidence by then (a subquery, so the board stays one query)."""
    from advisories.models import Claim

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
        .annotate(confirmed=_confirmed_as_of(at))
        .filter(confirmed__isnull=False)
        .values_list("pk", "confirmed")
    )
    return dict(rows)


def _from_current(row: CurrentStatus) -> AudienceStatus:
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


def _from_change(
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


def _group_by_country(rows: list[tuple[Destination, AudienceStatus]]) -> list[CountryGroup]:
    by_destination: dict[int, BoardDestination] = {}
    for destination, audience_status in rows:
        entry = by_destination.setdefault(destination.pk, BoardDestination(destination))
        entry.statuses.append(audience_status)
    groups: dict[str, CountryGroup] = {}
    for entry in by_destination.values():
        entry.statuses.sort(key=lambda s: audience_sort_key(s.audience))
        code = entry.destination.country_code
        groups.setdefault(code, CountryGroup(code=code, name=country_name(code)))
        groups[code].destinations.append(entry)
    for group in groups.values():
        # The country itself leads its group, then its places by name.
        group.destinations.sort(
            key=lambda e: (e.destination.kind != DestinationKind.COUNTRY, e.destination.name)
        )
    return sorted(groups.values(), key=lambda g: (g.code == "", g.code))


@dataclass(frozen=True)
class BoardChoices:
    countries: set[str]
    audiences: set[str]


def board_choices() -> BoardChoices:
    """The countries and audiences that have a known status: the board's filter options, in
    one query."""
    pairs = (
        CurrentStatus.objects.exclude(status=Status.UNKNOWN)
        .values_list("destination__country_code", "audience")
        .distinct()
    )
    countries, audiences = set(), set()
    for code, audience in pairs:
        if code:
            countries.add(code)
        audiences.add(audience)
    return BoardChoices(countries=countries, audiences=audiences)


def last_reconciled_at() -> datetime | None:
    """When reconciliation last looked at any destination: the board's freshness line."""
    return Destination.objects.aggregate(latest=Max("reconciled_at"))["latest"]


# --- Destination page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A stretch of time one status held, for the timeline picture."""

    status: str
    start: datetime
    end: datetime
    summary: str = ""

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class DestinationOverview:
    destination: Destination
    at: datetime | None
    statuses: list[AudienceStatus]
    changes: list[StatusChange]
    evidence: dict[int, list[Any]]
    spans: dict[str, list[Span]]
    children: list[Destination]
    aliases: list[DestinationAlias]
    window_start: datetime | None
    window_end: datetime


def _with_conflicting_claims(statuses: list[AudienceStatus]) -> list[AudienceStatus]:
    """Attach the claims that speak against each status, in one query for the whole page."""
    from advisories.models import Claim

    wanted = {pk for s in statuses for pk in s.conflicting_ids}
    if not wanted:
        return statuses
    claims = {
        c.pk: c
        for c in Claim.objects.filter(pk__in=wanted)
        .exclude(review_state="rejected")
        .select_related("notice__source")
    }
    return [
        replace(s, conflicting=tuple(claims[pk] for pk in s.conflicting_ids if pk in claims))
        for s in statuses
    ]


def statuses_from_history(
    *, changes: list[StatusChange], at: datetime, confirmed: dict[int, datetime] | None = None
) -> list[AudienceStatus]:
    """Per audience, the entry in force at `at`, from an already loaded corrected timeline.

    "Since" is the start of the run of that status: a correction that restores the same status
    does not restart the clock. `confirmed` (from `confirmations_as_of`) says when each entry
    was last confirmed; without it, an entry counts as confirmed when it took effect. Staleness
    is judged at `at`.
    """
    confirmed = confirmed or {}
    by_audience: dict[str, list[StatusChange]] = {}
    for change in sorted(changes, key=lambda c: (c.effective_at, c.pk)):
        if change.effective_at <= at:
            by_audience.setdefault(change.audience, []).append(change)
    statuses = []
    for audience, history in by_audience.items():
        latest = history[-1]
        start = latest
        for earlier in reversed(history[:-1]):
            if earlier.status != latest.status:
                break
            start = earlier
        since = start.effective_at
        if latest.status == Status.UNKNOWN:
            continue
        last_confirmed = max(
            [latest.effective_at]
            + [confirmed[c.pk] for c in history if c.status == latest.status and c.pk in confirmed]
        )
        statuses.append(
            AudienceStatus(
                audience=audience,
                status=latest.status,
                since=since,
                summary=latest.summary,
                change_id=latest.pk,
                last_confirmed_at=last_confirmed,
                unconfirmed=start.unconfirmed,
                stale=is_stale(confirmed_at=last_confirmed, at=at),
            )
        )
    return sorted(statuses, key=lambda s: audience_sort_key(s.audience))


def timeline_spans(
    *, changes: list[StatusChange], start: datetime, end: datetime
) -> dict[str, list[Span]]:
    """Per audience, consecutive spans of one status between `start` and `end`.

    Time before the first entry is "unknown"; consecutive entries of the same status merge
    into one span, so a correction that changes nothing draws nothing new.
    """
    spans: dict[str, list[Span]] = {}
    ordered = sorted(changes, key=lambda c: (c.effective_at, c.pk))
    for audience in sorted({c.audience for c in ordered}, key=audience_sort_key):
        current_status, current_start, summary = Status.UNKNOWN.value, start, ""
        audience_spans: list[Span] = []
        for change in (c for c in ordered if c.audience == audience):
            moment = min(max(change.effective_at, start), end)
            if change.status == current_status:
                continue
            if moment > current_start:
                audience_spans.append(Span(current_status, current_start, moment, summary))
            current_status, current_start, summary = change.status, moment, change.summary
        if end > current_start:
            audience_spans.append(Span(current_status, current_start, end, summary))
        spans[audience] = audience_spans
    return spans


def destination_overview(
    *, destination: Destination, at: datetime | None = None, now: datetime
) -> DestinationOverview:
    """Everything the destination page shows, in a fixed number of queries.

    The whole corrected timeline is read once; statuses as of a date, the timeline picture and
    the change list are all derived from it. Evidence for every entry comes in one more query
    through the claim-change link table.
    """
    from advisories.models import Claim

    changes = list(timeline(destination=destination).order_by("-effective_at", "-id"))
    links = (
        Claim.changes.through.objects.filter(statuschange__destination=destination)
        .select_related("claim__notice__source")
        .order_by("-claim__notice__published_at", "claim_id")
    )
    evidence: dict[int, list[Any]] = {}
    for link in links:
        if link.claim.review_state != "rejected":
            evidence.setdefault(link.statuschange_id, []).append(link.claim)

    if at is None:
        statuses = [
            _from_current(row)
            for row in current_status_rows(now=now).filter(destination=destination)
        ]
        statuses.sort(key=lambda s: audience_sort_key(s.audience))
        statuses = _with_conflicting_claims(statuses)
    else:
        confirmed = {
            change_id: max(published)
            for change_id, claims in evidence.items()
            if (published := [c.notice.published_at for c in claims if c.notice.published_at <= at])
        }
        statuses = statuses_from_history(changes=changes, at=at, confirmed=confirmed)

    window_end = min(at, now) if at is not None else now
    shown = [c for c in changes if c.effective_at <= window_end]
    window_start = None
    spans: dict[str, list[Span]] = {}
    if shown:
        first = min(c.effective_at for c in shown)
        # A little lead-in before the first entry, so its span does not start at the edge.
        window_start = first - max((window_end - first) / 20, timedelta(days=1))
        spans = timeline_spans(changes=shown, start=window_start, end=window_end)

    children = list(
        Destination.objects.filter(parent=destination)
        .prefetch_related(
            Prefetch(
                "current_statuses",
                queryset=CurrentStatus.objects.exclude(status=Status.UNKNOWN),
            )
        )
        .order_by("name")
    )
    return DestinationOverview(
        destination=destination,
        at=at,
        statuses=statuses,
        changes=shown,
        evidence=evidence,
        spans=spans,
        children=children,
        aliases=list(destination.aliases.all()),
        window_start=window_start,
        window_end=window_end,
    )


def recent_changes(
    *,
    since: datetime | None = None,
    destination: Destination | None = None,
    country: str | None = None,
) -> QuerySet[StatusChange]:
    """The corrected history across destinations, most recently recorded first (the feed)."""
    changes = StatusChange.objects.not_superseded().select_related("destination")
    if since is not None:
        changes = changes.filter(recorded_at__gte=since)
    if destination is not None:
        changes = changes.filter(destination=destination)
    if country:
        changes = changes.filter(destination__country_code=country)
    return changes.order_by("-recorded_at", "-id")


def end_of_day(day: date) -> datetime:
    """The last moment of a UTC day: `?at=2025-07-20` includes what took effect that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)
