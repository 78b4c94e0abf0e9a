"""Fan-out: one status change -> one pending delivery row per subscriber whose scope covers it.

Fan-out writes its rows with INSERT ... SELECT ... ON CONFLICT DO NOTHING under a unique
(change, subscription) constraint, so duplicated task messages, the sweep and a second worker
can run it at will. A FanOut row marks the change done (StatusChange is append-only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from advisories import handoffs
from advisories.alerts.messages import event_changes
from advisories.models import (
    Delivery,
    DeliveryKind,
    FanOut,
    Frequency,
    Subscription,
    SubscriptionScope,
)
from advisories.outbox import queue_pending
from destinations.models import Destination, StatusChange

logger = logging.getLogger(__name__)

_MAX_DEPTH = 12  # resort < zone < region < country: far deeper means a cycle in bad data


# --- scope -------------------------------------------------------------------------------------


def destination_ancestor_ids(destination: Destination) -> list[int]:
    """Ids of the destinations containing this one, nearest first (one query per level)."""
    ids: list[int] = []
    parent_id = destination.parent_id
    while parent_id is not None and parent_id not in ids and len(ids) < _MAX_DEPTH:
        ids.append(parent_id)
        parent_id = (
            Destination.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return ids


def subscriptions_for_destination(
    *, destination: Destination, frequency: str, ancestor_ids: list[int] | None = None
) -> QuerySet[Subscription]:
    """Active subscriptions of this frequency whose scope covers a change at ``destination``.

    Scopes: everything; the destination itself; a destination containing it when the subscriber
    asked for the places inside; the destination's country.
    """
    if ancestor_ids is None:
        ancestor_ids = destination_ancestor_ids(destination)
    covers = Q(scope=SubscriptionScope.ALL) | Q(
        scope=SubscriptionScope.DESTINATION, destination_id=destination.pk
    )
    if ancestor_ids:
        covers |= Q(
            scope=SubscriptionScope.DESTINATION,
            include_children=True,
            destination_id__in=ancestor_ids,
        )
    if destination.country_code:
        covers |= Q(scope=SubscriptionScope.COUNTRY, country_code=destination.country_code)
    return Subscription.objects.active().filter(covers, frequency=frequency)


def scope_covers(
    subscription: Subscription, *, destination: Destination, ancestor_ids: list[int]
) -> bool:
    """The same rule as ``subscriptions_for_destination``, for one subscription in memory."""
    if subscription.scope == SubscriptionScope.ALL:
        return True
    if subscription.scope == SubscriptionScope.DESTINATION:
        return subscription.destination_id == destination.pk or (
            subscription.include_children and subscription.destination_id in ancestor_ids
        )
    if subscription.scope == SubscriptionScope.COUNTRY:
        return bool(destination.country_code) and (
            subscription.country_code == destination.country_code
        )
    return False


# --- delivery rows -----------------------------------------------------------------------------


def insert_deliveries(
    subscriptions: QuerySet[Subscription],
    *,
    kind: str,
    now: datetime,
    change_id: int | None = None,
    digest_day: date | None = None,
) -> int:
    """Queue one pending delivery per subscription, in one statement; existing ones are left
    alone (advisories.outbox.queue_pending)."""
    values = {"kind": str(kind), "change_id": change_id, "digest_day": digest_day}
    return queue_pending(
        Delivery, recipients=subscriptions, recipient="subscription_id", values=values, now=now
    )


def hand_to_senders(created: int) -> None:
    """Once the caller commits, start enough senders for ``created`` new deliveries: one per
    batch, up to ALERTS_SENDERS. They claim disjoint batches, so they send side by side."""
    batches = -(-created // settings.ALERTS_BATCH_SIZE)
    for _ in range(min(settings.ALERTS_SENDERS, batches)):
        handoffs.deliveries_created.open_after_commit()


@dataclass(frozen=True)
class FanOutResult:
    change_id: int
    created: int
    note: str


def change_fan_out(*, change_id: int, now: datetime | None = None) -> FanOutResult:
    """Create the alert deliveries of one status change. Safe to run any number of times.

    Only changes that made a destination's status different when recorded (``alters_current``)
    alert; back-filled history sends nothing. A change already corrected by a later entry is
    marked done without deliveries: telling people about a status we no longer believe helps no
    one. Only subscriptions active at fan-out time are included.
    """
    now = now or timezone.now()
    change = StatusChange.objects.select_related("destination").filter(pk=change_id).first()
    if change is None:  # history is never deleted, so this is a bad id in a message: drop it
        return FanOutResult(change_id, 0, "no such change")
    if not change.alters_current:
        return FanOutResult(change_id, 0, "history only: nothing to tell")
    if FanOut.objects.filter(change_id=change_id).exists():
        return FanOutResult(change_id, 0, "already fanned out")
    # One email per destination per event: the event's first change carries the deliveries
    # (so the unique (change, subscription) key is one per (event, subscriber)) and the email
    # lists every audience the event affects; the others are marked done without deliveries.
    members = event_changes(change)
    lead_id = members[0].pk
    with transaction.atomic():
        if lead_id != change_id:
            created, note = 0, f"told in the alert of change {lead_id}"
        elif all(StatusChange.objects.filter(supersedes_id=m.pk).exists() for m in members):
            created, note = 0, "superseded before fan-out"
        else:
            subscriptions = subscriptions_for_destination(
                destination=change.destination, frequency=Frequency.IMMEDIATE
            )
            created = insert_deliveries(
                subscriptions, kind=DeliveryKind.ALERT, change_id=change_id, now=now
            )
            note = ""
        FanOut.objects.bulk_create(
            [FanOut(change_id=change_id, deliveries=created, note=note, created_at=now)],
            ignore_conflicts=True,
        )
        hand_to_senders(created)
    logger.info("alerts fan-out change=%s deliveries=%s %s", change_id, created, note)
    return FanOutResult(change_id, created, note or "fanned out")
