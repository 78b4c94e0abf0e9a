"""Daily digests: one delivery per daily subscriber with changes in scope on a finished day.

The rows are sent by ``sending`` like alerts; what a digest lists is read from the same changes
when it is sent (``DayChanges``).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from advisories.alerts.fanout import (
    destination_ancestor_ids,
    hand_to_senders,
    insert_deliveries,
    scope_covers,
    subscriptions_for_destination,
)
from advisories.models import DeliveryKind, Frequency, Subscription
from destinations.models import StatusChange

logger = logging.getLogger(__name__)


def changes_of_day(day: date) -> list[StatusChange]:
    """The alerting changes we learnt of on ``day`` (UTC), as the corrected timeline has them."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return list(
        StatusChange.objects.not_superseded()
        .filter(
            alters_current=True, recorded_at__gte=start, recorded_at__lt=start + timedelta(days=1)
        )
        .select_related("destination")
        .order_by("recorded_at", "id")
    )


def digests_send(*, day: date, now: datetime | None = None) -> int:
    """Create one digest delivery per daily subscriber with changes in scope on ``day``.

    Only for a finished day: creating today's rows early would leave later changes out of them,
    since the (subscription, day) unique row then already exists. Subscribers with nothing in
    scope get no row, hence no email. Returns the number of digests created; safe to repeat.
    """
    now = now or timezone.now()
    if day >= now.astimezone(UTC).date():
        raise ValueError("A digest is only made for a day that is over.")
    created = 0
    with transaction.atomic():
        for change in changes_of_day(day):
            subscriptions = subscriptions_for_destination(
                destination=change.destination, frequency=Frequency.DAILY
            )
            created += insert_deliveries(
                subscriptions, kind=DeliveryKind.DIGEST, digest_day=day, now=now
            )
        hand_to_senders(created)
    logger.info("alerts digests day=%s created=%s", day, created)
    return created


class DayChanges:
    """The changes of the days a send batch's digests cover, each day read once."""

    def __init__(self) -> None:
        self._days: dict[date, list[tuple[StatusChange, list[int]]]] = {}

    def in_scope(self, day: date, subscription: Subscription) -> list[StatusChange]:
        """``day``'s changes that ``subscription`` covers, in the order they were learnt."""
        if day not in self._days:
            self._days[day] = [
                (change, destination_ancestor_ids(change.destination))
                for change in changes_of_day(day)
            ]
        return [
            change
            for change, ancestors in self._days[day]
            if scope_covers(subscription, destination=change.destination, ancestor_ids=ancestors)
        ]
