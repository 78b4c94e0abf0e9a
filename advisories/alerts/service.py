"""Alerts services: subscribing, fanning a change out to deliveries, and sending them.

How "exactly once" is kept, and where it honestly stops:

* Fan-out writes one Delivery per (change, subscription) with INSERT ... SELECT ... ON CONFLICT
  DO NOTHING under a unique constraint, so duplicated task messages, the sweeper and a second
  worker can run it at will. A FanOut row marks the change done (StatusChange is append-only).
* A sender claims a batch (row locks with SKIP LOCKED on PostgreSQL, a conditional UPDATE
  everywhere) by stamping ``claimed_at`` and a claim token: the lease. It marks each delivery
  sent only after the mail server accepted that one message, in its own autocommitted UPDATE
  guarded by the claim token, so "sent" never means anything but "accepted". The mark is
  written while the next message's envelope is in flight, and always before any of that
  message's data is sent: at most one accepted message is ever waiting for its mark.
* A worker killed mid-batch leaves its unfinished rows in "sending"; once the lease has expired
  the next sender (or the sweep) claims them again. Rows it had marked sent are not touched.
* The one window left: a worker killed after the server accepted a message but before its UPDATE
  committed (about a millisecond per message) re-sends that single message after the lease. That is
  inherent to SMTP (the server's acceptance and our database cannot commit together); each
  delivery keeps a stable Message-ID so receivers that deduplicate on it drop the copy.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import DateField, DateTimeField, F, Q, QuerySet
from django.utils import timezone

from advisories import handoffs
from advisories.alerts import rendering
from advisories.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    FanOut,
    Frequency,
    Subscription,
    SubscriptionScope,
    new_subscription_key,
)
from destinations.models import Destination, StatusChange

logger = logging.getLogger(__name__)

_RETRY_CAP = timedelta(hours=6)


# --- subscribing -------------------------------------------------------------------------------


class MailKind:
    CONFIRM = "confirm"
    ALREADY_SUBSCRIBED = "already_subscribed"


class ScopeTaken(Exception):
    """The address already has a subscription for the scope asked for."""


def _scope_lookup(
    *, scope: str, destination: Destination | None, country_code: str
) -> dict[str, object]:
    if scope == SubscriptionScope.DESTINATION:
        if destination is None:
            raise ValueError("A destination subscription needs a destination.")
        return {"scope": scope, "destination": destination, "country_code": ""}
    if scope == SubscriptionScope.COUNTRY:
        if not country_code:
            raise ValueError("A country subscription needs a country code.")
        return {"scope": scope, "destination": None, "country_code": country_code.upper()}
    return {"scope": SubscriptionScope.ALL, "destination": None, "country_code": ""}


def subscription_request(
    *,
    email: str,
    scope: str,
    frequency: str = Frequency.IMMEDIATE,
    destination: Destination | None = None,
    include_children: bool = True,
    country_code: str = "",
    now: datetime | None = None,
) -> None:
    """Record a request to subscribe and queue the one email it may cause.

    Returns nothing on purpose: the caller answers the same whether the address was new, pending
    or already subscribed. A new or lapsed subscription gets a confirmation link and nothing else
    until it is confirmed; an active one gets a note with its manage link, and its settings are
    not changed by a request anyone could have made. Whoever asks, an address gets at most one
    such email per ALERTS_CONFIRM_RESEND_AFTER, so the form cannot be used to flood a mailbox.
    """
    now = now or timezone.now()
    lookup = {
        "email": email.strip().lower(),
        **_scope_lookup(scope=scope, destination=destination, country_code=country_code),
    }
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(**lookup).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        **lookup,
                        include_children=include_children,
                        frequency=frequency,
                        created_at=now,
                    )
            except IntegrityError:  # a concurrent identical request won the insert
                subscription = Subscription.objects.select_for_update().get(**lookup)
        if subscription.is_active:
            kind = MailKind.ALREADY_SUBSCRIBED
        else:
            kind = MailKind.CONFIRM
            if subscription.unsubscribed_at is not None:
                # Subscribing again after leaving: start over, and revoke every older link.
                subscription.unsubscribed_at = None
                subscription.confirmed_at = None
                subscription.key = new_subscription_key()
            subscription.frequency = frequency
            subscription.include_children = include_children
        last = subscription.confirmation_sent_at
        send = last is None or now - last >= settings.ALERTS_CONFIRM_RESEND_AFTER
        if send:
            subscription.confirmation_sent_at = now
            handoffs.subscription_mail_due.open_after_commit(subscription.pk, kind)
        subscription.save()


def subscription_mail_send(*, subscription_id: int, kind: str) -> bool:
    """Send the confirmation (or "already subscribed") email; False when it no longer applies.

    SMTP errors propagate so the task can retry them; confirmation mail is not a Delivery because
    a lost one costs nothing that asking again does not fix.
    """
    subscription = (
        Subscription.objects.select_related("destination").filter(pk=subscription_id).first()
    )
    if subscription is None:
        return False
    if kind == MailKind.CONFIRM:
        if subscription.is_active or subscription.unsubscribed_at is not None:
            return False
        message = rendering.confirmation_message(subscription=subscription)
    elif kind == MailKind.ALREADY_SUBSCRIBED:
        if not subscription.is_active:
            return False
        message = rendering.already_subscribed_message(subscription=subscription)
    else:
        raise ValueError(f"Unknown subscription mail {kind!r}.")
    return get_connection().send_messages([message]) == 1


def _subscription_for(token: str, purpose: str, max_age: timedelta | None) -> Subscription:
    pk, key = rendering.read_token(
        token, purpose, max_age=max_age.total_seconds() if max_age else None
    )
    subscription = Subscription.objects.select_related("destination").filter(pk=pk, key=key).first()
    if subscription is None:  # deleted, or its links were revoked by a re-subscription
        raise rendering.BadToken("This link is no longer valid.")
    return subscription


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    CANCELLED = "cancelled"


def subscription_confirm(*, token: str, now: datetime | None = None) -> tuple[Subscription, str]:
    """Confirm the subscription a confirmation link names. Raises BadToken / ExpiredToken.

    An unsubscribed subscription stays unsubscribed: an old confirmation link must not bring
    back alerts someone turned off.
    """
    now = now or timezone.now()
    subscription = _subscription_for(
        token, rendering.TokenPurpose.CONFIRM, settings.ALERTS_CONFIRM_MAX_AGE
    )
    if subscription.unsubscribed_at is not None:
        return subscription, ConfirmOutcome.CANCELLED
    updated = Subscription.objects.filter(
        pk=subscription.pk, confirmed_at__isnull=True, unsubscribed_at__isnull=True
    ).update(confirmed_at=now)
    if not updated:
        return subscription, ConfirmOutcome.ALREADY_CONFIRMED
    subscription.confirmed_at = now
    return subscription, ConfirmOutcome.CONFIRMED


def subscription_for_manage_token(*, token: str) -> Subscription:
    """The subscription a manage link names. Manage links do not expire: every alert has one."""
    return _subscription_for(token, rendering.TokenPurpose.MANAGE, None)


def subscription_for_unsubscribe_token(*, token: str) -> Subscription:
    """The subscription a one-click unsubscribe link names (RFC 8058: it must keep working)."""
    return _subscription_for(token, rendering.TokenPurpose.UNSUBSCRIBE, None)


def subscription_update(
    *,
    subscription: Subscription,
    scope: str,
    frequency: str,
    destination: Destination | None = None,
    include_children: bool = True,
    country_code: str = "",
) -> Subscription:
    """Change what a (token-holding) subscriber is told about and how often."""
    lookup = _scope_lookup(scope=scope, destination=destination, country_code=country_code)
    for name, value in lookup.items():
        setattr(subscription, name, value)
    subscription.frequency = frequency
    subscription.include_children = include_children
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError as exc:
        raise ScopeTaken("This address already has a subscription for that scope.") from exc
    return subscription


def subscription_unsubscribe(*, subscription: Subscription, now: datetime | None = None) -> bool:
    """Stop every email to this subscription, including ones already queued. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Subscription.objects.filter(
            pk=subscription.pk, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)
        Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
            state=DeliveryState.SKIPPED, last_error="unsubscribed"
        )
    subscription.unsubscribed_at = subscription.unsubscribed_at or now
    return bool(changed)


