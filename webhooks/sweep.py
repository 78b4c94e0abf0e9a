"""The periodic sweep: the net that makes a lost queue message cost a minute, not a webhook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from destinations.models import StatusChange
from webhooks.fanout import change_fan_out
from webhooks.health import disabled_notices_send
from webhooks.sending import SendReport, deliveries_drain


@dataclass(frozen=True)
class SweepReport:
    fanned_out: int
    deliveries_created: int
    send: SendReport
    notices: int


def webhooks_sweep(*, now: datetime | None = None) -> SweepReport:
    """What beat runs every minute: fan out recent published changes with no webhook fan-out
    mark (their message was lost, or the broker was down); send every delivery that is due,
    including those whose sender died and whose lease has expired; mail the owners of disabled
    endpoints not yet told. Without ``now`` (the beat's way) each attempt is stamped with the
    live clock, so a long drain still sends fresh signature timestamps."""
    live = now is None
    now = now or timezone.now()
    missing = list(
        StatusChange.objects.filter(
            alters_current=True,
            recorded_at__gte=now - settings.WEBHOOK_FANOUT_LOOKBACK,
            recorded_at__lte=now,
            webhook_fan_out__isnull=True,
        )
        .order_by("recorded_at", "id")
        .values_list("id", flat=True)
    )
    created = sum(change_fan_out(change_id=pk, now=now).created for pk in missing)
    send = deliveries_drain(now=None if live else now)
    notices = disabled_notices_send(now=now)
    return SweepReport(
        fanned_out=len(missing), deliveries_created=created, send=send, notices=notices
    )
