"""The periodic sweep: the safety net that makes a lost queue message cost a minute, not an
alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from advisories.alerts.fanout import change_fan_out
from advisories.alerts.sending import SendReport, deliveries_drain
from destinations.models import StatusChange


@dataclass(frozen=True)
class SweepReport:
    fanned_out: int
    deliveries_created: int
    send: SendReport


def alerts_sweep(*, now: datetime | None = None) -> SweepReport:
    """What beat runs every minute, so that no lost queue message loses an alert.

    Fans out recent alerting changes that have no FanOut mark (their message was lost between
    commit and enqueue, or the broker was down), then sends everything due, including rows whose
    sender died and whose lease has expired.
    """
    now = now or timezone.now()
    missing = list(
        StatusChange.objects.filter(
            alters_current=True,
            recorded_at__gte=now - settings.ALERTS_FANOUT_LOOKBACK,
            recorded_at__lte=now,
            fan_out__isnull=True,
        )
        .order_by("recorded_at", "id")
        .values_list("id", flat=True)
    )
    created = 0
    for change_id in missing:
        created += change_fan_out(change_id=change_id, now=now).created
    send = deliveries_drain(now=now)
    return SweepReport(fanned_out=len(missing), deliveries_created=created, send=send)
