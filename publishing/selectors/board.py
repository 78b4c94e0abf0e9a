"""The board: destinations with a known status, grouped by country, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber

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
from destinations.status_version import status_cache_version
from publishing.selectors.statuses import (
    AudienceStatus,
    StatusFilter,
    confirmed_as_of,
    country_name,
    current_status_rows,
    stale_cutoff,
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


def latest_changes_as_of(*, at: datetime, destination_ids: list[int]) -> QuerySet:
    """The corrected-timeline entry in force at `at` for each (destination, audience) of these
    destinations (the board's page).

    On PostgreSQL one indexed probe per (destination, audience) through change_timeline_idx:
    the audiences are found by skipping from one to the next in that index (a recursive CTE),
    then the latest entry at `at` read for each, so a busy place's long history is never read
    row by row. Elsewhere (SQLite, a development database) a ROW_NUMBER window over the page's
    histories gives the same answer. Each entry comes annotated with `confirmed`: when it was
    last confirmed as things stood at `at`.
    """
    changes = StatusChange.objects.not_superseded().annotate(confirmed=confirmed_as_of(at))
    if connection.vendor == "postgresql":
        return changes.filter(pk__in=_latest_ids_as_of(at=at, destination_ids=destination_ids))
    return (
        changes.filter(effective_at__lte=at, destination_id__in=destination_ids)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("destination_id"), F("audience")],
                order_by=[F("effective_at").desc(), F("id").desc()],
            )
        )
        .filter(position=1)
    )


def _latest_ids_as_of(*, at: datetime, destination_ids: list[int]) -> list[int]:
    change = StatusChange._meta.db_table
    place = Destination._meta.db_table
    sql = f"""
        WITH RECURSIVE pair(destination_id, audience) AS (
            SELECT place.id, (
                SELECT entry.audience FROM {change} AS entry
                WHERE entry.destination_id = place.id
                ORDER BY entry.audience LIMIT 1
            )
            FROM {place} AS place WHERE place.id = ANY(%s)
          UNION ALL
            SELECT pair.destination_id, (
                SELECT entry.audience FROM {change} AS entry
                WHERE entry.destination_id = pair.destination_id AND entry.audience > pair.audience
                ORDER BY entry.audience LIMIT 1
            )
            FROM pair WHERE pair.audience IS NOT NULL
        )
        SELECT (
            SELECT entry.id FROM {change} AS entry
            WHERE entry.destination_id = pair.destination_id AND entry.audience = pair.audience
              AND entry.effective_at <= %s AND entry.rule <> %s
              AND NOT EXISTS (
                  SELECT 1 FROM {change} AS later WHERE later.supersedes_id = entry.id
              )
            ORDER BY entry.effective_at DESC, entry.id DESC LIMIT 1
        )
        FROM pair WHERE pair.audience IS NOT NULL
    """  # noqa: S608 (the models' table names)
    with connection.cursor() as cursor:
        cursor.execute(sql, [destination_ids, at, "retraction"])
        return [pk for (pk,) in cursor.fetchall() if pk is not None]


def _known_as_of(*, at: datetime, wanted: StatusFilter) -> QuerySet[StatusChange]:
    """For a subquery on a Destination (OuterRef "pk"): its history entries that, at `at`, are
    the latest of their audience, known, and what `wanted` asks for.

    A per-destination probe through change_timeline_idx: a candidate entry, then "is there a
    later one for its audience?". The board walks destinations in its own order and stops at a
    page, so its cost follows the page (and those places' histories), not the whole history.
    """
    latest_of_audience = (
        StatusChange.objects.not_superseded()
        .filter(
            destination=OuterRef("destination"),
            audience=OuterRef("audience"),
            effective_at__lte=at,
        )
        .order_by("-effective_at", "-id")
        .values("pk")[:1]
    )
    candidates = (
        StatusChange.objects.not_superseded()
        .filter(destination=OuterRef("pk"), effective_at__lte=at)
        .exclude(status=Status.UNKNOWN)
        .order_by()  # any match will do: no sort, the probe stops at the first
    )
    if wanted.status:
        candidates = candidates.filter(status=wanted.status)
    if wanted.row_audience:
        candidates = candidates.filter(audience=wanted.row_audience)
    candidates = candidates.filter(pk=Subquery(latest_of_audience))
    if wanted.stale is not None:
        # As status_from_change judges it: confirmed when it took effect, or by later evidence.
        confirmed = Greatest("effective_at", Coalesce(confirmed_as_of(at), "effective_at"))
        candidates = candidates.alias(confirmed_then=confirmed)
        stale_then = Q(confirmed_then__lt=stale_cutoff(at))
        candidates = candidates.filter(stale_then if wanted.stale else ~stale_then)
    return candidates


BOARD_PAGE_SIZE = 50
# The deepest page the board serves: a page is read from destination_board_order_idx with an
# OFFSET, and this bounds the offset (2,000 entries, a few milliseconds) whatever the number of
# destinations. Past it, a filter (a country, a search) narrows the board instead.
BOARD_MAX_PAGE = 40


@dataclass
class BoardPage:
    """One page of the board: destinations grouped by country, and where this page sits.

    `total` is exact unless `total_is_lower_bound`: a filtered board counts only as far as its
    deepest page (BOARD_MAX_PAGE), and the board as of a moment only as far as this page, so
    the count costs what the pages cost.
    """

    groups: list[CountryGroup]
    total: int
    number: int
    per_page: int
    total_is_lower_bound: bool = False

    @property
    def all_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def pages(self) -> int:
        """The pages a reader can open (one more when more are known to follow), at most
        BOARD_MAX_PAGE."""
        return min(self.all_pages + int(self.total_is_lower_bound), BOARD_MAX_PAGE)

    @property
    def pages_cut(self) -> bool:
        """True when the board holds more than its deepest page reaches."""
        return self.all_pages + int(self.total_is_lower_bound) > BOARD_MAX_PAGE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def count(self) -> int:
        return sum(len(group.destinations) for group in self.groups)


def _bounded_count(destinations: QuerySet[Destination], *, per_page: int) -> tuple[int, bool]:
    """How many there are, counting no further than the board's deepest page: (count, more).
    A current-status probe per place, at most BOARD_MAX_PAGE pages of them (a few ms)."""
    reach = BOARD_MAX_PAGE * per_page
    counted = destinations.order_by()[: reach + 1].count()
    return min(counted, reach), counted > reach


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

    Both ways walk destination_board_order_idx and test each place with an indexed probe,
    stopping at the page: without `at` on the CurrentStatus projection, with `at` on the
    history as it stood then (`_known_as_of`). One more query reads the page's statuses (with
    `at`, the page's histories as of then). The unfiltered board's count is kept with its
    choices under the status version (`board_summary`); a filtered one is counted only as far
    as the deepest page. `status`, `audience` and `stale` mean what `StatusFilter` says; when
    they narrow the rows, only the matching audience is shown. Staleness is judged at `at`, or
    `now`.
    """
    wanted = StatusFilter(status=status, audience=audience, stale=stale)
    now = now or datetime.now(UTC)
    conditions = _destination_conditions(prefix="", country=country, kind=kind, query=query)
    offset = (page - 1) * per_page
    destinations = Destination.objects.filter(conditions)
    if country:
        # The index's first term (places with no country last) is settled by the country; said
        # outright, a page is a range of destination_board_order_idx, not a walk of all of it.
        destinations = destinations.alias(no_country=BOARD_ORDER[0]).filter(no_country=0)
    if at is None:
        matching = wanted.rows(current_status_rows(now=now), now=now)
        destinations = destinations.filter(Exists(matching.filter(destination=OuterRef("pk"))))
    else:
        # A scalar subquery (LIMIT 1), not EXISTS: PostgreSQL turns EXISTS into one semi-join
        # over the whole history; this stays a probe per place that stops at its first match.
        first_known = Subquery(_known_as_of(at=at, wanted=wanted).values("pk")[:1])
        destinations = destinations.alias(known_then=first_known).filter(known_then__isnull=False)
    # Ordered by the terms of destination_board_order_idx: a page is read from the index.
    destinations = destinations.order_by(*BOARD_ORDER)
    more = False
    if at is not None:
        # Each place costs a probe of its history: the board as it stood is not counted; a page
        # reads one place more to know whether another page follows.
        found = list(destinations[offset : offset + per_page + 1])
        more = len(found) > per_page
        chosen = {d.pk: d for d in found[:per_page]}
        total = offset + len(chosen)
    else:
        if not conditions and not wanted.narrows_rows:
            total = board_summary().known_destinations
        else:
            total, more = _bounded_count(destinations, per_page=per_page)
        chosen = {d.pk: d for d in destinations[offset : offset + per_page]} if total else {}
    rows: list[tuple[Destination, AudienceStatus]] = []
    if at is None:
        for row in matching.filter(destination_id__in=list(chosen)):
            rows.append((chosen[row.destination_id], status_from_current(row)))
    elif chosen:
        for change in latest_changes_as_of(at=at, destination_ids=list(chosen)):
            # Filtered here as in `_known_as_of`: a WHERE on status would pick the latest entry
            # *with* that status instead of asking whether the latest entry has it.
            if change.status == Status.UNKNOWN:
                continue
            audience_status = status_from_change(change, at=at, confirmed_at=change.confirmed)
            if wanted.matches(audience_status):
                rows.append((chosen[change.destination_id], audience_status))
    return BoardPage(
        groups=_group_by_country(rows),
        total=total,
        number=page,
        per_page=per_page,
        total_is_lower_bound=more,
    )


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


@dataclass(frozen=True)
class BoardSummary:
    """What the unfiltered board says about the whole table: how many places have a known
    status, and the filter options."""

    known_destinations: int
    choices: BoardChoices


# Kept under the status version: every write that changes what the board shows moves the
# version (destinations/status_version.py), so an entry is never read after what it counts
# changed; older entries are unreachable and expire.
SUMMARY_KEY = "portcullis:board-summary:{version}"
SUMMARY_TTL_SECONDS = 24 * 3600


def _known() -> QuerySet[CurrentStatus]:
    return CurrentStatus.objects.exclude(status=Status.UNKNOWN)


def board_summary() -> BoardSummary:
    """The board's count and filter options, computed once per status version.

    The count needs every current-status row (distinct places), so rather than pay for it on
    every uncached page, the answer is kept in the shared cache under the status version:
    recomputed after a status changes, otherwise one cache read whatever the table's size.
    """
    key = SUMMARY_KEY.format(version=status_cache_version())
    summary = cache.get(key)
    if summary is None:
        summary = BoardSummary(
            known_destinations=_known().values("destination_id").distinct().count(),
            choices=_board_choices(),
        )
        cache.set(key, summary, SUMMARY_TTL_SECONDS)
    return summary


def board_choices() -> BoardChoices:
    """The countries and audiences that have a known status: the board's filter options."""
    return board_summary().choices


def _board_choices() -> BoardChoices:
    """Two queries whose cost follows the number of countries and of audiences, not places.

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
    countries = set(
        Destination.objects.filter(kind=DestinationKind.COUNTRY)
        .exclude(country_code="")
        .annotate(known_place=known_place)
        .filter(known_place__isnull=False)
        .values_list("country_code", flat=True)
    )
    return BoardChoices(countries=countries, audiences=set(_known_audiences()))


def _known_audiences() -> list[str]:
    """The distinct audiences with a known status, skipping through
    current_status_known_aud_idx from one value to the next: a recursive CTE makes one probe
    per audience (a handful) instead of reading every current-status row."""
    table = CurrentStatus._meta.db_table
    unknown = Status.UNKNOWN.value
    sql = f"""
        WITH RECURSIVE present(audience) AS (
            SELECT (SELECT audience FROM {table} WHERE status <> %s
                    ORDER BY audience LIMIT 1)
            UNION ALL
            SELECT (SELECT audience FROM {table}
                    WHERE status <> %s AND audience > present.audience
                    ORDER BY audience LIMIT 1)
            FROM present WHERE present.audience IS NOT NULL
        )
        SELECT audience FROM present WHERE audience IS NOT NULL
    """  # noqa: S608 (a model's table name)
    with connection.cursor() as cursor:
        cursor.execute(sql, [unknown, unknown])
        return [audience for (audience,) in cursor.fetchall()]


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
