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

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

UNKNOWN = "unknown"
BY_RECONCILIATION = "reconciliation"
BY_CURATOR = "curator"


class Review(StrEnum):
    """A claim's review state (values match ``advisories.models.ReviewState``)."""

    AUTO = "auto"
    NEEDS_REVIEW = "needs_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Rule(StrEnum):
    """Names of the policy rules; stored on entries and shown in explanations."""

    STATUS_CHANGE = "status_change"
    BACKFILL = "backfill"
    CURATOR_ACCEPTED = "curator_accepted"
    OVERRIDE = "curator_override"
    OVERRIDE_ENDED = "override_ended"
    RETRACTION = "retraction"
    CONFIRMATION = "confirmation"
    FUTURE = "future_dated"
    OUTRANKED = "outranked"
    WEAK = "weak_evidence"
    CONTESTED = "contested"
    AWAITING_REVIEW = "awaiting_review"
    REJECTED = "rejected"
    AUDIENCE_SPECIFIC = "audience_specific"
    OVERRIDDEN = "overridden"
    UNCONFIRMED = "unconfirmed_report"


# Rules that hold an automatic claim back; such claims join the review queue.
HELD_RULES = frozenset({Rule.OUTRANKED, Rule.CONTESTED, Rule.WEAK})

# Entries whose rule says they were derived from claims; only these are re-dated by corrections.
_CLAIM_RULES = frozenset({Rule.STATUS_CHANGE, Rule.BACKFILL, Rule.CURATOR_ACCEPTED})


@dataclass(frozen=True)
class Policy:
    """The tunable numbers of the policy; the service builds one from settings."""

    merge_window: timedelta = timedelta(days=3)
    # How near a claim for all foreign visitors must be to a claim made for one audience for the
    # specific one to take precedence.
    conflict_window: timedelta = timedelta(days=7)
    # Authorities closer than this are "similar" (official 100, operator 60, news 40, other 20):
    # an official source clearly outranks the rest, which are each other's peers.
    authority_margin: int = 30
    # An automatic event must be more likely than not to change a status on its own; weaker
    # evidence (one hedged report) waits for a curator. Its combined confidence counts, so
    # several independent reports of one event can carry it.
    min_change_confidence: float = 0.5
    # A source below this authority (other 20; sources created implicitly and not yet rated) is
    # low-authority: on its own, its report is published only as "reported, unconfirmed".
    low_authority: int = 40


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class ClaimInput:
    """One claim about this (destination, audience).

    ``recorded_at`` is when the source said it (the notice's publication time): it moves
    "last confirmed". ``inherited`` marks a claim made for all foreign visitors that is being
    considered for a narrower audience (one nationality): it applies unless a claim made for that
    audience itself says otherwise for the same period.
    """

    id: int
    status: str
    effective_at: datetime
    recorded_at: datetime
    authority: int
    confidence: float = 1.0
    review_state: str = Review.AUTO
    inherited: bool = False
    source: str = ""
    evidence: str = ""
    # Identifies the publisher: reports count as independent only from different sources.
    source_id: int | str = ""

    @property
    def source_key(self) -> int | str:
        return self.source_id or self.source or f"claim-{self.id}"


@dataclass(frozen=True)
class OverrideInput:
    """A curator's decision: ``status`` from ``starts_at`` until ``ends_at`` (None: open-ended)."""

    id: int
    status: str
    starts_at: datetime
    curator: str
    reason: str
    ends_at: datetime | None = None
    summary: str = ""


@dataclass(frozen=True)
class RecordedEntry:
    """A timeline entry already written (superseded ones included: they are the audit trail)."""

    id: int
    status: str
    effective_at: datetime
    rule: str
    claim_ids: frozenset[int] = frozenset()
    decided_by: str = BY_RECONCILIATION
    curator: str = ""
    supersedes_id: int | None = None


@dataclass(frozen=True)
class PlannedEntry:
    """A timeline entry to append."""

    status: str
    previous_status: str
    effective_at: datetime
    summary: str
    rule: str
    confidence: float
    claim_ids: tuple[int, ...]
    decided_by: str = BY_RECONCILIATION
    curator: str = ""
    reason: str = ""
    supersedes_id: int | None = None
    # It makes the current status different from what was published before this decision, so
    # subscribers are told, however late we learnt it. History filled in behind a newer status
    # never is.
    alters_current: bool = False
    # It rests on one low-authority report: published as "reported, unconfirmed".
    unconfirmed: bool = False


