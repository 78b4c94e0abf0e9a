"""One destination's page: statuses per audience with their evidence, the timeline's spans,
and the recent changes list (also read by the feeds and the changes API)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Max,
    Prefetch,
    QuerySet,
)

from advisories.models import Claim
from destinations.models import (
    Audience,
    CurrentStatus,
    Destination,
    DestinationAlias,
    Status,
    StatusChange,
)
from publishing.selectors.statuses import (
    AudienceStatus,
    current_status_rows,
    is_stale,
    status_from_current,
    timeline,
)

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
    return sorted(statuses, key=lambda s: Audience.sort_key(s.audience))


def timeline_spans(
    *, changes: list[StatusChange], start: datetime, end: datetime
) -> dict[str, list[Span]]:
    """Per audience, consecutive spans of one status between `start` and `end`.

    Time before the first entry is "unknown"; consecutive entries of the same status merge
    into one span, so a correction that changes nothing draws nothing new.
    """
    spans: dict[str, list[Span]] = {}
    ordered = sorted(changes, key=lambda c: (c.effective_at, c.pk))
    for audience in sorted({c.audience for c in ordered}, key=Audience.sort_key):
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
            status_from_current(row)
            for row in current_status_rows(now=now).filter(destination=destination)
        ]
        statuses.sort(key=lambda s: Audience.sort_key(s.audience))
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


CHANGE_ORDERS = {
    # When we learnt of it: what a feed reader or an API poller wants next.
    "recorded": ("-recorded_at", "-id"),
    # When it happened: the order a reader of the changes page follows.
    "effective": ("-effective_at", "-recorded_at", "-id"),
}


def recent_changes(
    *,
    since: datetime | None = None,
    destination: Destination | None = None,
    country: str | None = None,
    order: str = "recorded",
) -> QuerySet[StatusChange]:
    """The corrected history across destinations, newest first: most recently recorded (the
    feeds and the API) or, with ``order="effective"``, latest to take effect (the changes page)."""
    changes = StatusChange.objects.not_superseded().select_related("destination")
    if since is not None:
        changes = changes.filter(recorded_at__gte=since)
    if destination is not None:
        changes = changes.filter(destination=destination)
    if country:
        # The history's copy of the place's country: read through change_country_recorded_idx.
        changes = changes.filter(country_code=country)
    return changes.order_by(*CHANGE_ORDERS[order])


COUNT_EXACTLY_UP_TO = 2_000


def count_changes(changes: QuerySet[StatusChange]) -> tuple[int, bool]:
    """How many changes a list holds, and whether that is an estimate.

    Counted exactly up to COUNT_EXACTLY_UP_TO (a scan bounded by that, whatever the history's
    length); past it, PostgreSQL's own estimate of the table's rows (`pg_class.reltuples`, kept
    by ANALYZE and autovacuum) stands in, which counts superseded entries too: "about". One
    query on PostgreSQL, the estimate read beside the bounded count.
    """
    if connection.vendor != "postgresql":
        return changes.count(), False  # SQLite: a development database, counted exactly
    bounded = changes.order_by()[: COUNT_EXACTLY_UP_TO + 1].values("pk")
    sql, params = bounded.query.sql_with_params()
    estimate = "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass"
    query = f"SELECT count(*), ({estimate}) FROM ({sql}) AS bounded"  # noqa: S608 (ORM's SQL)
    with connection.cursor() as cursor:
        cursor.execute(query, [StatusChange._meta.db_table, *params])
        exact, estimate = cursor.fetchone()
    if exact <= COUNT_EXACTLY_UP_TO:
        return exact, False
    return max(exact, estimate or 0), True


def last_change_recorded_at() -> datetime | None:
    """When the service last recorded any change: the date of a feed with no entries."""
    return StatusChange.objects.aggregate(latest=Max("recorded_at"))["latest"]
