"""Reconciliation policy: what one (destination, audience) timeline must become, given its claims.

This module is the decision core and deliberately knows nothing of Django, the database or the
clock: everything arrives as frozen dataclasses and ``now`` is an argument. That keeps every rule
table-testable and makes the service around it (``reconciliation_service``) a thin loader/writer.

How a decision is reached, in order:

1. Claims a curator rejected never count; claims waiting for review count only once accepted.
2. Counted claims of one status whose effective dates lie within ``merge_window`` of each other
   form one *event*; every claim stays attached to it as evidence.
3. Events are walked in date order. Two events *disagree* only when they describe the same
   moment differently (dates within ``merge_window``); a report of a later event is new
   information, not a contradiction. Of two disagreeing events, one clearly more authoritative,
   or of similar authority but carried by more independent sources, *outranks* the other, which
   is held for review; otherwise they are *contested*: neither changes the public timeline
   unless it is already published. An event carried by a curator-accepted claim is never held.
3b. A later event resting on one low-authority source (below ``low_authority``, or clearly below
   the source of the status it would change) is *unconfirmed*. Against a status that a single
   source gives, it is published, marked "reported, unconfirmed", and the current status stays
   so marked until a second, independent source reports it or a curator accepts one of its
   claims. Against a status several independent sources agree on it changes nothing: it is kept
   beside the status as an unconfirmed report, until a second source reports the same (then the
   change stands) or a curator accepts it.
4. Curator overrides replace automatic decisions inside their window; when one ends, the status
   the claims give at that moment resumes.
5. Consecutive events with the same status collapse into one: later claims merely confirm it.
6. The desired timeline up to ``now`` is compared with the recorded one. Missing events become
   new entries, misdated ones are corrected by a superseding entry, entries no longer supported are
   withdrawn by a superseding "retraction" entry. Nothing recorded is ever edited, and deciding
   again over the same inputs and the timeline just written yields nothing new.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from advisories.reconciliation import events as steps
from advisories.reconciliation import history
from advisories.reconciliation.types import (
    DEFAULT_POLICY,
    HELD_RULES,
    ClaimInput,
    CurrentState,
    Decision,
    Event,
    Explanation,
    OverrideInput,
    Policy,
    RecordedEntry,
    Review,
    Rule,
    claim_ids,
)


def decide(
    *,
    claims: Iterable[ClaimInput],
    overrides: Iterable[OverrideInput] = (),
    timeline: Iterable[RecordedEntry] = (),
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """Decide what must be written for one (destination, audience). Pure and deterministic.

    Claims the policy holds back go to the review queue, where they no longer count until a
    curator accepts them. Removing them can free other events they were contesting, so the
    decision is repeated until no further claim is held: the result is the state the next run
    will find, which is what makes a second run write nothing.
    """
    claims = sorted(claims, key=lambda c: (c.effective_at, c.id))
    overrides = sorted(overrides, key=lambda o: (o.starts_at, o.id))
    recorded = list(timeline)
    queued: dict[int, tuple[str, str]] = {}
    while True:
        decision = _decide_once(claims, overrides, recorded, now, policy)
        newly = {
            claim.id: decision.claim_fates[claim.id]
            for claim in claims
            # An inherited claim belongs to the all-foreigners timeline: it is held here each
            # time, but only its own audience's decision may queue it.
            if claim.review_state == Review.AUTO
            and not claim.inherited
            and decision.claim_fates.get(claim.id, ("",))[0] in HELD_RULES
        }
        if not newly:
            break
        queued.update(newly)
        claims = [
            replace(c, review_state=Review.NEEDS_REVIEW) if c.id in newly else c for c in claims
        ]
    if not queued:
        return decision
    fates = {**decision.claim_fates, **queued}
    review = tuple(sorted(set(decision.review_claim_ids) | set(queued)))
    return replace(
        decision,
        claim_fates=fates,
        review_claim_ids=review,
        in_review=True,
        queued_claim_ids=tuple(sorted(queued)),
    )


def _decide_once(
    claims: list[ClaimInput],
    overrides: list[OverrideInput],
    recorded: list[RecordedEntry],
    now: datetime,
    policy: Policy,
) -> Decision:
    fates: dict[int, tuple[str, str]] = {}
    notes: list[Explanation] = []

    counted, pending = steps.screen(claims, fates)
    active = steps.active(recorded)
    events = steps.merge(counted, policy)
    events = steps.prefer_specific_audience(events, policy, fates, notes)
    applied, held = steps.resolve(events, policy, active, fates, notes)
    overlaid = steps.overlay(applied, overrides, fates, notes)
    desired = steps.collapse(overlaid, fates, notes)
    past = [e for e in desired if e.at <= now]
    future = [e for e in desired if e.at > now]
    for event in future:
        for claim in event.all_claims():
            fates[claim.id] = (Rule.FUTURE, f"takes effect on {event.at:%Y-%m-%d}")
        notes.append(
            Explanation(
                Rule.FUTURE,
                f"{event.status} from {event.at:%Y-%m-%d %H:%M} waits for its date.",
                claim_ids(event.all_claims()),
                event.at,
            )
        )

    review = history.review_claims(held, pending, desired, fates)
    entries, links, current = history.diff(past, active, now, policy, notes)
    reports = tuple(sorted(cid for cid, (rule, _) in fates.items() if rule == Rule.UNCONFIRMED))
    if current is not None:
        current = replace(
            current,
            conflicting_claim_ids=_conflicting(current, past, claims, review, reports, now),
        )
    return Decision(
        entries=tuple(entries),
        links=tuple(links),
        current=current,
        in_review=bool(review),
        review_claim_ids=review,
        explanations=tuple(notes),
        claim_fates=fates,
        next_check_at=history.next_check(future, overrides, now),
        unconfirmed_claim_ids=reports,
    )


def _conflicting(
    current: CurrentState,
    past: list[Event],
    claims: list[ClaimInput],
    review: tuple[int, ...],
    reports: tuple[int, ...],
    now: datetime,
) -> tuple[int, ...]:
    """The claims a reader of the current status must see beside it: the other side."""
    by_id = {c.id: c for c in claims}
    head = past[-1]
    confirmed = max(
        (c.recorded_at for c in head.all_claims() if c.recorded_at <= now), default=None
    )
    ids = {
        cid
        for cid in review
        if by_id[cid].status != current.status and by_id[cid].effective_at <= now
    }
    # An unconfirmed report stays beside the status until a later report confirms the status.
    ids |= {
        cid
        for cid in reports
        if by_id[cid].effective_at >= head.at
        and (confirmed is None or by_id[cid].recorded_at >= confirmed)
    }
    if current.unconfirmed and len(past) > 1:
        ids |= {c.id for c in past[-2].all_claims() if c.effective_at <= now}
    return tuple(sorted(ids))


def apply_decision(
    *, timeline: Sequence[RecordedEntry], decision: Decision, first_id: int
) -> list[RecordedEntry]:
    """The recorded timeline after writing ``decision`` (new ids from ``first_id``).

    What the service does in the database, done in memory: dry runs and tests use it to check
    that deciding again changes nothing.
    """
    linked: dict[int, set[int]] = defaultdict(set)
    for entry_id, linked_ids in decision.links:
        linked[entry_id].update(linked_ids)
    result = [
        RecordedEntry(
            id=r.id,
            status=r.status,
            effective_at=r.effective_at,
            rule=r.rule,
            claim_ids=r.claim_ids | linked.get(r.id, set()),
            decided_by=r.decided_by,
            curator=r.curator,
            supersedes_id=r.supersedes_id,
        )
        for r in timeline
    ]
    for offset, entry in enumerate(decision.entries):
        result.append(
            RecordedEntry(
                id=first_id + offset,
                status=entry.status,
                effective_at=entry.effective_at,
                rule=entry.rule,
                claim_ids=frozenset(entry.claim_ids),
                decided_by=entry.decided_by,
                curator=entry.curator,
                supersedes_id=entry.supersedes_id,
            )
        )
    return result
