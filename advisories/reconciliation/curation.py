"""What curators do to reconciliation's inputs: review held claims and set overrides. Each
action marks the destination for the next run, which decides again with it."""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from advisories.models import Claim, CuratorOverride, ReviewState
from advisories.reconciliation.service import destination_reconcile
from destinations.models import (
    Audience,
    Destination,
    Status,
)
from destinations.services import claims_changed

logger = logging.getLogger(__name__)

ChangeLink = Claim.changes.through


def claims_review(
    *, claim_ids: Sequence[int], accept: bool, curator, note: str, now: datetime
) -> int:
    """Accept or reject claims (recorded with who and why), then reconcile their destinations."""
    if not note or not note.strip():
        raise ValidationError("Say why: a review decision needs a note.")
    destination_ids = sorted(
        set(Claim.objects.filter(pk__in=claim_ids).values_list("destination_id", flat=True))
    )
    with transaction.atomic():
        # Destinations first, then claims: the same lock order reconciliation takes.
        claims_changed(destination_ids=destination_ids)
        count = Claim.objects.filter(pk__in=claim_ids).update(
            review_state=ReviewState.ACCEPTED if accept else ReviewState.REJECTED,
            reviewed_by=curator,
            review_note=note.strip(),
        )
    for destination_id in destination_ids:
        destination_reconcile(destination_id=destination_id, now=now)
    return count


def override_create(
    *,
    destination: Destination,
    audience: str,
    status: str,
    reason: str,
    curator,
    now: datetime,
    summary: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> CuratorOverride:
    """Record a curator's override and apply it at once; it wins over automatic decisions."""
    Audience.validate(audience)
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why: an override needs a reason."})
    starts_at = starts_at or now
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must come after the start."})
    with transaction.atomic():
        claims_changed(destination_ids=[destination.pk])
        override = CuratorOverride.objects.create(
            destination=destination,
            audience=audience,
            status=status,
            summary=(summary or f"Set to {status} by a curator.")[:300],
            reason=reason.strip(),
            curator=curator,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=now,
        )
    destination_reconcile(destination_id=destination.pk, now=now)
    return override
