"""Settle one reading per (destination, audience, event) for the whole notice.

A notice repeats itself: a headline, a restatement, "the closure" pointing back, a month later
given its day. Sentences are read one at a time, so their readings wait here as ``Candidate``s,
with the flags settling needs, until the whole notice has been read and can decide between them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .types import DOMESTIC, FOREIGN, ExtractedClaim


@dataclass(slots=True)
class Candidate:
    claim: ExtractedClaim
    explicit: bool
    history: bool
    in_title: bool
    #: Dated by a month or season only ("in October"): a day-dated reading of it wins.
    coarse: bool = False
    #: About visas with no holders named: the notice's one named nationality is meant.
    visa_unqualified: bool = False
    #: "The closure of the island ...", undated: the event the notice dates elsewhere.
    refers_back: bool = False
    #: Dated only by a nearby "takes effect on ..." sentence, which may be another measure's.
    effect_dated: bool = False
    #: Said of a place's visitors with no audience named ("tourists"): the notice may name it.
    unqualified: bool = False


_FAMILY = {
    "open": "open",
    "restricted": "restricted",
    "suspended": "shut",
    "closed": "shut",
    "unknown": "unknown",
}


def _refined(coarse: Candidate, group: list[Candidate]) -> bool:
    """A month-dated reading ("in October") that a day-dated one of the same status refines
    ("with effect from October 26")."""
    day = coarse.claim.effective_at.date()
    return any(
        not c.coarse
        and c.explicit
        and _FAMILY[c.claim.status] == _FAMILY[coarse.claim.status]
        and 0 <= (c.claim.effective_at.date() - day).days <= 31
        for c in group
    )


def _refine_coarse_dates(candidates: list[Candidate]) -> list[Candidate]:
    """ "A group will visit next month ... their tour from 9 February": a month-dated reading
    takes the day the notice gives for the same kind of event in that month, whichever place
    it names there (a resort inside the country, say)."""
    result = []
    for c in candidates:
        if c.coarse:
            day = c.claim.effective_at.date()
            finer = [
                o.claim.effective_at
                for o in candidates
                if not o.coarse
                and o.explicit
                and o.claim.audience == c.claim.audience
                and _FAMILY[o.claim.status] == _FAMILY[c.claim.status]
                and 0 < (o.claim.effective_at.date() - day).days <= 31
                and o.claim.effective_at.date().month == day.month
            ]
            if finer:
                c = replace(c, coarse=False, claim=replace(c.claim, effective_at=min(finer)))
        result.append(c)
    return result


def _date_references_back(candidates: list[Candidate]) -> list[Candidate]:
    """An undated "the closure of X" names the closure the notice dates elsewhere: it takes
    that event's date and status, so one event stays one event."""
    result = []
    for c in candidates:
        if c.refers_back:
            dated = [
                o
                for o in candidates
                if o.explicit
                and o.claim.destination_id == c.claim.destination_id
                and _FAMILY[o.claim.status] == _FAMILY[c.claim.status]
                and not o.history
                and abs((o.claim.effective_at - c.claim.effective_at).days) <= 62
            ]
            if dated:
                source = dated[0].claim
                c = replace(
                    c,
                    explicit=True,
                    claim=replace(c.claim, effective_at=source.effective_at, status=source.status),
                )
        result.append(c)
    return result


def _inherit_visa_holders(candidates: list[Candidate]) -> list[Candidate]:
    """Visa claims that name no holders take the one nationality the notice names for the same
    issuer: a notice about India's visas for Canadians means Canadians throughout."""
    named: dict[int, set[str]] = {}
    for c in candidates:
        if c.claim.audience not in (FOREIGN, DOMESTIC):
            named.setdefault(c.claim.destination_id, set()).add(c.claim.audience)
    result = []
    for c in candidates:
        codes = named.get(c.claim.destination_id, set())
        if c.visa_unqualified and len(codes) == 1:
            c = replace(c, claim=replace(c.claim, audience=next(iter(codes))))
        result.append(c)
    return result


def settle(
    candidates: list[Candidate], body_mentions: frozenset[int] = frozenset()
) -> list[ExtractedClaim]:
    """One reading per (destination, audience, event) for the whole notice.

    Claims of one destination and audience whose dates fall within three days are one event:
    the strongest reading wins (body over headline, asserted over background, dated over
    undated), so a notice never contradicts itself about one moment. A reading dated only by
    the notice's publication is dropped when the notice dates the same status explicitly. A
    headline speaks only for a notice whose body is silent on the place: where the body
    mentions it without asserting anything (a request, a plan), the headline is no claim.
    """
    candidates = _inherit_visa_holders(candidates)
    candidates = _date_references_back(candidates)
    candidates = _refine_coarse_dates(candidates)
    groups: dict[tuple[int, str], list[Candidate]] = {}
    for candidate in candidates:
        key = (candidate.claim.destination_id, candidate.claim.audience)
        groups.setdefault(key, []).append(candidate)
    settled: list[ExtractedClaim] = []
    body_speaks = any(not c.in_title for c in candidates)
    for group in groups.values():
        group = [
            c
            for c in group
            if not (c.in_title and (body_speaks or c.claim.destination_id in body_mentions))
        ]
        if not group:
            continue
        # An undated reading yields to a dated one of the same status (the same event, or the
        # schedule it announces); a dated event long before it is another event.
        group = [
            c
            for c in group
            if c.explicit
            or not any(
                o.explicit
                and not o.history
                and o.claim.status == c.claim.status
                and (o.claim.effective_at - c.claim.effective_at).days >= -31
                for o in group
            )
        ]
        group = [c for c in group if not (c.coarse and _refined(c, group))]
        dated_itself = {_FAMILY[c.claim.status] for c in group if c.explicit and not c.effect_dated}
        group = [
            c for c in group if not (c.effect_dated and _FAMILY[c.claim.status] in dated_itself)
        ]
        qualified = {
            (c.claim.effective_at.date(), "restricted")
            for c in group
            if c.claim.status == "restricted"
        }
        group.sort(
            key=lambda c: (
                c.history,
                c.claim.status == "open"
                and any(abs((day - c.claim.effective_at.date()).days) <= 3 for day, _ in qualified),
                not c.explicit,
                c.claim.status != "suspended",  # a closure with an end is the better reading
                -c.claim.confidence,
                c.claim.start,
            )
        )
        events: list[Candidate] = []
        for candidate in group:
            day = candidate.claim.effective_at.date()
            same = [
                i
                for i, e in enumerate(events)
                if abs((e.claim.effective_at.date() - day).days) <= 3
            ]
            if same:
                kept = events[same[0]]
                if kept.claim.status == "closed" and candidate.claim.status == "suspended":
                    # "closed on Saturday ... will remain closed until Monday": one closure
                    # with an end, dated by its clearest reading.
                    events[same[0]] = replace(kept, claim=replace(kept.claim, status="suspended"))
                continue
            events.append(candidate)
        settled += [replace(e.claim) for e in sorted(events, key=lambda c: c.claim.start)]
    return settled
