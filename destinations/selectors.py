"""Read queries for destinations and status. Views and serializers call these; never write."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from destinations.models import Audience, CurrentStatus, Destination, Status, StatusChange


def current_statuses() -> QuerySet[CurrentStatus]:
    """Every known current status, with its destination, in one indexed query."""
    return CurrentStatus.objects.exclude(status=Status.UNKNOWN).select_related(
        "destination", "destination__parent"
    )


def timeline(*, destination: Destination, audience: str | None = None) -> QuerySet[StatusChange]:
    """The corrected history (superseded entries left out), newest first."""
    changes = StatusChange.objects.not_superseded().filter(destination=destination)
    if audience is not None:
        changes = changes.filter(audience=audience)
    return changes.order_by("-effective_at", "-id")


def status_as_of(
    destination: Destination, at: datetime, audience: str = Audience.FOREIGN
) -> StatusChange | None:
    """The entry of the corrected timeline in force at `at`, or None if nothing was known."""
    return timeline(destination=destination, audience=audience).filter(effective_at__lte=at).first()
