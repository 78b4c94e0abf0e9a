"""Fan-out: one published status change -> one pending delivery per endpoint whose scope covers it.

Which changes: the ones the alerts tell about, by the same rules: only a change that made the
destination's published status different when it was recorded (``alters_current``); back-filled
history and corrections of the past are not news, and a change already corrected by a later entry
before fan-out is not sent (a receiver would act on a status we no longer believe). Unlike an
alert email, which groups an event's audiences into one message, each change is its own webhook:
the body is one change object of ``/api/v1/changes/``, and a receiver filtering by audience gets
exactly the changes it asked for.

Rows are written with INSERT ... SELECT ... ON CONFLICT DO NOTHING under the unique (change,
endpoint) constraint, so duplicated task messages, the sweep and a second worker may all run it;
a WebhookFanOut row marks the change done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from advisories.alerts.fanout import destination_ancestor_ids
from advisories.outbox import queue_pending
from destinations.models import Destination, StatusChange
from webhooks import handoffs
from webhooks.models import (
    EndpointScope,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanOut,
)

logger = logging.getLogger(__name__)


def endpoints_for_change(*, destination: Destination, audience: str) -> QuerySet[WebhookEndpoint]:
    """Active endpoints whose scope covers a change at ``destination`` for ``audience``:
    everything; the destination itself; a destination containing it, when the endpoint asked
    for the places inside; its country. An endpoint with an audience hears only that one."""
    ancestor_ids = destination_ancestor_ids(destination)
    covers = Q(scope=EndpointScope.ALL) | Q(
        scope=EndpointScope.DESTINATION, destination_id=destination.pk
    )
    if ancestor_ids:
        covers |= Q(
            scope=EndpointScope.DESTINATION,
            include_children=True,
            destination_id__in=ancestor_ids,
        )
    if destination.country_code:
        covers |= Q(scope=EndpointScope.COUNTRY, country_code=destination.country_code)
    return WebhookEndpoint.objects.filter(
        covers, Q(audience="") | Q(audience=audience), is_active=True
    )


def insert_deliveries(
    endpoints: QuerySet[WebhookEndpoint], *, change_id: int, now: datetime
) -> int:
    """Queue one pending delivery per endpoint, in one statement; existing ones are left alone
    (advisories.outbox.queue_pending)."""
    return queue_pending(
        WebhookDelivery,
        recipients=endpoints,
        recipient="endpoint_id",
        values={"change_id": change_id},
        now=now,
    )


def hand_to_senders(created: int) -> None:
    """Once the caller commits, start one sender per batch of new deliveries, up to
    WEBHOOK_SENDERS; they claim disjoint batches."""
    batches = -(-created // settings.WEBHOOK_BATCH_SIZE)
    for _ in range(min(settings.WEBHOOK_SENDERS, batches)):
        handoffs.deliveries_created.open_after_commit()


@dataclass(frozen=True)
class FanOutResult:
    change_id: int
    created: int
    note: str


def change_fan_out(*, change_id: int, now: datetime | None = None) -> FanOutResult:
    """Create the webhook deliveries of one status change. Safe to run any number of times."""
    now = now or timezone.now()
    change = StatusChange.objects.select_related("destination").filter(pk=change_id).first()
    if change is None:  # history is never deleted: a bad id in a message, drop it
        return FanOutResult(change_id, 0, "no such change")
    if not change.alters_current:
        return FanOutResult(change_id, 0, "history only: nothing to tell")
    if WebhookFanOut.objects.filter(change_id=change_id).exists():
        return FanOutResult(change_id, 0, "already fanned out")
    with transaction.atomic():
        if StatusChange.objects.filter(supersedes_id=change_id).exists():
            created, note = 0, "superseded before fan-out"
        else:
            endpoints = endpoints_for_change(
                destination=change.destination, audience=change.audience
            )
            created, note = insert_deliveries(endpoints, change_id=change_id, now=now), ""
        WebhookFanOut.objects.bulk_create(
            [WebhookFanOut(change_id=change_id, deliveries=created, note=note, created_at=now)],
            ignore_conflicts=True,
        )
        hand_to_senders(created)
    logger.info("webhooks fan-out change=%s deliveries=%s %s", change_id, created, note)
    return FanOutResult(change_id, created, note or "fanned out")
