"""Sending: claim due deliveries with a lease, POST each signed, record the attempt, mark it.

Exactly once, as far as HTTP allows, in the alerts' way:

* A sender claims a batch (SKIP LOCKED on PostgreSQL, a conditional UPDATE everywhere) by
  stamping ``claimed_at`` and a claim token: the lease. Concurrent senders take disjoint rows.
* Each delivery is POSTed on its own and marked by what the endpoint answered right after, in
  an UPDATE guarded by the claim token, before the next is sent.
* A worker killed mid-batch leaves its unfinished rows "sending"; once the lease has expired
  the next sender (or the sweep) claims them again. The one request that may then go out twice
  is the one in flight when the worker died (the receiver answered, we had not yet marked it);
  it carries the same ``webhook-id`` (``msg_<delivery id>``), so the receiver can drop it.

An endpoint that does not answer (a timeout or a failed connection) is tried once per batch:
its other deliveries in the batch go back to the queue untried, due when its retry is, so one
hung receiver costs a sender one timeout, not one per delivery, and the others are not kept
waiting behind it.

Requests go through the guarded fetcher: public addresses only (or WEBHOOK_ALLOWED_NETWORKS),
https re-checked when WEBHOOKS_REQUIRE_HTTPS, no redirects followed, WEBHOOK_TIMEOUT_SECONDS for
the whole exchange, at most 1 KB of the answer read.
"""

from __future__ import annotations

import logging
import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from advisories.ingest.fetcher import FetchError, FetchRefused, HttpResult, guarded_request
from advisories.outbox import claim_due
from destinations.models import StatusChange
from webhooks import health
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from webhooks.outcomes import Answer, Decision, Outcome, RetryPolicy, decide
from webhooks.payload import change_body
from webhooks.rules import address_rules, https_refusal
from webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

EXCERPT_BYTES = 1024
USER_AGENT = "Portcullis-Webhooks/1"
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def excerpt(content: bytes) -> str:
    """At most 1 KB of what the endpoint answered, as text safe to show anywhere: bytes that
    are not UTF-8 and control characters become backslash escapes (HTML is escaped where it is
    shown, by the admin's templates and by JSON)."""
    text = content[:EXCERPT_BYTES].decode("utf-8", "backslashreplace")
    text = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    while len(text.encode()) > EXCERPT_BYTES:
        text = text[:-1]
    return text


@dataclass
class SendReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0  # not tried: their endpoint did not answer earlier in the batch


def _post(delivery: WebhookDelivery, body: bytes, now: datetime) -> tuple[Answer, int, str]:
    """POST one delivery; return the answer, the latency in ms and an excerpt of the reply."""
    endpoint = delivery.endpoint
    if problem := https_refusal(endpoint.url):
        return Answer(error=f"Refused: {problem}", refused=True), 0, ""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(endpoint=endpoint, message_id=delivery.message_id, body=body, now=now),
    }
    started = time.monotonic()
    try:
        result: HttpResult = guarded_request(
            method="POST",
            url=endpoint.url,
            headers=headers,
            body=body,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            max_bytes=EXCERPT_BYTES,
            follow_redirects=False,
            rules=address_rules(),
            truncate=True,
        )
    except FetchRefused as exc:
        return Answer(error=str(exc), refused=True), 0, ""
    except FetchError as exc:
        return Answer(error=str(exc)), _ms_since(started), ""
    answer = Answer(status=result.status, retry_after=result.header("Retry-After"))
    return answer, _ms_since(started), excerpt(result.content)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class _Batch:
    """The guarded writes of one claimed batch; each names the claim token, so a sender whose
    lease was taken over can no longer change those rows."""

    def __init__(self, *, token: str, report: SendReport) -> None:
        self.token = token
        self.report = report

    def mark(self, delivery: WebhookDelivery, decision: Decision, now: datetime) -> bool:
        """Mark the delivery by the decision and the endpoint's health by the outcome; True if
        that disabled the endpoint."""
        rows = WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=self.token)
        attempts = delivery.attempts + 1
        if decision.outcome == Outcome.DELIVERED:
            rows.update(
                state=DeliveryState.DELIVERED,
                attempts=attempts,
                delivered_at=now,
                claim_token="",
                last_error="",
            )
            self.report.delivered += 1
            health.endpoint_succeeded(endpoint_id=delivery.endpoint_id, now=now)
            return False
        if decision.outcome == Outcome.RETRY:
            rows.update(
                state=DeliveryState.PENDING,
                attempts=attempts,
                next_attempt_at=decision.next_attempt_at,
                claim_token="",
                last_error=decision.reason[:2000],
            )
            self.report.retried += 1
        else:
            rows.update(
                state=DeliveryState.FAILED,
                attempts=attempts,
                claim_token="",
                last_error=decision.reason[:2000],
            )
            self.report.failed += 1
        return health.endpoint_failed(endpoint_id=delivery.endpoint_id, now=now)

    def skip(self, delivery: WebhookDelivery, reason: str) -> None:
        WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=self.token).update(
            state=DeliveryState.SKIPPED, claim_token="", last_error=reason
        )
        self.report.skipped += 1

    def defer(self, delivery: WebhookDelivery, until: datetime) -> None:
        """Give back untried: no attempt is counted, it is due when its endpoint's retry is."""
        WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=self.token).update(
            state=DeliveryState.PENDING,
            next_attempt_at=until,
            claim_token="",
            last_error="Not tried: the endpoint did not answer an earlier delivery.",
        )
        self.report.deferred += 1

    def extend_lease(self, at: datetime) -> set[int]:
        rows = WebhookDelivery.objects.filter(claim_token=self.token, state=DeliveryState.SENDING)
        rows.update(claimed_at=at)
        return set(rows.values_list("id", flat=True))


