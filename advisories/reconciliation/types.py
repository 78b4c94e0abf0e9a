"""The policy's vocabulary: its inputs, outputs, rules and numbers, as plain frozen data.

Nothing here knows Django or the clock; the service turns rows into these and back.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
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
CLAIM_RULES = frozenset({Rule.STATUS_CHANGE, Rule.BACKFILL, Rule.CURATOR_ACCEPTED})


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
class Event:
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


def claim_ids(claims: Iterable[ClaimInput]) -> tuple[int, ...]:
    """The distinct ids of ``claims``, sorted: how explanations and links name evidence."""
    return tuple(sorted({c.id for c in claims}))


def rule_of(event: Event, *, current: bool = True) -> Rule:
    """The rule an entry for ``event`` is recorded under."""
    if event.kind == "override":
        return Rule.OVERRIDE
    if event.kind == "resume":
        return Rule.OVERRIDE_ENDED
    if event.accepted:
        return Rule.CURATOR_ACCEPTED
    return Rule.STATUS_CHANGE if current else Rule.BACKFILL
