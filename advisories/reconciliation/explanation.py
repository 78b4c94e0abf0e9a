"""Why a destination's status is what it is: per audience, the entry in force, the claims and
rules behind it. Read by curators (admin, `reconcile --explain`) and by the explain API."""

import logging
from datetime import datetime

from advisories.models import Claim
from advisories.reconciliation.service import destination_reconcile
from destinations.models import (
    Audience,
    CurrentStatus,
    DecidedBy,
    Destination,
    Status,
)

logger = logging.getLogger(__name__)

ChangeLink = Claim.changes.through


def destination_explanation(*, destination: Destination, now: datetime) -> list[dict]:
    """Per audience: the status in force, the entry that set it, the claims and rules behind it.

    Read-only: the stored current status is what the public sees; the policy is re-run as a dry
    run so each claim's fate is explained with today's rules (and any pending change shows).
    """
    outcome = destination_reconcile(destination_id=destination.pk, now=now, dry_run=True)
    currents = {
        c.audience: c
        for c in CurrentStatus.objects.filter(destination=destination).select_related("change")
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
                    # Public: who decided, as a role, and the note meant for readers. A curator's
                    # account and private reason stay in the admin's audit trail.
                    "decided_by": change.decided_by,
                    "note": change.summary
                    if change.decided_by == DecidedBy.CURATOR
                    else change.reason,
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
