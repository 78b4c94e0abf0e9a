"""From a desired timeline to writes: compare it with the recorded history and plan the
entries, corrections and retractions that make them agree (step 6), with the words that
explain each rule."""

from dataclasses import replace
from datetime import datetime

from advisories.reconciliation.types import (
    BY_CURATOR,
    BY_RECONCILIATION,
    CLAIM_RULES,
    UNKNOWN,
    ClaimInput,
    CurrentState,
    Event,
    Explanation,
    OverrideInput,
    PlannedEntry,
    Policy,
    RecordedEntry,
    Review,
    Rule,
    claim_ids,
    rule_of,
)


def _status_at(timeline: list[Event], at: datetime) -> str:
    before = [e for e in timeline if e.at <= at]
    return before[-1].status if before else UNKNOWN


def review_claims(
    held: list[Event],
    pending: list[ClaimInput],
    desired: list[Event],
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


def diff(
    desired: list[Event],
    active: list[RecordedEntry],
    now: datetime,
    policy: Policy,
    notes: list[Explanation],
) -> tuple[list[PlannedEntry], list[tuple[int, tuple[int, ...]]], CurrentState | None]:
    """Turn the desired timeline up to ``now`` into appends against the recorded one."""
    pool = [r for r in active if r.rule != Rule.RETRACTION and r.effective_at <= now]
    match = _match(desired, pool, policy)
    used = {r.id for r in match.values()}

    planned: list[tuple[Event | RecordedEntry, PlannedEntry]] = []
    links: list[tuple[int, tuple[int, ...]]] = []
    refs: dict[int, tuple[str, int]] = {}
    for i, event in enumerate(desired):
        evidence = [c for c in event.all_claims() if c.effective_at <= now]
        evidence_ids = claim_ids(evidence)
        recorded = match.get(i)
        if recorded is not None and recorded.effective_at == event.at:
            missing = tuple(sorted(set(evidence_ids) - recorded.claim_ids))
            if missing:
                links.append((recorded.id, missing))
            refs[i] = ("recorded", recorded.id)
            continue
        is_last = i == len(desired) - 1
        rule = rule_of(event, current=is_last)
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
                    claim_ids=evidence_ids,
                    decided_by=BY_CURATOR if event.kind == "override" else BY_RECONCILIATION,
                    curator=event.override.curator if event.override else "",
                    reason=event.override.reason if event.override else message,
                    supersedes_id=recorded.id if recorded is not None else None,
                    unconfirmed=event.unconfirmed,
                ),
            )
        )
        notes.append(Explanation(rule, message, evidence_ids, event.at))

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
    desired: list[Event], pool: list[RecordedEntry], policy: Policy
) -> dict[int, RecordedEntry]:
    """Pair desired events with recorded entries: same date first, then shared claims, then near."""
    match: dict[int, RecordedEntry] = {}
    taken: set[int] = set()

    def candidates(event: Event) -> list[RecordedEntry]:
        kind = {"override": Rule.OVERRIDE, "resume": Rule.OVERRIDE_ENDED}.get(event.kind)
        return [
            r
            for r in pool
            if r.id not in taken
            and r.status == event.status
            and (r.rule == kind if kind else r.rule in CLAIM_RULES)
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
    desired: list[Event],
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
        rule=rule_of(event),
        claim_ids=claim_ids(c for c in event.all_claims() if c.effective_at <= now),
        entry_id=ref if kind == "recorded" else None,
        entry_index=ref if kind == "new" else None,
        unconfirmed=event.unconfirmed and not _corroborated(event, now),
    )


def _corroborated(event: Event, now: datetime) -> bool:
    """An unconfirmed status stops being so once a second, independent source has reported it
    (as a later confirmation) or a curator has accepted one of its claims. Its recorded entry
    keeps saying it was first published unconfirmed; the current status no longer does."""
    evidence = [c for c in event.all_claims() if c.effective_at <= now]
    return len({c.source_key for c in evidence}) >= 2 or any(
        c.review_state == Review.ACCEPTED for c in evidence
    )


def _summary(event: Event) -> str:
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


def _describe(event: Event, rule: Rule) -> str:
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


def next_check(
    future: list[Event], overrides: list[OverrideInput], now: datetime
) -> datetime | None:
    moments = [e.at for e in future]
    for override in overrides:
        moments += [m for m in (override.starts_at, override.ends_at) if m is not None]
    upcoming = [m for m in moments if m > now]
    return min(upcoming, default=None)