# --- fan-out -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FanOutResult:
    change_id: int
    created: int
    note: str


def _insert_deliveries(
    subscriptions: QuerySet[Subscription],
    *,
    kind: str,
    now: datetime,
    change_id: int | None = None,
    digest_day: date | None = None,
) -> int:
    """INSERT ... SELECT one pending delivery per subscription; existing ones are left alone.

    One statement whatever the number of subscribers: no ids travel through Python, and the
    unique constraints, not a check-then-insert, decide what already exists.
    """
    ids = subscriptions.order_by().annotate(sub_id=F("pk")).values("sub_id")
    select_sql, select_params = ids.query.sql_with_params()
    stamp = DateTimeField().get_db_prep_value(now, connection)
    day = DateField().get_db_prep_value(digest_day, connection)
    table = connection.ops.quote_name(Delivery._meta.db_table)
    sql = (
        f"INSERT INTO {table} (kind, change_id, digest_day, subscription_id, state, attempts,"  # noqa: S608
        " next_attempt_at, claim_token, last_error, created_at)"
        " SELECT %s, %s, %s, sub.sub_id, %s, 0, %s, '', '', %s"
        f" FROM ({select_sql}) sub WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    params = (str(kind), change_id, day, DeliveryState.PENDING.value, stamp, stamp, *select_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


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
    members = rendering.event_changes(change)
    lead_id = members[0].pk
    with transaction.atomic():
        if lead_id != change_id:
            created, note = 0, f"told in the alert of change {lead_id}"
        elif all(StatusChange.objects.filter(supersedes_id=m.pk).exists() for m in members):
            created, note = 0, "superseded before fan-out"
        else:
            subscriptions = rendering.subscriptions_for_destination(
                destination=change.destination, frequency=Frequency.IMMEDIATE
            )
            created = _insert_deliveries(
                subscriptions, kind=DeliveryKind.ALERT, change_id=change_id, now=now
            )
            note = ""
        FanOut.objects.bulk_create(
            [FanOut(change_id=change_id, deliveries=created, note=note, created_at=now)],
            ignore_conflicts=True,
        )
        if created:
            handoffs.deliveries_created.open_after_commit()
    logger.info("alerts fan-out change=%s deliveries=%s %s", change_id, created, note)
    return FanOutResult(change_id, created, note or "fanned out")


# --- digests -----------------------------------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _changes_of_day(day: date) -> list[StatusChange]:
    """The alerting changes we learnt of on ``day`` (UTC), as the corrected timeline has them."""
    start, end = _day_bounds(day)
    return list(
        StatusChange.objects.not_superseded()
        .filter(alters_current=True, recorded_at__gte=start, recorded_at__lt=end)
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
        for change in _changes_of_day(day):
            subscriptions = rendering.subscriptions_for_destination(
                destination=change.destination, frequency=Frequency.DAILY
            )
            created += _insert_deliveries(
                subscriptions, kind=DeliveryKind.DIGEST, digest_day=day, now=now
            )
        if created:
            handoffs.deliveries_created.open_after_commit()
    logger.info("alerts digests day=%s created=%s", day, created)
    return created


# --- sending -----------------------------------------------------------------------------------


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0

    def __iadd__(self, other: SendReport) -> SendReport:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def _claim(*, token: str, batch_size: int, now: datetime) -> list[int]:
    """Claim up to ``batch_size`` due deliveries for this sender; return their ids.

    Due: pending with ``next_attempt_at`` reached, or "sending" under a lease that has expired
    (its worker died). On PostgreSQL SKIP LOCKED lets concurrent senders take disjoint rows;
    the conditional UPDATE re-checks due-ness, so a row is never claimed twice even where row
    locks do not exist (SQLite serialises writers instead).
    """
    lease_end = now - settings.ALERTS_LEASE
    expired = Q(state=DeliveryState.SENDING, claimed_at__lte=lease_end)
    pending = Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(expired)
            .order_by("claimed_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch_size]
        )
        if len(ids) < batch_size:
            ids += list(
                Delivery.objects.filter(pending)
                .order_by("next_attempt_at", "id")
                .select_for_update(skip_locked=True)
                .values_list("id", flat=True)[: batch_size - len(ids)]
            )
        if not ids:
            return []
        Delivery.objects.filter(expired | pending, id__in=ids).update(
            state=DeliveryState.SENDING, claimed_at=now, claim_token=token
        )
    return list(
        Delivery.objects.filter(id__in=ids, claim_token=token, state=DeliveryState.SENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2x, 4x ... capped, by the number of attempts made."""
    base: timedelta = settings.ALERTS_RETRY_BASE
    return min(base * (2 ** max(attempts - 1, 0)), _RETRY_CAP)


def _smtp_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


@dataclass(frozen=True)
class _Failure:
    permanent: bool
    reason: str
    connection_lost: bool


def _classify(exc: Exception) -> _Failure:
    """SMTP 5xx is permanent, 4xx temporary; anything about the connection is temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (451, b"recipient refused"))
        return _Failure(500 <= code < 600, f"{code} {_smtp_text(text)}", False)
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPAuthenticationError):
        # Authentication failing is our configuration, not the subscriber's address.
        return _Failure(False, f"{type(exc).__name__}: {exc}", True)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        lost = isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError) or code == 421
        return _Failure(500 <= code < 600, f"{code} {_smtp_text(exc.smtp_error)}", lost)
    if isinstance(exc, OSError | smtplib.SMTPException):
        return _Failure(False, f"{type(exc).__name__}: {exc}", True)
    return _Failure(False, f"{type(exc).__name__}: {exc}", False)


class _Batch:
    """The guarded writes of one claimed batch. Each UPDATE names the claim token, so a sender
    whose lease was taken over can no longer change those rows; each commits on its own."""

    def __init__(self, *, token: str, now: datetime, report: SendReport) -> None:
        self.token = token
        self.now = now
        self.report = report
        self.sent_at = DateTimeField().get_db_prep_value(now, _db)
        self._accepted: int | None = None

    def _rows(self, delivery_id: int) -> QuerySet[Delivery]:
        # The claim token alone is the guard: a row holds one only while "sending" (a database
        # constraint). Naming the state as well would let PostgreSQL pick the index on state
        # and walk every "sending" row of the batch, as for the "sent" mark below.
        self.flush()
        return Delivery.objects.filter(pk=delivery_id, claim_token=self.token)

    def sent_later(self, delivery: Delivery) -> None:
        """The server accepted this delivery: mark it sent before the next message's data goes
        out (``flush``), which the sender does while the next envelope is in flight."""
        self.flush()
        self._accepted = delivery.pk

    def flush(self) -> None:
        """Write the pending "sent" mark, if any. Every other write of the batch comes after it."""
        if self._accepted is not None:
            self._mark_sent(self._accepted)
            self._accepted = None

    def _mark_sent(self, delivery_id: int) -> None:
        # The hot path (once per email): one statement rather than a queryset built, compiled
        # and executed each time. Same guard as every other mark, but written so that no index
        # on ``state`` can serve it (``state || ''``): the row must be found by its primary key.
        # Otherwise PostgreSQL, with statistics from when hardly any row was "sending", may walk
        # the whole batch's "sending" rows through an index on state for every single email.
        table = _db.ops.quote_name(Delivery._meta.db_table)
        with _db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET state = %s, sent_at = %s, attempts = attempts + 1,"  # noqa: S608
                " claim_token = '', last_error = '' WHERE id = %s AND claim_token = %s"
                " AND state || '' = %s",
                (
                    DeliveryState.SENT.value,
                    self.sent_at,
                    delivery_id,
                    self.token,
                    DeliveryState.SENDING.value,
                ),
            )
        self.report.sent += 1

    def failed(self, delivery: Delivery, reason: str) -> None:
        self._rows(delivery.pk).update(
            state=DeliveryState.FAILED,
            attempts=F("attempts") + 1,
            claim_token="",
            last_error=reason[:2000],
        )
        self.report.failed += 1

    def retry(self, delivery: Delivery, reason: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= settings.ALERTS_MAX_ATTEMPTS:
            self.failed(delivery, f"gave up after {attempts} attempts: {reason}")
            return
        self._rows(delivery.pk).update(
            state=DeliveryState.PENDING,
            attempts=attempts,
            next_attempt_at=self.now + _retry_delay(attempts),
            claim_token="",
            last_error=reason[:2000],
        )
        self.report.retried += 1

    def skipped(self, delivery: Delivery, reason: str) -> None:
        self._rows(delivery.pk).update(
            state=DeliveryState.SKIPPED, claim_token="", last_error=reason
        )
        self.report.skipped += 1

    def release(self, ids: list[int], reason: str) -> None:
        """Give back rows never tried (the server went away): due again after the base delay."""
        self.flush()
        released = Delivery.objects.filter(
            pk__in=ids, claim_token=self.token, state=DeliveryState.SENDING
        ).update(
            state=DeliveryState.PENDING,
            next_attempt_at=self.now + settings.ALERTS_RETRY_BASE,
            claim_token="",
            last_error=reason[:2000],
        )
        self.report.released += released

    def extend_lease(self, at: datetime) -> set[int]:
        """Renew the lease of the rows still ours; a slow batch must not be re-sent beside us."""
        self.flush()
        rows = Delivery.objects.filter(claim_token=self.token, state=DeliveryState.SENDING)
        rows.update(claimed_at=at)
        return set(rows.values_list("id", flat=True))


class _Contents:
    """Per-batch memo: every subscriber of a change reads the same content."""

    def __init__(self) -> None:
        self._changes: dict[int, rendering.ChangeContent] = {}
        self._days: dict[date, list[tuple[StatusChange, list[int]]]] = {}
        self.alerts = rendering.AlertRenderer()

    def change(self, change: StatusChange) -> rendering.ChangeContent:
        if change.pk not in self._changes:
            self._changes[change.pk] = rendering.change_content(change)
        return self._changes[change.pk]

    def event(self, change: StatusChange) -> rendering.ChangeContent:
        """An alert's content: the whole event its (leading) change belongs to."""
        key = -change.pk
        if key not in self._changes:
            members = rendering.event_changes(change)
            self._changes[key] = rendering.change_content(change, members=members)
        return self._changes[key]

    def digest(self, day: date, subscription: Subscription) -> list[rendering.ChangeContent]:
        if day not in self._days:
            self._days[day] = [
                (change, rendering.destination_ancestor_ids(change.destination))
                for change in _changes_of_day(day)
            ]
        return [
            self.change(change)
            for change, ancestors in self._days[day]
            if rendering.scope_covers(
                subscription, destination=change.destination, ancestor_ids=ancestors
            )
        ]


def _message_for(delivery: Delivery, contents: _Contents):
    if delivery.kind == DeliveryKind.ALERT:
        return contents.alerts.message(
            content=contents.event(delivery.change),
            subscription=delivery.subscription,
            delivery_id=delivery.pk,
        )
    changes = contents.digest(delivery.digest_day, delivery.subscription)
    if not changes:
        return None
    return rendering.digest_message(
        contents=changes,
        subscription=delivery.subscription,
        day=delivery.digest_day,
        delivery_id=delivery.pk,
    )


class _Messages:
    """Each delivery's email, built once: in its turn, or ahead of it while the server is busy
    with the previous message's data (``build_ahead``). Building has no side effect, so a
    message built ahead of a delivery that is then not sent costs nothing but the work."""

    def __init__(self, deliveries: list[Delivery], contents: _Contents) -> None:
        self._deliveries = deliveries
        self._contents = contents
        self._ahead: dict[int, tuple[object, Exception | None]] = {}

    def build_ahead(self, index: int) -> None:
        """Build the message of ``deliveries[index]`` now; never raises an ordinary error (it
        is kept and raised by ``message``, in that delivery's turn)."""
        if index >= len(self._deliveries) or index in self._ahead:
            return
        delivery = self._deliveries[index]
        if not delivery.subscription.is_active:
            return
        try:
            self._ahead[index] = (_message_for(delivery, self._contents), None)
        except Exception as exc:
            self._ahead[index] = (None, exc)

    def message(self, index: int):
        """The message of ``deliveries[index]`` (None: nothing to send), or its build error."""
        if index in self._ahead:
            message, error = self._ahead.pop(index)
            if error is not None:
                raise error
            return message
        return _message_for(self._deliveries[index], self._contents)


_db = connection  # deliveries_send's ``connection`` argument is the mail connection


@contextmanager
def _asynchronous_commits() -> Iterator[None]:
    """On PostgreSQL, let this session's commits return before their WAL reaches the disk.

    Each "sent" mark is its own commit right after its message; waiting for a disk flush on each
    would cap sending at the disk's flush rate. A killed *worker* loses nothing this way (the
    server already has the commit); only a crash of the database server itself can lose the
    last fraction of a second of marks, and those messages are then sent again: a duplicate in
    a rare failure, never a lost alert or a row marked sent that was not accepted.
    """
    if _db.vendor != "postgresql":
        yield
        return
    with _db.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with _db.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # the session is gone, and its setting with it
            pass


def deliveries_send(
    *,
    batch_size: int | None = None,
    now: datetime | None = None,
    connection: BaseEmailBackend | None = None,
) -> SendReport:
    """Claim one batch of due deliveries and send it over one reused mail connection.

    Per message: build it, hand it to the server, and mark it by what the server said: accepted
    -> sent; 4xx or a connection problem -> pending again with exponential backoff; 5xx or a
    refused recipient -> failed with the reason. One bad message never stops the others; a lost
    connection gives the untried rest of the batch back for a later attempt.
    Must run outside a transaction: each mark commits on its own, before the next message's data.

    With a backend that takes ready bytes (``send_ready``, the project's SMTP backend), the
    sender does not wait for the server more than it must: the previous message's mark is
    written while this message's envelope is in flight, and the next message is built while
    the server takes this one's data.
    """
    now = now or timezone.now()
    report = SendReport()
    token = uuid.uuid4().hex
    ids = _claim(token=token, batch_size=batch_size or settings.ALERTS_BATCH_SIZE, now=now)
    report.claimed = len(ids)
    if not ids:
        return report
    batch = _Batch(token=token, now=now, report=report)
    deliveries = list(
        Delivery.objects.filter(id__in=ids, claim_token=token)
        .select_related("subscription__destination", "change__destination")
        .order_by("id")
    )
    own_connection = connection is None
    mail = connection or get_connection()
    send_ready = getattr(mail, "send_ready", None)
    messages = _Messages(deliveries, _Contents())
    opened = False
    started = last_renewal = time.monotonic()
    renew_every = settings.ALERTS_LEASE.total_seconds() / 3
    ours = set(ids)
    with _asynchronous_commits():
        try:
            for index, delivery in enumerate(deliveries):
                if time.monotonic() - last_renewal > renew_every:
                    last_renewal = time.monotonic()
                    ours = batch.extend_lease(now + timedelta(seconds=last_renewal - started))
                if delivery.pk not in ours:
                    continue
                if not delivery.subscription.is_active:
                    batch.skipped(delivery, "subscription no longer active")
                    continue
                try:
                    message = messages.message(index)
                    if message is None:
                        batch.skipped(delivery, "nothing in scope that day")
                        continue
                    if not opened:
                        mail.open()
                        opened = True
                    wire = getattr(message, "wire", None)
                    if wire is not None and send_ready is not None:
                        # The previous message's mark is written while this envelope is in
                        # flight, before any of this message's data is sent; the next message
                        # is built while the server takes this one's data.
                        send_ready(
                            wire,
                            during_envelope=batch.flush,
                            during_data=partial(messages.build_ahead, index + 1),
                        )
                        accepted = 1
                    else:
                        batch.flush()
                        accepted = mail.send_messages([message])
                except Exception as exc:
                    failure = _classify(exc)
                    if failure.permanent:
                        batch.failed(delivery, failure.reason)
                    else:
                        batch.retry(delivery, failure.reason)
                    if failure.connection_lost:
                        batch.release([d.pk for d in deliveries[index + 1 :]], failure.reason)
                        logger.warning("alerts send stopped: %s", failure.reason)
                        break
                    continue
                if accepted == 1:
                    batch.sent_later(delivery)
                else:
                    batch.retry(delivery, "the mail backend reported the message not sent")
            batch.flush()
        except BaseException:
            # Leaving early (a database error, a worker's time limit): the message the server
            # last accepted is still marked if the database lets us, so it is not sent again.
            with suppress(DatabaseError):
                batch.flush()
            raise
        finally:
            if own_connection or opened:
                mail.close()
    logger.info(
        "alerts send claimed=%s sent=%s retried=%s failed=%s skipped=%s released=%s",
        report.claimed,
        report.sent,
        report.retried,
        report.failed,
        report.skipped,
        report.released,
    )
    return report


def deliveries_drain(
    *, now: datetime | None = None, batch_size: int | None = None, max_batches: int = 1000
) -> SendReport:
    """Send batches until nothing is due, over one connection for the whole run."""
    batch_size = batch_size or settings.ALERTS_BATCH_SIZE
    total = SendReport()
    mail = get_connection()
    try:
        for _ in range(max_batches):
            report = deliveries_send(
                batch_size=batch_size, now=now or timezone.now(), connection=mail
            )
            total += report
            if report.claimed < batch_size:
                break
    finally:
        mail.close()
    return total


# --- the periodic sweep ------------------------------------------------------------------------


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