def deliveries_send(
    *, batch_size: int | None = None, now: datetime | None = None, rng: random.Random | None = None
) -> SendReport:
    """Claim one batch of due deliveries and POST each; one endpoint's trouble never stops the
    others. Must run outside a transaction: each mark commits on its own.

    Each attempt is stamped (and its signature timestamped) with the clock at that attempt;
    a ``now`` given by the caller (tests, the sweep) stands for the whole batch.
    """
    fixed = now is not None
    now = now or timezone.now()
    report = SendReport()
    token = uuid.uuid4().hex
    ids = claim_due(
        WebhookDelivery,
        token=token,
        batch_size=batch_size or settings.WEBHOOK_BATCH_SIZE,
        now=now,
        lease=settings.WEBHOOK_LEASE,
    )
    report.claimed = len(ids)
    if not ids:
        return report
    batch = _Batch(token=token, report=report)
    policy = RetryPolicy.from_settings()
    deliveries = list(
        WebhookDelivery.objects.filter(id__in=ids, claim_token=token)
        .select_related("endpoint")
        .order_by("id")
    )
    changes = StatusChange.objects.select_related("destination").in_bulk(
        {d.change_id for d in deliveries}
    )
    bodies: dict[int, bytes] = {}
    started = last_renewal = time.monotonic()
    renew_every = settings.WEBHOOK_LEASE.total_seconds() / 3
    ours = set(ids)
    disabled: set[int] = set()
    unanswered: dict[int, datetime] = {}  # endpoint -> when its retry is due
    for delivery in deliveries:
        if time.monotonic() - last_renewal > renew_every:
            last_renewal = time.monotonic()
            ours = batch.extend_lease(now + timedelta(seconds=last_renewal - started))
        if delivery.pk not in ours:
            continue
        if not delivery.endpoint.is_active or delivery.endpoint_id in disabled:
            batch.skip(delivery, "endpoint disabled")
            continue
        if delivery.endpoint_id in unanswered:
            batch.defer(delivery, unanswered[delivery.endpoint_id])
            continue
        if delivery.change_id not in bodies:
            bodies[delivery.change_id] = change_body(changes[delivery.change_id])
        at = now if fixed else timezone.now()
        answer, latency_ms, reply = _post(delivery, bodies[delivery.change_id], at)
        decision = decide(
            answer=answer,
            attempts=delivery.attempts + 1,
            created_at=delivery.created_at,
            now=at,
            policy=policy,
            rng=rng,
        )
        try:
            WebhookAttempt.objects.create(
                delivery=delivery,
                endpoint_id=delivery.endpoint_id,
                number=delivery.attempts + 1,
                attempted_at=at,
                status_code=answer.status,
                error=answer.error[:500],
                latency_ms=latency_ms,
                response_excerpt=reply,
                outcome=decision.outcome,
            )
        except IntegrityError:  # the owner deleted the endpoint (and its deliveries) meanwhile
            continue
        if batch.mark(delivery, decision, at):
            disabled.add(delivery.endpoint_id)
        unreachable = answer.status is None and not answer.refused
        if unreachable and decision.outcome == Outcome.RETRY:
            unanswered[delivery.endpoint_id] = decision.next_attempt_at
    logger.info(
        "webhooks send claimed=%s delivered=%s retried=%s failed=%s skipped=%s deferred=%s",
        report.claimed,
        report.delivered,
        report.retried,
        report.failed,
        report.skipped,
        report.deferred,
    )
    return report


def deliveries_drain(*, now: datetime | None = None, max_batches: int = 1000) -> SendReport:
    """Send batches until nothing is due (at ``now``, or by the live clock when None)."""
    total = SendReport()
    for _ in range(max_batches):
        report = deliveries_send(now=now)
        for name in ("claimed", "delivered", "retried", "failed", "skipped", "deferred"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if report.claimed < settings.WEBHOOK_BATCH_SIZE:
            break
    return total
