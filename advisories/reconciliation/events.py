"""From claims to a desired timeline: screen, merge into events, resolve disagreements, lay
curator overrides over the result and collapse repeats (steps 1 to 5 of the policy)."""

from collections import defaultdict
from datetime import datetime

from advisories.reconciliation.types import (
    CLAIM_RULES,
    UNKNOWN,
    ClaimInput,
    Event,
    Explanation,
    OverrideInput,
    Policy,
    RecordedEntry,
    Review,
    Rule,
    claim_ids,
    rule_of,
)


def screen(
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


def active(recorded: list[RecordedEntry]) -> list[RecordedEntry]:
    superseded = {r.supersedes_id for r in recorded if r.supersedes_id is not None}
    return sorted(
        (r for r in recorded if r.id not in superseded), key=lambda r: (r.effective_at, r.id)
    )


def merge(claims: list[ClaimInput], policy: Policy) -> list[Event]:
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


def _event(status: str, group: list[ClaimInput]) -> Event:
    # The most authoritative source's date wins; among equals, the earliest report.
    authority = max(c.authority for c in group)
    at = min(c.effective_at for c in group if c.authority == authority)
    doubt = 1.0
    for claim in group:
        doubt *= 1.0 - max(0.0, min(1.0, claim.confidence))
    return Event(
        status=status,
        at=at,
        claims=list(group),
        authority=authority,
        confidence=round(1.0 - doubt, 3),
        accepted=any(c.review_state == Review.ACCEPTED for c in group),
        inherited=all(c.inherited for c in group),
    )


def prefer_specific_audience(
    events: list[Event],
    policy: Policy,
    fates: dict[int, tuple[str, str]],
    notes: list[Explanation],
) -> list[Event]:
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
        ids = claim_ids(event.claims)
        notes.append(Explanation(Rule.AUDIENCE_SPECIFIC, message, ids, event.at))
    return kept


def _same_window(a: Event, b: Event, policy: Policy) -> bool:
    """Both events are about the same moment: their dates are within ``merge_window``, the
    closeness at which reports of one status count as one event.

    Further apart, the later one is a report of a later event: new information, not a
    contradiction (a group seen at a resort days after it was said to be closed).
    """
    return abs(a.at - b.at) <= policy.merge_window


def resolve(
    events: list[Event],
    policy: Policy,
    active: list[RecordedEntry],
    fates: dict[int, tuple[str, str]],
    notes: list[Explanation],
) -> tuple[list[Event], list[Event]]:
    """Walk events in date order; apply each unless a disagreement or weak evidence holds it."""
    margin = policy.authority_margin

    def outranks(h: Event, e: Event) -> bool:
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
    applied: list[Event] = []
    held: list[Event] = []
    reports: list[Event] = []  # unconfirmed reports kept beside a corroborated status
    run: list[Event] = []  # applied events since the status last changed

    def hold(i: int, e: Event, rule: Rule, message: str) -> None:
        outcome[i] = rule
        held.append(e)
        for claim in e.claims:
            fates[claim.id] = (rule, message)
        notes.append(Explanation(rule, message, claim_ids(e.claims), e.at))

    def apply(i: int, e: Event) -> None:
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
                notes.append(Explanation(Rule.UNCONFIRMED, message, claim_ids(e.claims), e.at))
                continue
            else:
                e.unconfirmed = True
                e.note = "reported, unconfirmed: one low-authority source"
        apply(i, e)
    return applied, held


def _lone_and_weak(e: Event, run: list[Event], policy: Policy) -> bool:
    """One source, and low authority on its own or clearly below the status it would change."""
    if len(e.sources) != 1:
        return False
    standing = max((h.authority for h in run), default=0)
    return e.authority < policy.low_authority or standing - e.authority >= policy.authority_margin


def _published(event: Event, active: list[RecordedEntry], policy: Policy) -> bool:
    claim_ids = {c.id for c in event.claims}
    return any(
        r.rule in CLAIM_RULES
        and r.status == event.status
        and (r.claim_ids & claim_ids or abs(r.effective_at - event.at) <= policy.merge_window)
        for r in active
    )


def overlay(
    events: list[Event],
    overrides: list[OverrideInput],
    fates: dict[int, tuple[str, str]],
    notes: list[Explanation],
) -> list[Event]:
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
                Event(
                    status=override.status,
                    at=at,
                    claims=[],
                    kind="override",
                    authority=10**6,
                    override=override,
                    note=f"curator override: {override.summary}",
                )
            )
            notes.append(
                Explanation(
                    Rule.OVERRIDE,
                    # Published (the explain API): the curator's public note, not their account or
                    # private reason, which the change row keeps for the audit trail.
                    f"a curator set {override.status} from {at:%Y-%m-%d %H:%M}"
                    + (f" until {override.ends_at:%Y-%m-%d %H:%M}" if override.ends_at else "")
                    + f": {override.summary}",
                    (),
                    at,
                )
            )
            continue
        underlying = [e for e in events if e.at <= at]
        basis = underlying[-1] if underlying else None
        result.append(
            Event(
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


def collapse(
    events: list[Event], fates: dict[int, tuple[str, str]], notes: list[Explanation]
) -> list[Event]:
    """Consecutive events with one status are one period: the later ones only confirm it."""
    timeline: list[Event] = []
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
                claim.id, (rule_of(event), f"sets {event.status} on {event.at:%Y-%m-%d}")
            )
    return timeline
