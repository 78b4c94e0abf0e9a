"""Reconciliation, database side: load each destination's inputs, let the policy decide, write.

The decisions themselves live in ``reconciliation.policy`` (pure). This module owns what the
policy cannot: locking, transactions, bulk reads and writes, and enqueueing alert fan-out after
commit. Every function here can be run any number of times; a second run finds nothing to do.

Concurrency: a batch locks its destination rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) and re-checks that they are still
due under the lock. As a backstop, ``StatusChange(destination, audience, sequence)`` is unique, so
two writers deciding from the same state cannot both append.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q

from advisories import handoffs
from advisories.models import Claim, CuratorOverride, ReviewState
from advisories.reconciliation.policy import (
    BY_CURATOR,
    ClaimInput,
    Decision,
    OverrideInput,
    Policy,
    RecordedEntry,
    Rule,
    decide,
)
from destinations.models import (
    Audience,
    CurrentStatus,
    DecidedBy,
    Destination,
    Status,
    StatusChange,
)
from destinations.status_version import status_cache_bump

logger = logging.getLogger(__name__)

ChangeLink = Claim.changes.through
_NATIONALITY = re.compile(r"^[A-Z]{2}$")
# One note per rule keeps the review-queue write a single UPDATE per batch; the explain view and
# the admin's "current status and its evidence" column show the particulars.
_HELD_NOTES = {
    Rule.OUTRANKED: "Held by reconciliation (outranked): describes the same days differently "
    "from a stronger side (a clearly more authoritative source, or more independent sources). "
    "Accept to apply it anyway, reject to drop it.",
    Rule.CONTESTED: "Held by reconciliation (contested): sources of similar authority "
    "contradict each other for the same period. Accept the right side, reject the other.",
    Rule.WEAK: "Held by reconciliation (weak evidence): too uncertain to change the status on "
    "its own. Accept to apply it, reject to drop it.",
}


def reconciliation_policy() -> Policy:
    """The policy with the numbers settings give (``RECONCILIATION`` dict), defaults otherwise."""
    conf = getattr(settings, "RECONCILIATION", {})
    default = Policy()

    def days(key: str, fallback: timedelta) -> timedelta:
        return timedelta(days=conf[key]) if key in conf else fallback

    return Policy(
        merge_window=days("MERGE_WINDOW_DAYS", default.merge_window),
        conflict_window=days("CONFLICT_WINDOW_DAYS", default.conflict_window),
        authority_margin=conf.get("AUTHORITY_MARGIN", default.authority_margin),
        min_change_confidence=conf.get("MIN_CHANGE_CONFIDENCE", default.min_change_confidence),
        low_authority=conf.get("LOW_AUTHORITY", default.low_authority),
    )


@dataclass(frozen=True)
class PairOutcome:
    """The decision for one audience, and the ids of the entries written for it."""

    audience: str
    decision: Decision
    change_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReconcileOutcome:
    destination_id: int
    slug: str
    pairs: tuple[PairOutcome, ...] = ()
    # Another worker held the destination (or it vanished): nothing was decided here.
    skipped: bool = False
    dry_run: bool = False

    @property
    def changes(self) -> int:
        return sum(len(p.decision.entries) for p in self.pairs)

    @property
    def links(self) -> int:
        """Claim-to-change evidence links, on new entries and added to existing ones."""
        return sum(
            sum(len(ids) for _, ids in p.decision.links)
            + sum(len(e.claim_ids) for e in p.decision.entries)
            for p in self.pairs
        )


@dataclass
class ReconcileSummary:
    destinations: int = 0
    changes: int = 0
    links: int = 0
    in_review: int = 0
    skipped: int = 0
    outcomes: list[ReconcileOutcome] = field(default_factory=list, repr=False)


def _due(now: datetime) -> Q:
    return Q(claims_version__gt=F("reconciled_version")) | Q(reconcile_after__lte=now)


def destination_reconcile(
    *, destination_id: int, now: datetime, dry_run: bool = False, policy: Policy | None = None
) -> ReconcileOutcome:
    """Reconcile one destination now, whether or not it is due (used by curators and commands)."""
    [outcome] = _reconcile_batch(
        destination_ids=[destination_id],
        now=now,
        dry_run=dry_run,
        policy=policy or reconciliation_policy(),
        only_due=False,
    )
    return outcome


def reconcile_pending(
    *, now: datetime, batch_size: int = 500, policy: Policy | None = None
) -> ReconcileSummary:
    """Reconcile every destination with new claims or a scheduled moment that has come.

    Destinations with nothing new are not even loaded, so the cost follows the new claims, not
    the size of the history.
    """
    policy = policy or reconciliation_policy()
    due = list(Destination.objects.filter(_due(now)).order_by("pk").values_list("pk", flat=True))
    summary = ReconcileSummary()
    for start in range(0, len(due), batch_size):
        chunk = due[start : start + batch_size]
        for outcome in _reconcile_batch(
            destination_ids=chunk, now=now, dry_run=False, policy=policy, only_due=True
        ):
            summary.outcomes.append(outcome)
            if outcome.skipped:
                summary.skipped += 1
                continue
            summary.destinations += 1
            summary.changes += outcome.changes
            summary.links += outcome.links
            summary.in_review += sum(p.decision.in_review for p in outcome.pairs)
    return summary


def claims_changed(*, destination_ids: Iterable[int]) -> None:
    """Mark destinations as having new or changed claims: the next run reconciles them.

    Call it in the same transaction that writes the claims, so the mark and the claims commit
    together.
    """
    ids = sorted(set(destination_ids))
    if ids:
        Destination.objects.filter(pk__in=ids).update(claims_version=F("claims_version") + 1)


def destination_explanation(*, destination: Destination, now: datetime) -> list[dict]:
    """Per audience: the status in force, the entry that set it, the claims and rules behind it.

    Read-only: the stored current status is what the public sees; the policy is re-run as a dry
    run so each claim's fate is explained with today's rules (and any pending change shows).
    """
    outcome = destination_reconcile(destination_id=destination.pk, now=now, dry_run=True)
    currents = {
        c.audience: c
        for c in CurrentStatus.objects.filter(destination=destination).select_related(
            "change", "change__curator"
        )
    }
    claims = {
        c.pk: c
        for c in Claim.objects.filter(destination=destination).select_related("notice__source")
    }
    result = []
    for pair in outcome.pairs:
        decision = pair.decision
        current = currents.get(pair.audience)
        change = current.change if current is not None else None
        considered = []
        for claim_id, (rule, why) in sorted(
            decision.claim_fates.items(), key=lambda item: (claims[item[0]].effective_at, item[0])
        ):
            claim = claims[claim_id]
            considered.append(
                {
                    "id": claim.pk,
                    "status": claim.status,
                    "effective_at": claim.effective_at,
                    "review_state": claim.review_state,
                    "confidence": claim.confidence,
                    "sentence": claim.sentence,
                    "source": claim.notice.source.name,
                    "authority": claim.notice.source.authority,
                    "notice_url": claim.notice.url,
                    "published_at": claim.notice.published_at,
                    "inherited": claim.audience != pair.audience,
                    "rule": str(rule),
                    "why": why,
                }
            )
        result.append(
            {
                "audience": pair.audience,
                "audience_label": Audience.label(pair.audience),
                "status": current.status if current else Status.UNKNOWN,
                "since": current.since if current else None,
                "last_confirmed_at": current.last_confirmed_at if current else None,
                "in_review": current.in_review if current else decision.in_review,
                "rule": change.rule if change else None,
                "change": None
                if change is None
                else {
                    "id": change.pk,
                    "status": change.status,
                    "previous_status": change.previous_status,
                    "effective_at": change.effective_at,
                    "recorded_at": change.recorded_at,
                    "summary": change.summary,
                    "rule": change.rule,
                    "reason": change.reason,
                    "decided_by": change.decided_by,
                    "curator": change.curator.get_username() if change.curator else None,
                    "confidence": change.confidence,
                },
                "pending_changes": len(decision.entries),
                "claims": considered,
                "explanations": [
                    {
                        "rule": str(note.rule),
                        "message": note.message,
                        "effective_at": note.effective_at,
                        "claim_ids": list(note.claim_ids),
                    }
                    for note in decision.explanations
                ],
            }
        )
    return result


# --- curator actions ---------------------------------------------------------------------------


def claims_review(
    *, claim_ids: Sequence[int], accept: bool, curator, note: str, now: datetime
) -> int:
    """Accept or reject claims (recorded with who and why), then reconcile their destinations."""
    if not note or not note.strip():
        raise ValidationError("Say why: a review decision needs a note.")
    destination_ids = sorted(
        set(Claim.objects.filter(pk__in=claim_ids).values_list("destination_id", flat=True))
    )
    with transaction.atomic():
        # Destinations first, then claims: the same lock order reconciliation takes.
        claims_changed(destination_ids=destination_ids)
        count = Claim.objects.filter(pk__in=claim_ids).update(
            review_state=ReviewState.ACCEPTED if accept else ReviewState.REJECTED,
            reviewed_by=curator,
            review_note=note.strip(),
        )
    for destination_id in destination_ids:
        destination_reconcile(destination_id=destination_id, now=now)
    return count


def override_create(
    *,
    destination: Destination,
    audience: str,
    status: str,
    reason: str,
    curator,
    now: datetime,
    summary: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> CuratorOverride:
    """Record a curator's override and apply it at once; it wins over automatic decisions."""
    Audience.validate(audience)
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why: an override needs a reason."})
    starts_at = starts_at or now
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must come after the start."})
    with transaction.atomic():
        claims_changed(destination_ids=[destination.pk])
        override = CuratorOverride.objects.create(
            destination=destination,
            audience=audience,
            status=status,
            summary=(summary or f"Set to {status} by a curator.")[:300],
            reason=reason.strip(),
            curator=curator,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=now,
        )
    destination_reconcile(destination_id=destination.pk, now=now)
    return override


