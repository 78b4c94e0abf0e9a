"""Writing a batch's decisions: new history entries, evidence links, the current-status rows,
and the marks that say what was reconciled and when to look again. Append-only."""

import logging
from collections import defaultdict
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F

from advisories import handoffs
from advisories.models import Claim, ReviewState
from advisories.reconciliation.loading import Inputs
from advisories.reconciliation.types import (
    BY_CURATOR,
    Decision,
    Rule,
)
from destinations.models import (
    CurrentStatus,
    DecidedBy,
    Destination,
    Status,
    StatusChange,
)
from destinations.status_version import status_cache_bump

logger = logging.getLogger(__name__)

ChangeLink = Claim.changes.through


_HELD_NOTES = {
    Rule.OUTRANKED: "Held by reconciliation (outranked): describes the same days differently "
    "from a stronger side (a clearly more authoritative source, or more independent sources). "
    "Accept to apply it anyway, reject to drop it.",
    Rule.CONTESTED: "Held by reconciliation (contested): sources of similar authority "
    "contradict each other for the same period. Accept the right side, reject the other.",
    Rule.WEAK: "Held by reconciliation (weak evidence): too uncertain to change the status on "
    "its own. Accept to apply it, reject to drop it.",
}


def write_decisions(
    locked: dict[int, dict],
    decided: dict[int, list[tuple[str, Decision]]],
    inputs: Inputs,
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
    inputs: Inputs,
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
