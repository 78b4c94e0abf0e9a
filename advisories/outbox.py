"""Outbox tables (email deliveries, webhook deliveries): queueing rows, and claiming them.

Rows are queued by one INSERT ... SELECT ... ON CONFLICT DO NOTHING per batch of recipients: no
ids travel through Python, and the table's unique constraints, not a check-then-insert, decide
what already exists, so duplicated task messages, the sweeps and a second worker may all queue.

An outbox row (an email delivery, a webhook delivery) is due when it is pending and its
``next_attempt_at`` has come, or when it is "sending" under a lease that has expired (the worker
that claimed it died). A sender stamps the rows it takes with ``claimed_at`` and a token of its
own; every later write it makes names that token, so a sender whose lease was taken over can no
longer touch those rows. On PostgreSQL SKIP LOCKED lets concurrent senders take disjoint rows;
the conditional UPDATE re-checks due-ness, so a row is never claimed twice even where row locks
do not exist (SQLite serialises writers instead).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet

# The values both delivery models' DeliveryState give these states.
SENDING = "sending"
PENDING = "pending"


def claim_due(
    model: type[models.Model], *, token: str, batch_size: int, now: datetime, lease: timedelta
) -> list[int]:
    """Claim up to ``batch_size`` due rows of ``model`` for the sender holding ``token``; return
    their ids, oldest lease first, then earliest due. The model has ``state``, ``claimed_at``,
    ``next_attempt_at`` and ``claim_token`` fields."""
    expired = Q(state=SENDING, claimed_at__lte=now - lease)
    pending = Q(state=PENDING, next_attempt_at__lte=now)
    rows = model._default_manager
    with transaction.atomic():
        ids = list(
            rows.filter(expired)
            .order_by("claimed_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch_size]
        )
        if len(ids) < batch_size:
            ids += list(
                rows.filter(pending)
                .order_by("next_attempt_at", "id")
                .select_for_update(skip_locked=True)
                .values_list("id", flat=True)[: batch_size - len(ids)]
            )
        if not ids:
            return []
        rows.filter(expired | pending, id__in=ids).update(
            state=SENDING, claimed_at=now, claim_token=token
        )
    return list(
        rows.filter(id__in=ids, claim_token=token, state=SENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def queue_pending(
    model: type[models.Model],
    *,
    recipients: QuerySet,
    recipient: str,
    values: dict[str, object],
    now: datetime,
) -> int:
    """Queue one pending row of ``model`` per row of ``recipients`` (its pk goes to the field
    ``recipient``, e.g. "subscription_id"), each with ``values``; rows the unique constraints
    already hold are left alone. Returns how many were queued."""
    meta = model._meta
    given = {**values, "state": PENDING, "attempts": 0, "next_attempt_at": now}
    given |= {"claim_token": "", "last_error": "", "created_at": now}
    names = [*given, recipient]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)
    params = [meta.get_field(n).get_db_prep_value(v, connection) for n, v in given.items()]
    ids = recipients.order_by().annotate(recipient_pk=F("pk")).values("recipient_pk")
    select_sql, select_params = ids.query.sql_with_params()
    placeholders = ", ".join(["%s"] * len(given))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns})"  # noqa: S608
        f" SELECT {placeholders}, r.recipient_pk FROM ({select_sql}) r WHERE 1 = 1"
        " ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *select_params])
        return max(cursor.rowcount, 0)
