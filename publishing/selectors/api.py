"""Reads of the API that the pages do not share: a destination's statuses in the one shape the
API gives a status wherever it appears (list, detail, history)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from destinations.models import Audience, CurrentStatus, Destination, StatusChange
from publishing.selectors.overview import statuses_from_history
from publishing.selectors.statuses import (
    AudienceStatus,
    confirmations_as_of,
    current_status_rows,
    status_from_current,
)


def statuses_from_rows(rows: Iterable[CurrentStatus]) -> list[AudienceStatus]:
    """Rows from `current_status_rows` (annotated with `stale`), in the audience order."""
    return sorted(
        (status_from_current(row) for row in rows), key=lambda s: Audience.sort_key(s.audience)
    )


def destination_statuses(
    *,
    destination: Destination,
    changes: list[StatusChange],
    at: datetime | None,
    now: datetime,
) -> list[AudienceStatus]:
    """Per audience, the status now (the current-status table, as the list and the detail read
    it) or, with `at`, the status in force then, derived from the corrected timeline `changes`."""
    if at is None:
        return statuses_from_rows(current_status_rows(now=now).filter(destination=destination))
    confirmed = confirmations_as_of(change_ids=[c.pk for c in changes], at=at)
    return statuses_from_history(changes=changes, at=at, confirmed=confirmed)