# --- the batch ---------------------------------------------------------------------------------


@dataclass
class _Inputs:
    claims: dict[tuple[int, str], list[ClaimInput]] = field(
        default_factory=lambda: defaultdict(list)
    )
    overrides: dict[tuple[int, str], list[OverrideInput]] = field(
        default_factory=lambda: defaultdict(list)
    )
    timeline: dict[tuple[int, str], list[RecordedEntry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    sequence: dict[tuple[int, str], int] = field(default_factory=dict)
    current: dict[tuple[int, str], CurrentStatus] = field(default_factory=dict)
    review_state: dict[int, str] = field(default_factory=dict)

    def pairs(self) -> dict[int, list[str]]:
        """The audiences to decide for, per destination: any with claims, overrides or history."""
        audiences: dict[int, set[str]] = defaultdict(set)
        for table in (self.claims, self.overrides, self.timeline, self.current):
            for destination_id, audience in table:
                audiences[destination_id].add(audience)
        return {pk: sorted(found) for pk, found in audiences.items()}

    def claims_for(self, destination_id: int, audience: str) -> list[ClaimInput]:
        own = self.claims.get((destination_id, audience), [])
        if not _NATIONALITY.match(audience):
            return own
        # A statement about all foreign visitors covers this nationality too.
        general = self.claims.get((destination_id, Audience.FOREIGN), [])
        return own + [_inherit(c) for c in general]


def _inherit(claim: ClaimInput) -> ClaimInput:
    return ClaimInput(**{**claim.__dict__, "inherited": True})


def _reconcile_batch(
    *,
    destination_ids: Sequence[int],
    now: datetime,
    dry_run: bool,
    policy: Policy,
    only_due: bool,
) -> list[ReconcileOutcome]:
    try:
        with transaction.atomic():
            return _reconcile_locked(
                destination_ids=destination_ids,
                now=now,
                dry_run=dry_run,
                policy=policy,
                only_due=only_due,
            )
    except (IntegrityError, OperationalError) as exc:
        # Another writer appended from the same state first (unique sequence), or the database
        # picked this transaction as a deadlock victim: the whole batch rolled back and its
        # destinations stay due, so the next run does the work. Anything else is a real error.
        if isinstance(exc, OperationalError) and _sqlstate(exc) not in _RETRYABLE:
            raise
        logger.warning("reconcile: lost a race on %d destination(s): %s", len(destination_ids), exc)
        return [
            ReconcileOutcome(destination_id=pk, slug="", skipped=True) for pk in destination_ids
        ]


_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure


def _sqlstate(exc: Exception) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def _reconcile_locked(
    *,
    destination_ids: Sequence[int],
    now: datetime,
    dry_run: bool,
    policy: Policy,
    only_due: bool,
) -> list[ReconcileOutcome]:
    rows = Destination.objects.filter(pk__in=destination_ids)
    if only_due:
        rows = rows.filter(_due(now))
    if not dry_run and connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, no_key=True)
    locked = {
        row["pk"]: row
        for row in rows.order_by("pk").values(
            "pk", "slug", "claims_version", "reconciled_version", "reconcile_after"
        )
    }
    outcomes = [
        ReconcileOutcome(destination_id=pk, slug="", skipped=True)
        for pk in destination_ids
        if pk not in locked
    ]
    if not locked:
        return outcomes
    inputs = _load(list(locked))
    decided: dict[int, list[tuple[str, Decision]]] = {}
    pairs = inputs.pairs()
    for pk in locked:
        decided[pk] = [
            (
                audience,
                decide(
                    claims=inputs.claims_for(pk, audience),
                    overrides=inputs.overrides.get((pk, audience), []),
                    timeline=inputs.timeline.get((pk, audience), []),
                    now=now,
                    policy=policy,
                ),
            )
            for audience in pairs.get(pk, [])
        ]
    written = {} if dry_run else _write(locked, decided, inputs, now)
    for pk, row in locked.items():
        outcomes.append(
            ReconcileOutcome(
                destination_id=pk,
                slug=row["slug"],
                pairs=tuple(
                    PairOutcome(audience, decision, written.get((pk, audience), ()))
                    for audience, decision in decided[pk]
                ),
                dry_run=dry_run,
            )
        )
    return sorted(outcomes, key=lambda o: o.destination_id)


def _load(ids: list[int]) -> _Inputs:
    inputs = _Inputs()
    claims = Claim.objects.filter(destination_id__in=ids).values_list(
        "id",
        "destination_id",
        "audience",
        "status",
        "effective_at",
        "notice__published_at",
        "notice__source__authority",
        "notice__source__name",
        "notice__source_id",
        "confidence",
        "review_state",
        "sentence",
    )
    for (
        cid,
        dest,
        audience,
        status,
        effective,
        published,
        authority,
        source,
        source_id,
        conf,
        state,
        text,
    ) in claims.iterator(chunk_size=5000):
        inputs.review_state[cid] = state
        inputs.claims[(dest, audience)].append(
            ClaimInput(
                id=cid,
                status=status,
                effective_at=effective,
                recorded_at=published,
                authority=authority,
                confidence=conf,
                review_state=state,
                source=source,
                evidence=text,
                source_id=source_id,
            )
        )
    overrides = CuratorOverride.objects.filter(destination_id__in=ids).values_list(
        "id",
        "destination_id",
        "audience",
        "status",
        "starts_at",
        "ends_at",
        "revoked_at",
        "curator_id",
        "reason",
        "summary",
    )
    for oid, dest, audience, status, starts, ends, revoked, curator, reason, summary in overrides:
        if revoked is not None:
            if revoked <= starts:
                continue
            ends = revoked if ends is None else min(ends, revoked)
        inputs.overrides[(dest, audience)].append(
            OverrideInput(
                id=oid,
                status=status,
                starts_at=starts,
                ends_at=ends,
                curator=str(curator),
                reason=reason,
                summary=summary,
            )
        )
    linked: dict[int, set[int]] = defaultdict(set)
    for change_id, claim_id in ChangeLink.objects.filter(
        statuschange__destination_id__in=ids
    ).values_list("statuschange_id", "claim_id"):
        linked[change_id].add(claim_id)
    changes = StatusChange.objects.filter(destination_id__in=ids).values_list(
        "id",
        "destination_id",
        "audience",
        "status",
        "effective_at",
        "rule",
        "decided_by",
        "curator_id",
        "supersedes_id",
        "sequence",
    )
    for cid, dest, audience, status, effective, rule, by, curator, supersedes, seq in changes:
        key = (dest, audience)
        inputs.timeline[key].append(
            RecordedEntry(
                id=cid,
                status=status,
                effective_at=effective,
                rule=rule,
                claim_ids=frozenset(linked.get(cid, ())),
                decided_by=by,
                curator="" if curator is None else str(curator),
                supersedes_id=supersedes,
            )
        )
        inputs.sequence[key] = max(inputs.sequence.get(key, 0), seq or 0)
    for current in CurrentStatus.objects.filter(destination_id__in=ids):
        inputs.current[(current.destination_id, current.audience)] = current
    return inputs


def _write(
    locked: dict[int, dict],
    decided: dict[int, list[tuple[str, Decision]]],
    inputs: _Inputs,
    now: datetime,
) -> dict[tuple[int, str], tuple[int, ...]]:
    """Append entries, link claims, hold claims for review, refresh current status and marks."""
    new_changes: list[StatusChange] = []
    owners: list[tuple[tuple[int, str], Decision]] = []
    for pk, pairs in decided.items():
        for audience, decision in pairs:
            key = (pk, audience)
            base = inputs.sequence.get(key, len(inputs.timeline.get(key, [])))
            for offset, entry in enumerate(decision.entries, 1):
                new_changes.append(
                    StatusChange(
                        destination_id=pk,
                        audience=audience,
                        status=entry.status,
                        previous_status=entry.previous_status,
                        effective_at=entry.effective_at,
                        recorded_at=now,
                        summary=entry.summary[:300],
                        confidence=max(0.0, min(1.0, entry.confidence)),
                        decided_by=(
                            DecidedBy.CURATOR
                            if entry.decided_by == BY_CURATOR
                            else DecidedBy.RECONCILIATION
                        ),
                        curator_id=int(entry.curator) if entry.curator else None,
                        reason=entry.reason,
                        rule=entry.rule,
                        supersedes_id=entry.supersedes_id,
                        # A change of what the service publishes alerts, however late we
                        # learnt it; history filled in behind a newer status alerts nobody.
                        alters_current=entry.alters_current,
                        unconfirmed=entry.unconfirmed,
                        sequence=base + offset,
                    )
                )
            owners.append((key, decision))
    created = StatusChange.objects.bulk_create(new_changes) if new_changes else []
    ids_by_pair: dict[tuple[int, str], list[int]] = defaultdict(list)
    for change in created:
        ids_by_pair[(change.destination_id, change.audience)].append(change.pk)

    link_rows: list = []
    held: dict[str, list[int]] = defaultdict(list)
    for key, decision in owners:
        new_ids = ids_by_pair.get(key, [])
        for change_id, entry in zip(new_ids, decision.entries, strict=True):
            link_rows += [(change_id, c) for c in entry.claim_ids]
        for change_id, claim_ids in decision.links:
            link_rows += [(change_id, c) for c in claim_ids]
        for claim_id in decision.queued_claim_ids:
            held[_HELD_NOTES[decision.claim_fates[claim_id][0]]].append(claim_id)
    if link_rows:
        _insert_links(link_rows)
    for note, claim_ids in held.items():
        # Held claims join the review queue; a curator's accept or reject settles them.
        Claim.objects.filter(pk__in=claim_ids, review_state=ReviewState.AUTO).update(
            review_state=ReviewState.NEEDS_REVIEW, review_note=note
        )

    _write_current(owners, ids_by_pair, inputs, now)
    _write_marks(locked, decided, now, wrote=bool(created or link_rows or held))
    # Bulk writes skip the save signals that clear cached pages: bump the page cache version
    # once the batch commits, so a new status (and the "last reconciled" time) shows at once.
    transaction.on_commit(status_cache_bump)
    for change in created:
        if change.alters_current:
            handoffs.change_recorded.open_after_commit(change.pk)
    return {key: tuple(ids) for key, ids in ids_by_pair.items()}


def _insert_links(rows: list[tuple[int, int]]) -> None:
    """Attach claims to changes; an existing link is left alone (the pair is unique)."""
    if connection.vendor == "postgresql":
        # Two arrays in one statement: far cheaper than building a model instance per link.
        table = connection.ops.quote_name(ChangeLink._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (statuschange_id, claim_id) "  # noqa: S608 - table name only
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                [[change for change, _ in rows], [claim for _, claim in rows]],
            )
        return
    ChangeLink.objects.bulk_create(
        [ChangeLink(statuschange_id=change, claim_id=claim) for change, claim in rows],
        ignore_conflicts=True,
        batch_size=5000,
    )


def _write_current(
    owners: list[tuple[tuple[int, str], Decision]],
    ids_by_pair: dict[tuple[int, str], list[int]],
    inputs: _Inputs,
    now: datetime,
) -> None:
    fields = [
        "status",
        "since",
        "change_id",
        "summary",
        "last_confirmed_at",
        "in_review",
        "unconfirmed",
        "conflicting_claim_ids",
    ]
    to_create, to_update = [], []
    for (pk, audience), decision in owners:
        current = decision.current
        if current is not None:
            change_id = (
                current.entry_id
                if current.entry_index is None
                else ids_by_pair[(pk, audience)][current.entry_index]
            )
            values = {
                "status": current.status,
                "since": current.since,
                "change_id": change_id,
                "summary": current.summary[:300],
                "last_confirmed_at": current.last_confirmed_at,
                "in_review": decision.in_review,
                "unconfirmed": current.unconfirmed,
                "conflicting_claim_ids": list(current.conflicting_claim_ids),
            }
        else:
            values = {
                "status": Status.UNKNOWN,
                "since": None,
                "change_id": None,
                "summary": "",
                "last_confirmed_at": None,
                "in_review": decision.in_review,
                "unconfirmed": False,
                "conflicting_claim_ids": [],
            }
        row = inputs.current.get((pk, audience))
        if row is None:
            if current is not None or decision.in_review:
                to_create.append(CurrentStatus(destination_id=pk, audience=audience, **values))
            continue
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
            to_update.append(row)
    if to_create:
        CurrentStatus.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        CurrentStatus.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=2000)


def _write_marks(
    locked: dict[int, dict],
    decided: dict[int, list[tuple[str, Decision]]],
    now: datetime,
    *,
    wrote: bool,
) -> None:
    """Record what was reconciled and when to look again, one UPDATE per distinct moment."""
    by_after: dict[datetime | None, list[int]] = defaultdict(list)
    for pk, row in locked.items():
        after = min(
            (d.next_check_at for _, d in decided[pk] if d.next_check_at is not None),
            default=None,
        )
        unchanged = (
            row["reconciled_version"] == row["claims_version"] and row["reconcile_after"] == after
        )
        if unchanged and not wrote:
            continue
        by_after[after].append(pk)
    for after, pks in by_after.items():
        # The row lock keeps claims_version still until commit, so this is the version decided on.
        Destination.objects.filter(pk__in=pks).update(
            reconciled_version=F("claims_version"), reconcile_after=after, reconciled_at=now
        )
