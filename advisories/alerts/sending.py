"""Sending: claim due deliveries with a lease, send each over one mail connection, mark each.

How "exactly once" is kept, and where it honestly stops:

* A sender claims a batch (row locks with SKIP LOCKED on PostgreSQL, a conditional UPDATE
  everywhere) by stamping ``claimed_at`` and a claim token: the lease. Concurrent senders take
  disjoint rows.
* Each message goes to the server on its own (``connection.send_messages([message])`` on the
  batch's one connection, from ``django.core.mail.get_connection()``), and its delivery is
  marked sent right after the server accepted it, in its own autocommitted UPDATE guarded by
  the claim token, before the next message is sent. "Sent" never means anything but "accepted".
* A worker killed mid-batch leaves its unfinished rows in "sending"; once the lease has expired
  the next sender (or the sweep) claims them again. Rows it had marked sent are not touched.
* The one window left: a worker killed after the server accepted a message but before its UPDATE
  committed re-sends that single message after the lease. That is inherent to SMTP (the server's
  acceptance and our database cannot commit together); each delivery keeps a stable Message-ID
  so receivers that deduplicate on it drop the copy.

Throughput comes from running several senders side by side (Celery worker processes), not from
reaching below Django's mail API.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F, QuerySet
from django.utils import timezone

from advisories.alerts import messages
from advisories.alerts.digests import DayChanges
from advisories.models import Delivery, DeliveryKind, DeliveryState
from advisories.outbox import claim_due
from destinations.models import StatusChange

logger = logging.getLogger(__name__)

_RETRY_CAP = timedelta(hours=6)


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

    def _rows(self, delivery_id: int) -> QuerySet[Delivery]:
        # The claim token alone is the guard: a row holds one only while "sending" (a database
        # constraint). Naming the state as well could let PostgreSQL pick the index on state
        # and walk every "sending" row of the batch for each email, instead of the primary key.
        return Delivery.objects.filter(pk=delivery_id, claim_token=self.token)

    def sent(self, delivery: Delivery) -> None:
        self._rows(delivery.pk).update(
            state=DeliveryState.SENT,
            sent_at=self.now,
            attempts=F("attempts") + 1,
            claim_token="",
            last_error="",
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
        rows = Delivery.objects.filter(claim_token=self.token, state=DeliveryState.SENDING)
        rows.update(claimed_at=at)
        return set(rows.values_list("id", flat=True))


class _Contents:
    """Per-batch memo: every subscriber of a change reads the same content."""

    def __init__(self) -> None:
        self._changes: dict[int, messages.ChangeContent] = {}
        self._events: dict[int, messages.ChangeContent] = {}
        self._days = DayChanges()

    def change(self, change: StatusChange) -> messages.ChangeContent:
        if change.pk not in self._changes:
            self._changes[change.pk] = messages.change_content(change)
        return self._changes[change.pk]

    def event(self, change: StatusChange) -> messages.ChangeContent:
        """An alert's content: the whole event its (leading) change belongs to."""
        if change.pk not in self._events:
            members = messages.event_changes(change)
            self._events[change.pk] = messages.change_content(change, members=members)
        return self._events[change.pk]

    def digest(self, day: date, delivery: Delivery) -> list[messages.ChangeContent]:
        return [self.change(c) for c in self._days.in_scope(day, delivery.subscription)]


def _message_for(delivery: Delivery, contents: _Contents) -> EmailMultiAlternatives | None:
    """The email a delivery owes, rendered for its reader; None when a digest has nothing."""
    if delivery.kind == DeliveryKind.ALERT:
        return messages.alert_message(
            content=contents.event(delivery.change),
            subscription=delivery.subscription,
            delivery_id=delivery.pk,
        )
    changes = contents.digest(delivery.digest_day, delivery)
    if not changes:
        return None
    return messages.digest_message(
        contents=changes,
        subscription=delivery.subscription,
        day=delivery.digest_day,
        delivery_id=delivery.pk,
    )


def deliveries_send(
    *,
    batch_size: int | None = None,
    now: datetime | None = None,
    connection: BaseEmailBackend | None = None,
) -> SendReport:
    """Claim one batch of due deliveries and send it over one mail connection.

    Per message: build it, hand it to the server, and mark it by what the server said: accepted
    -> sent; 4xx or a connection problem -> pending again with exponential backoff; 5xx or a
    refused recipient -> failed with the reason. One bad message never stops the others; a lost
    connection gives the untried rest of the batch back for a later attempt.
    Must run outside a transaction: each mark commits on its own, before the next message.

    ``connection`` defaults to ``get_connection()`` (``EMAIL_BACKEND``); it is opened at the
    first message and closed when the batch is done.
    """
    now = now or timezone.now()
    report = SendReport()
    token = uuid.uuid4().hex
    ids = claim_due(
        Delivery,
        token=token,
        batch_size=batch_size or settings.ALERTS_BATCH_SIZE,
        now=now,
        lease=settings.ALERTS_LEASE,
    )
    report.claimed = len(ids)
    if not ids:
        return report
    batch = _Batch(token=token, now=now, report=report)
    deliveries = list(
        Delivery.objects.filter(id__in=ids, claim_token=token)
        .select_related("subscription__destination", "change__destination")
        .order_by("id")
    )
    mail = connection or get_connection()
    contents = _Contents()
    opened = False
    started = last_renewal = time.monotonic()
    renew_every = settings.ALERTS_LEASE.total_seconds() / 3
    ours = set(ids)
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
                message = _message_for(delivery, contents)
                if message is None:
                    batch.skipped(delivery, "nothing in scope that day")
                    continue
                if not opened:
                    mail.open()
                    opened = True
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
                batch.sent(delivery)
            else:
                batch.retry(delivery, "the mail backend reported the message not sent")
    finally:
        if opened:
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
    """Send batches until nothing is due (each batch over a connection of its own)."""
    batch_size = batch_size or settings.ALERTS_BATCH_SIZE
    total = SendReport()
    for _ in range(max_batches):
        report = deliveries_send(batch_size=batch_size, now=now or timezone.now())
        total += report
        if report.claimed < batch_size:
            break
    return total
