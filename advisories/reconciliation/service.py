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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q

from advisories.models import Claim
from advisories.reconciliation.loading import load_inputs
from advisories.reconciliation.policy import decide
from advisories.reconciliation.types import (
    Decision,
    Policy,
)
from advisories.reconciliation.writing import write_decisions
from destinations.models import (
    Destination,
)

logger = logging.getLogger(__name__)

ChangeLink = Claim.changes.through

# One note per rule keeps the review-queue write a single UPDATE per batch; the explain view and
# the admin's "current status and its evidence" column show the particulars.


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


def destinations_due(now: datetime) -> Q:
    """Destinations whose claims changed since their last run, or whose scheduled moment came."""
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
    due = list(
        Destination.objects.filter(destinations_due(now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
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
        rows = rows.filter(destinations_due(now))
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
    inputs = load_inputs(list(locked))
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
    written = {} if dry_run else write_decisions(locked, decided, inputs, now)
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
