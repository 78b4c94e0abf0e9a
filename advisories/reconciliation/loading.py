"""Reading one batch of destinations' inputs (claims, overrides, recorded history) as the
policy's plain data, in a constant number of queries."""

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from advisories.models import Claim, CuratorOverride, Notice
from advisories.reconciliation.types import (
    ClaimInput,
    OverrideInput,
    RecordedEntry,
)
from destinations.models import (
    Audience,
    CurrentStatus,
    StatusChange,
)

logger = logging.getLogger(__name__)

ChangeLink = Claim.changes.through

_NATIONALITY = re.compile(r"^[A-Z]{2}$")


@dataclass
class Inputs:
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


def load_inputs(ids: list[int]) -> Inputs:
    inputs = Inputs()
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
        "notice__content_hash",
        "confidence",
        "review_state",
        "sentence",
    )
    rows = list(claims.iterator(chunk_size=5000))
    first_publisher = _first_publishers({row[9] for row in rows})
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
        text_hash,
        conf,
        state,
        text,
    ) in rows:
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
                # A verbatim copy of another source's text is not an independent report: it is
                # counted as the report of whoever published the text first.
                source_id=first_publisher.get(text_hash, source_id),
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


def _first_publishers(hashes: set[str]) -> dict[str, int]:
    """For each text published by more than one source, the source that published it first."""
    first: dict[str, int] = {}
    published = (
        Notice.objects.filter(content_hash__in=hashes)
        .order_by("content_hash", "published_at", "id")
        .values_list("content_hash", "source_id")
    )
    seen: dict[str, set[int]] = defaultdict(set)
    for text_hash, source_id in published.iterator(chunk_size=5000):
        first.setdefault(text_hash, source_id)
        seen[text_hash].add(source_id)
    return {h: s for h, s in first.items() if len(seen[h]) > 1}
