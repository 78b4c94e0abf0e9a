"""The board: destinations with a known status, grouped by country, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import (
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from destinations.models import (
    BOARD_ORDER,
    Audience,
    CurrentStatus,
    Destination,
    DestinationAlias,
    DestinationKind,
    Status,
    StatusChange,
)
from destinations.normalise import normalise_name
from publishing.selectors.statuses import (
    AudienceStatus,
    StatusFilter,
    confirmed_as_of,
    country_name,
    current_status_rows,
    status_from_change,
    status_from_current,
)


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
        # Ordered by the terms of destination_board_order_idx: a page is read from the index.
        destinations = (
            Destination.objects.filter(conditions)
            .filter(Exists(matching.filter(destination=OuterRef("pk"))))
            .order_by(*BOARD_ORDER)
        )
        if conditions or wanted.narrows_rows:
            total = destinations.count()
        else:
            # Every destination with a known status: counted on the current-status table's
            # partial index, without visiting the destinations.
            total = _known().values("destination_id").distinct().count()
        chosen = {d.pk: d for d in destinations[offset : offset + per_page]} if total else {}
        for row in matching.filter(destination_id__in=list(chosen)):
            rows.append((chosen[row.destination_id], status_from_current(row)))
    else:
        history_conditions = _destination_conditions(
            prefix="destination__", country=country, kind=kind, query=query
        )
        latest = latest_changes_as_of(at=at, destination_filter=history_conditions).annotate(
            confirmed=confirmed_as_of(at)
        )
        for change in latest:
            # Filtered here, not in SQL: a WHERE on status would pick the latest entry *with*
            # that status instead of asking whether the latest entry has it.
            if change.status == Status.UNKNOWN:
                continue
            audience_status = status_from_change(change, at=at, confirmed_at=change.confirmed)
            if wanted.matches(audience_status):
                rows.append((change.destination, audience_status))
        ordered = sorted({d.pk: d for d, _ in rows}.values(), key=_board_sort_key)
        total = len(ordered)
        keep = {d.pk for d in ordered[offset : offset + per_page]}
        rows = [(d, s) for d, s in rows if d.pk in keep]
    return BoardPage(groups=_group_by_country(rows), total=total, number=page, per_page=per_page)


def _group_by_country(rows: list[tuple[Destination, AudienceStatus]]) -> list[CountryGroup]:
    by_destination: dict[int, BoardDestination] = {}
    for destination, audience_status in rows:
        entry = by_destination.setdefault(destination.pk, BoardDestination(destination))
        entry.statuses.append(audience_status)
    groups: dict[str, CountryGroup] = {}
    for entry in by_destination.values():
        entry.statuses.sort(key=lambda s: Audience.sort_key(s.audience))
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


def _known() -> QuerySet[CurrentStatus]:
    return CurrentStatus.objects.exclude(status=Status.UNKNOWN)


def board_choices() -> BoardChoices:
    """The countries and audiences that have a known status: the board's filter options, in
    two queries whose cost follows the number of countries and of current-status rows, never
    the number of destinations joined to them.

    A country is offered when some place with its code has a known status; asked per country
    row (every ISO country has one, loaded by migration) as an indexed probe per country.
    """
    # A scalar subquery (LIMIT 1), not EXISTS: PostgreSQL would turn EXISTS into one semi-join
    # over every destination; this stays a probe per country that stops at its first place.
    known_place = Subquery(
        Destination.objects.filter(country_code=OuterRef("country_code"))
        .filter(Exists(_known().filter(destination=OuterRef("pk"))))
        .order_by()
        .values("pk")[:1]
    )
    countries = (
        Destination.objects.filter(kind=DestinationKind.COUNTRY)
        .exclude(country_code="")
        .annotate(known_place=known_place)
        .filter(known_place__isnull=False)
        .order_by()
        .annotate(is_country=Value(True))
        .values_list("is_country", "country_code")
    )
    audiences = (
        _known().order_by().annotate(is_country=Value(False)).values_list("is_country", "audience")
    )
    choices = BoardChoices(countries=set(), audiences=set())
    # One round-trip: UNION also drops the duplicate audiences.
    for is_country, value in countries.union(audiences):
        (choices.countries if is_country else choices.audiences).add(value)
    return choices


UNSTATED_LIMIT = 20


def destinations_without_status(
    *, query: str, country: str | None = None, kind: str | None = None, limit: int = UNSTATED_LIMIT
) -> list[Destination]:
    """Destinations a search finds that have no known status yet (one query, at most `limit`).

    The board lists only known statuses; these are shown beside it so a search for a place we
    track but know nothing about yet says so instead of "nothing matches".
    """
    known = CurrentStatus.objects.exclude(status=Status.UNKNOWN).filter(destination=OuterRef("pk"))
    conditions = _destination_conditions(prefix="", country=country, kind=kind, query=query)
    return list(
        Destination.objects.filter(conditions)
        .exclude(Exists(known))
        .annotate(
            not_country=Case(When(kind=DestinationKind.COUNTRY, then=0), default=1),
        )
        .order_by("not_country", "name", "id")[:limit]
    )


def last_reconciled_at() -> datetime | None:
    """When reconciliation last looked at any destination: the board's freshness line."""
    return Destination.objects.aggregate(latest=Max("reconciled_at"))["latest"]