@dataclass(frozen=True)
class Explanation:
    """One human-readable line: which rule decided what, on which claims."""

    rule: str
    message: str
    claim_ids: tuple[int, ...] = ()
    effective_at: datetime | None = None


@dataclass(frozen=True)
class CurrentState:
    """The status in force now; ``entry_id`` names a recorded entry, ``entry_index`` a new one."""

    status: str
    since: datetime
    summary: str
    last_confirmed_at: datetime
    rule: str
    claim_ids: tuple[int, ...]
    entry_id: int | None = None
    entry_index: int | None = None
    # The status rests on one low-authority report ("reported, unconfirmed").
    unconfirmed: bool = False
    # Claims that speak against this status: held for review, unconfirmed reports kept beside
    # it, or (when it is unconfirmed) the evidence for the status it replaced. Pages show them.
    conflicting_claim_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Decision:
    entries: tuple[PlannedEntry, ...]
    # Claims to attach to entries already recorded: (entry id, claim ids).
    links: tuple[tuple[int, tuple[int, ...]], ...]
    current: CurrentState | None
    in_review: bool
    review_claim_ids: tuple[int, ...]
    explanations: tuple[Explanation, ...]
    # What happened to each claim: (rule, message). Lets the explain view list claims considered.
    claim_fates: dict[int, tuple[str, str]]
    # When the decision will change by the passing of time alone (future claims, override ends).
    next_check_at: datetime | None
    # Automatic claims the policy held back: they must now wait in the review queue
    # (review state "needs_review"); the decision above already treats them so.
    queued_claim_ids: tuple[int, ...] = ()
    # Lone low-authority reports kept beside a corroborated status instead of changing it.
    unconfirmed_claim_ids: tuple[int, ...] = ()

    @property
    def writes_anything(self) -> bool:
        return bool(self.entries or self.links or self.queued_claim_ids)


@dataclass(eq=False)
class _Event:
    """Internal: a merged group of claims (or an override boundary) at one date."""

    status: str
    at: datetime
    claims: list[ClaimInput]
    kind: str = "claims"  # "claims" | "override" | "resume"
    authority: int = 0
    confidence: float = 1.0
    accepted: bool = False
    inherited: bool = False
    confirmations: list[ClaimInput] = field(default_factory=list)
    override: OverrideInput | None = None
    note: str = ""
    unconfirmed: bool = False

    def all_claims(self) -> list[ClaimInput]:
        return self.claims + self.confirmations

    @property
    def sources(self) -> set[int | str]:
        return {c.source_key for c in self.claims}


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

    counted, pending = _screen(claims, fates)
    active = _active(recorded)
    events = _merge(counted, policy)
    events = _prefer_specific_audience(events, policy, fates, notes)
    applied, held = _resolve(events, policy, active, fates, notes)
    overlaid = _overlay(applied, overrides, fates, notes)
    desired = _collapse(overlaid, fates, notes)
    past = [e for e in desired if e.at <= now]
    future = [e for e in desired if e.at > now]
    for event in future:
        for claim in event.all_claims():
            fates[claim.id] = (Rule.FUTURE, f"takes effect on {event.at:%Y-%m-%d}")
        notes.append(
            Explanation(
                Rule.FUTURE,
                f"{event.status} from {event.at:%Y-%m-%d %H:%M} waits for its date.",
                _ids(event.all_claims()),
                event.at,
            )
        )

    review = _review_claims(held, pending, desired, fates)
    entries, links, current = _diff(past, active, now, policy, notes)
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
        next_check_at=_next_check(future, overrides, now),
        unconfirmed_claim_ids=reports,
    )


def _conflicting(
    current: CurrentState,
    past: list[_Event],
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
    for entry_id, claim_ids in decision.links:
        linked[entry_id].update(claim_ids)
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


# --- steps -------------------------------------------------------------------------------------


def _ids(claims: Iterable[ClaimInput]) -> tuple[int, ...]:
    return tuple(sorted({c.id for c in claims}))


def _screen(
    claims: list[ClaimInput], fates: dict[int, tuple[str, str]]
) -> tuple[list[ClaimInput], list[ClaimInput]]:
    """Split claims into those that count and those a curator still has to look at."""
    counted, pending = [], []
    for claim in claims:
        if claim.review_state == Review.REJECTED:
            fates[claim.id] = (Rule.REJECTED, "rejected by a curator; ignored")
        elif claim.review_state == Review.NEEDS_REVIEW:
            fates[claim.id] = (Rule.AWAITING_REVIEW, "counts only once a curator accepts it")
            pending.append(claim)
        else:
            counted.append(claim)
    return counted, pending


def _active(recorded: list[RecordedEntry]) -> list[RecordedEntry]:
    superseded = {r.supersedes_id for r in recorded if r.supersedes_id is not None}
    return sorted(
        (r for r in recorded if r.id not in superseded), key=lambda r: (r.effective_at, r.id)
    )


def _merge(claims: list[ClaimInput], policy: Policy) -> list[_Event]:
    """Chain claims of one status whose dates lie within ``merge_window`` into events."""
    by_status: dict[str, list[ClaimInput]] = defaultdict(list)
    for claim in claims:
        by_status[claim.status].append(claim)
    events = []
    for status, items in by_status.items():
        group = [items[0]]
        for claim in items[1:]:
            if claim.effective_at - group[-1].effective_at <= policy.merge_window:
                group.append(claim)
            else:
                events.append(_event(status, group))
                group = [claim]
        events.append(_event(status, group))
    return sorted(events, key=lambda e: (e.at, -e.authority, e.status))


def _event(status: str, group: list[ClaimInput]) -> _Event:
    # The most authoritative source's date wins; among equals, the earliest report.
    authority = max(c.authority for c in group)
    at = min(c.effective_at for c in group if c.authority == authority)
    doubt = 1.0
    for claim in group:
        doubt *= 1.0 - max(0.0, min(1.0, claim.confidence))
    return _Event(
        status=status,
        at=at,
        claims=list(group),
        authority=authority,
        confidence=round(1.0 - doubt, 3),
        accepted=any(c.review_state == Review.ACCEPTED for c in group),
        inherited=all(c.inherited for c in group),
    )


def _prefer_specific_audience(
    events: list[_Event],
    policy: Policy,
    fates: dict[int, tuple[str, str]],
    notes: list[Explanation],
) -> list[_Event]:
    """Drop an inherited all-foreigners event that a claim for this very audience contradicts."""
    specific = [e for e in events if not e.inherited]
    kept = []
    for event in events:
        rival = event.inherited and next(
            (
                s
                for s in specific
                if s.status != event.status
                and abs(s.at - event.at) <= policy.conflict_window
                # A clearly more authoritative general statement still covers this audience.
                and event.authority - s.authority < policy.authority_margin
            ),
            None,
        )
        if not rival:
            kept.append(event)
            continue
        message = (
            f"a claim for all foreign visitors ({event.status}) yields to a claim made for this "
            f"audience ({rival.status}, {rival.at:%Y-%m-%d}) about the same period"
        )
        for claim in event.claims:
            fates[claim.id] = (Rule.AUDIENCE_SPECIFIC, message)
        notes.append(Explanation(Rule.AUDIENCE_SPECIFIC, message, _ids(event.claims), event.at))
    return kept


def _same_window(a: _Event, b: _Event, policy: Policy) -> bool:
    """Both events are about the same moment: their dates are within ``merge_window``, the
    closeness at which reports of one status count as one event.

    Further apart, the later one is a report of a later event: new information, not a
    contradiction (a group seen at a resort days after it was said to be closed).
    """
    return abs(a.at - b.at) <= policy.merge_window


def _resolve(
    events: list[_Event],
    policy: Policy,
    active: list[RecordedEntry],
    fates: dict[int, tuple[str, str]],
    notes: list[Explanation],
) -> tuple[list[_Event], list[_Event]]:
    """Walk events in date order; apply each unless a disagreement or weak evidence holds it."""
    margin = policy.authority_margin

    def outranks(h: _Event, e: _Event) -> bool:
        """``h`` wins a disagreement with ``e``: clearly more authority, or similar authority
        and more independent sources (the claims of one event agreeing across sources)."""
        if h.status == e.status or not _same_window(h, e, policy):
            return False
        if h.authority - e.authority >= margin:
            return True
        similar = abs(h.authority - e.authority) < margin
        return similar and len(h.sources) >= 2 and len(h.sources) > len(e.sources)

    upcoming = [
        next((h for h in events[i + 1 :] if h.at >= e.at and outranks(h, e)), None)
        for i, e in enumerate(events)
    ]
    outcome: dict[int, str] = {}
    applied: list[_Event] = []
    held: list[_Event] = []
    reports: list[_Event] = []  # unconfirmed reports kept beside a corroborated status
    run: list[_Event] = []  # applied events since the status last changed

    def hold(i: int, e: _Event, rule: Rule, message: str) -> None:
        outcome[i] = rule
        held.append(e)
        for claim in e.claims:
            fates[claim.id] = (rule, message)
        notes.append(Explanation(rule, message, _ids(e.claims), e.at))

    def apply(i: int, e: _Event) -> None:
        nonlocal run
        outcome[i] = "applied"
        run = [*run, e] if run and run[-1].status == e.status else [e]
        applied.append(e)

    for i, e in enumerate(events):
        if run and run[-1].status == e.status:
            apply(i, e)
            continue
        if e.accepted:
            e.note = "a curator accepted a claim of this event"
            apply(i, e)
            continue
        if e.confidence < policy.min_change_confidence:
            hold(
                i,
                e,
                Rule.WEAK,
                f"{e.status} rests on weak evidence (confidence {e.confidence} below "
                f"{policy.min_change_confidence}); held for review",
            )
            continue
        stronger = next((h for h in run if outranks(h, e)), None) or upcoming[i]
        if stronger is not None:
            hold(
                i,
                e,
                Rule.OUTRANKED,
                f"{e.status} (authority {e.authority}, {len(e.sources)} source(s)) contradicts "
                f"{stronger.status} of {stronger.at:%Y-%m-%d} for the same period, reported by "
                f"a stronger side (authority {stronger.authority}, {len(stronger.sources)} "
                "source(s)); held for review",
            )
            continue
        rivals = [
            f
            for j, f in enumerate(events)
            if j != i
            and f.status != e.status
            and abs(f.authority - e.authority) < margin
            and _same_window(f, e, policy)
            and not outranks(e, f)
            and (
                f.accepted
                or (j < i and outcome.get(j) in ("applied", Rule.CONTESTED))
                or (j > i and upcoming[j] is None and f.confidence >= policy.min_change_confidence)
            )
        ]
        if rivals:
            names = ", ".join(f"{f.status} ({f.at:%Y-%m-%d})" for f in rivals)
            if _published(e, active, policy):
                e.note = f"already published; contradicting {names} held for review"
                apply(i, e)
            else:
                hold(
                    i,
                    e,
                    Rule.CONTESTED,
                    f"{e.status} and {names} describe the same period differently with similar "
                    "authority; no public change until a curator accepts or rejects them",
                )
            continue
        # A later event: new information. One weak report may not overturn what stands.
        if _lone_and_weak(e, run, policy):
            since = run[0].at if run else None
            earlier = [
                r for r in reports if r.status == e.status and (since is None or r.at >= since)
            ]
            if len({s for r in [*earlier, e] for s in r.sources}) >= 2:
                # A second source reports the same: together they are no longer a lone report.
                for r in earlier:
                    reports.remove(r)
                    for claim in r.claims:
                        fates.pop(claim.id, None)
                e = _event(
                    e.status,
                    sorted(
                        [*(c for r in earlier for c in r.claims), *e.claims],
                        key=lambda c: (c.effective_at, c.id),
                    ),
                )
                e.note = "independent sources report the same change"
            elif len({s for h in run for s in h.sources}) >= 2:
                outcome[i] = Rule.UNCONFIRMED
                reports.append(e)
                message = (
                    f"{e.status} rests on one low-authority report; {run[-1].status}, on which "
                    "several sources agree, stands. Shown beside it as reported, unconfirmed"
                )
                for claim in e.claims:
                    fates[claim.id] = (Rule.UNCONFIRMED, message)
                notes.append(Explanation(Rule.UNCONFIRMED, message, _ids(e.claims), e.at))
                continue
            else:
                e.unconfirmed = True
                e.note = "reported, unconfirmed: one low-authority source"
        apply(i, e)
    return applied, held


def _lone_and_weak(e: _Event, run: list[_Event], policy: Policy) -> bool:
    """One source, and low authority on its own or clearly below the status it would change."""
    if len(e.sources) != 1:
        return False
    standing = max((h.authority for h in run), default=0)
    return e.authority < policy.low_authority or standing - e.authority >= policy.authority_margin


def _published(event: _Event, active: list[RecordedEntry], policy: Policy) -> bool:
    claim_ids = {c.id for c in event.claims}
    return any(
        r.rule in _CLAIM_RULES
        and r.status == event.status
        and (r.claim_ids & claim_ids or abs(r.effective_at - event.at) <= policy.merge_window)
        for r in active
    )


def _overlay(
    events: list[_Event],
    overrides: list[OverrideInput],
    fates: dict[int, tuple[str, str]],
    notes: list[Explanation],
) -> list[_Event]:
    """Let curator overrides replace automatic events inside their windows."""
    if not overrides:
        return events

    def in_force(at: datetime) -> OverrideInput | None:
        covering = [
            o for o in overrides if o.starts_at <= at and (o.ends_at is None or at < o.ends_at)
        ]
        return max(covering, key=lambda o: (o.starts_at, o.id), default=None)

    result = []
    for event in events:
        override = in_force(event.at)
        if override is None:
            result.append(event)
            continue
        message = f"curator override by {override.curator} was in force"
        for claim in event.claims:
            fates[claim.id] = (Rule.OVERRIDDEN, message)
    bounds = sorted({o.starts_at for o in overrides} | {o.ends_at for o in overrides if o.ends_at})
    previous: OverrideInput | None = None
    for at in bounds:
        override = in_force(at)
        if override is previous:
            continue
        previous = override
        if override is not None:
            result.append(
                _Event(
                    status=override.status,
                    at=at,
                    claims=[],
                    kind="override",
                    authority=10**6,
                    override=override,
                    note=f"curator override by {override.curator}: {override.reason}",
                )
            )
            notes.append(
                Explanation(
                    Rule.OVERRIDE,
                    f"{override.curator} set {override.status} from {at:%Y-%m-%d %H:%M}"
                    + (f" until {override.ends_at:%Y-%m-%d %H:%M}" if override.ends_at else "")
                    + f": {override.reason}",
                    (),
                    at,
                )
            )
            continue
        underlying = [e for e in events if e.at <= at]
        basis = underlying[-1] if underlying else None
        result.append(
            _Event(
                status=basis.status if basis else UNKNOWN,
                at=at,
                claims=list(basis.claims) if basis else [],
                kind="resume",
                authority=basis.authority if basis else 0,
                confidence=basis.confidence if basis else 1.0,
                note="curator override ended; automatic decisions resume",
            )
        )
        if basis:
            for claim in basis.claims:
                fates.pop(claim.id, None)
    kind_order = {"claims": 0, "resume": 1, "override": 2}
    return sorted(result, key=lambda e: (e.at, kind_order[e.kind]))


def _collapse(
    events: list[_Event], fates: dict[int, tuple[str, str]], notes: list[Explanation]
) -> list[_Event]:
    """Consecutive events with one status are one period: the later ones only confirm it."""
    timeline: list[_Event] = []
    for event in events:
        if timeline and timeline[-1].status == event.status:
            head = timeline[-1]
            head.confirmations.extend(event.all_claims())
            for claim in event.all_claims():
                fates[claim.id] = (
                    Rule.CONFIRMATION,
                    f"confirms {head.status} in force since {head.at:%Y-%m-%d}",
                )
            continue
        timeline.append(event)
    for event in timeline:
        for claim in event.claims:
            fates.setdefault(
                claim.id, (_rule_of(event), f"sets {event.status} on {event.at:%Y-%m-%d}")
            )
    return timeline


def _rule_of(event: _Event, *, current: bool = True) -> Rule:
    if event.kind == "override":
        return Rule.OVERRIDE
    if event.kind == "resume":
        return Rule.OVERRIDE_ENDED
    if event.accepted:
        return Rule.CURATOR_ACCEPTED
    return Rule.STATUS_CHANGE if current else Rule.BACKFILL


def _status_at(timeline: list[_Event], at: datetime) -> str:
    before = [e for e in timeline if e.at <= at]
    return before[-1].status if before else UNKNOWN


def _review_claims(
    held: list[_Event],
    pending: list[ClaimInput],
    desired: list[_Event],
    fates: dict[int, tuple[str, str]],
) -> tuple[int, ...]:
    """Claims a curator must decide on: held ones, and pending ones that would change something."""
    ids = {c.id for e in held for c in e.claims if fates.get(c.id, ("",))[0] != Rule.OVERRIDDEN}
    for claim in pending:
        if claim.status != _status_at(desired, claim.effective_at):
            ids.add(claim.id)
        else:
            fates[claim.id] = (
                Rule.AWAITING_REVIEW,
                "awaits review but agrees with the status it would apply to",
            )
    return tuple(sorted(ids))


def _diff(
    desired: list[_Event],
    active: list[RecordedEntry],
    now: datetime,
    policy: Policy,
    notes: list[Explanation],
) -> tuple[list[PlannedEntry], list[tuple[int, tuple[int, ...]]], CurrentState | None]:
    """Turn the desired timeline up to ``now`` into appends against the recorded one."""
    pool = [r for r in active if r.rule != Rule.RETRACTION and r.effective_at <= now]
    match = _match(desired, pool, policy)
    used = {r.id for r in match.values()}

    planned: list[tuple[_Event | RecordedEntry, PlannedEntry]] = []
    links: list[tuple[int, tuple[int, ...]]] = []
    refs: dict[int, tuple[str, int]] = {}
    for i, event in enumerate(desired):
        evidence = [c for c in event.all_claims() if c.effective_at <= now]
        claim_ids = _ids(evidence)
        recorded = match.get(i)
        if recorded is not None and recorded.effective_at == event.at:
            missing = tuple(sorted(set(claim_ids) - recorded.claim_ids))
            if missing:
                links.append((recorded.id, missing))
            refs[i] = ("recorded", recorded.id)
            continue
        is_last = i == len(desired) - 1
        rule = _rule_of(event, current=is_last)
        message = _describe(event, rule)
        if recorded is not None:
            message += f" (corrects entry {recorded.id} dated {recorded.effective_at:%Y-%m-%d})"
        refs[i] = ("new", len(planned))
        planned.append(
            (
                event,
                PlannedEntry(
                    status=event.status,
                    previous_status=desired[i - 1].status if i else UNKNOWN,
                    effective_at=event.at,
                    summary=_summary(event),
                    rule=rule,
                    confidence=event.confidence,
                    claim_ids=claim_ids,
                    decided_by=BY_CURATOR if event.kind == "override" else BY_RECONCILIATION,
                    curator=event.override.curator if event.override else "",
                    reason=event.override.reason if event.override else message,
                    supersedes_id=recorded.id if recorded is not None else None,
                    unconfirmed=event.unconfirmed,
                ),
            )
        )
        notes.append(Explanation(rule, message, claim_ids, event.at))

    for stale in pool:
        if stale.id in used:
            continue
        status = _status_at(desired, stale.effective_at)
        message = (
            f"entry {stale.id} ({stale.status} from {stale.effective_at:%Y-%m-%d}) is no longer "
            f"supported by the claims that count; withdrawn, {status} applies from that date"
        )
        planned.append(
            (
                stale,
                PlannedEntry(
                    status=status,
                    previous_status=stale.status,
                    effective_at=stale.effective_at,
                    summary=f"Correction: the {stale.status} entry of "
                    f"{stale.effective_at:%Y-%m-%d} was withdrawn.",
                    rule=Rule.RETRACTION,
                    confidence=1.0,
                    claim_ids=(),
                    reason=message,
                    supersedes_id=stale.id,
                ),
            )
        )
        notes.append(Explanation(Rule.RETRACTION, message, (), stale.effective_at))

    entries = [entry for _, entry in planned]
    current = _current(desired, refs, entries, now)
    before = pool[-1] if pool else None
    if current is not None and (before is None or before.status != current.status):
        flagged = current.entry_index
        if flagged is None and before is not None:
            flagged = next((k for k, e in enumerate(entries) if e.supersedes_id == before.id), None)
        if flagged is not None:
            # However late we learnt it: what the service publishes changed, so say so.
            entries[flagged] = replace(entries[flagged], alters_current=True)
    return entries, links, current


def _match(
    desired: list[_Event], pool: list[RecordedEntry], policy: Policy
) -> dict[int, RecordedEntry]:
    """Pair desired events with recorded entries: same date first, then shared claims, then near."""
    match: dict[int, RecordedEntry] = {}
    taken: set[int] = set()

    def candidates(event: _Event) -> list[RecordedEntry]:
        kind = {"override": Rule.OVERRIDE, "resume": Rule.OVERRIDE_ENDED}.get(event.kind)
        return [
            r
            for r in pool
            if r.id not in taken
            and r.status == event.status
            and (r.rule == kind if kind else r.rule in _CLAIM_RULES)
            and (event.override is None or r.curator == event.override.curator)
        ]

    passes = (
        lambda e, r: r.effective_at == e.at,
        lambda e, r: e.kind == "claims" and bool(r.claim_ids & {c.id for c in e.claims}),
        lambda e, r: abs(r.effective_at - e.at) <= policy.merge_window,
    )
    for test in passes:
        for i, event in enumerate(desired):
            if i in match:
                continue
            found = [r for r in candidates(event) if test(event, r)]
            if found:
                best = min(found, key=lambda r: (abs(r.effective_at - event.at), r.id))
                match[i] = best
                taken.add(best.id)
    return match


def _current(
    desired: list[_Event],
    refs: dict[int, tuple[str, int]],
    entries: list[PlannedEntry],
    now: datetime,
) -> CurrentState | None:
    if not desired:
        return None
    index = len(desired) - 1
    event = desired[index]
    kind, ref = refs[index]
    confirmed = [event.at] + [
        c.recorded_at for c in event.all_claims() if c.recorded_at <= now and c.effective_at <= now
    ]
    if event.override is not None:
        confirmed.append(min(event.override.starts_at, now))
    return CurrentState(
        status=event.status,
        since=event.at,
        summary=_summary(event),
        last_confirmed_at=max(confirmed),
        rule=_rule_of(event),
        claim_ids=_ids(c for c in event.all_claims() if c.effective_at <= now),
        entry_id=ref if kind == "recorded" else None,
        entry_index=ref if kind == "new" else None,
        unconfirmed=event.unconfirmed and not _corroborated(event, now),
    )


def _corroborated(event: _Event, now: datetime) -> bool:
    """An unconfirmed status stops being so once a second, independent source has reported it
    (as a later confirmation) or a curator has accepted one of its claims. Its recorded entry
    keeps saying it was first published unconfirmed; the current status no longer does."""
    evidence = [c for c in event.all_claims() if c.effective_at <= now]
    return len({c.source_key for c in evidence}) >= 2 or any(
        c.review_state == Review.ACCEPTED for c in evidence
    )


def _summary(event: _Event) -> str:
    if event.override is not None:
        text = event.override.summary or f"Set to {event.status} by a curator"
        return text[:300]
    if event.kind == "resume" and not event.claims:
        return "Curator override ended; no claims give a status."
    sources = {c.source for c in event.claims if c.source}
    best = max(
        event.claims,
        key=lambda c: (c.authority, bool(c.evidence), c.confidence, -c.id),
        default=None,
    )
    if best is not None and best.evidence:
        prefix = f"{best.source}: " if best.source else ""
        text = prefix + " ".join(best.evidence.split())
        if len(sources) > 1:
            text += f" (+{len(sources) - 1} more source{'s' if len(sources) > 2 else ''})"
        return text if len(text) <= 300 else text[:299] + "…"
    count = len(event.claims)
    return f"{event.status.capitalize()} according to {count} report{'s' if count != 1 else ''}."


def _describe(event: _Event, rule: Rule) -> str:
    count = len(event.claims)
    if rule == Rule.OVERRIDE:
        return event.note
    if rule == Rule.OVERRIDE_ENDED:
        return f"{event.note}: {event.status}"
    what = {
        Rule.STATUS_CHANGE: "the latest event in effect sets the current status",
        Rule.BACKFILL: "an earlier event fills in history at its own date",
        Rule.CURATOR_ACCEPTED: "a curator accepted the evidence",
    }[rule]
    text = (
        f"{event.status} from {event.at:%Y-%m-%d %H:%M}: {what}; "
        f"{count} claim{'s' if count != 1 else ''} merged into one event "
        f"(top authority {event.authority}, confidence {event.confidence})"
    )
    return f"{text}; {event.note}" if event.note and rule != Rule.CURATOR_ACCEPTED else text


def _next_check(
    future: list[_Event], overrides: list[OverrideInput], now: datetime
) -> datetime | None:
    moments = [e.at for e in future]
    for override in overrides:
        moments += [m for m in (override.starts_at, override.ends_at) if m is not None]
    upcoming = [m for m in moments if m > now]
    return min(upcoming, default=None)
