"""What an endpoint's answer means for its delivery: a pure decision, table-tested.

- 2xx: delivered.
- 408 Request Timeout and 429 Too Many Requests: try again, at the time ``Retry-After`` asks
  (seconds or an HTTP-date, at most WEBHOOK_RETRY_AFTER_MAX ahead), else after the backoff.
- Any other 4xx: failed, not retried: the receiver says the request itself is wrong, and
  sending the same bytes again will not change its mind.
- 3xx: redirects are never followed (the target would escape the address checks made at
  registration), so a 3xx is a failure; it is retried like a 5xx, since a moved receiver is
  usually fixed by its owner updating the URL while the retries run.
- 5xx, 1xx and anything else, a timeout, a connection failure: try again after exponential
  backoff with jitter (WEBHOOK_RETRY_BASE doubling up to WEBHOOK_RETRY_CAP, each delay drawn
  from its upper half so that many deliveries failing together do not return together).
- The URL refused before connecting (not https where required, a non-public address): failed.
Retries go on until WEBHOOK_RETRY_FOR after the delivery was created (at least a day); the last
attempt is made at that moment, then the delivery fails.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings


class Outcome:
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Answer:
    """What one attempt got: an HTTP status, or an error before one arrived."""

    status: int | None = None
    error: str = ""
    refused: bool = False
    retry_after: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta
    cap: timedelta
    retry_for: timedelta
    retry_after_max: timedelta

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            base=settings.WEBHOOK_RETRY_BASE,
            cap=settings.WEBHOOK_RETRY_CAP,
            retry_for=settings.WEBHOOK_RETRY_FOR,
            retry_after_max=settings.WEBHOOK_RETRY_AFTER_MAX,
        )


@dataclass(frozen=True)
class Decision:
    outcome: str
    reason: str = ""
    next_attempt_at: datetime | None = None


def backoff(attempts: int, policy: RetryPolicy, rng: random.Random) -> timedelta:
    """The wait after the ``attempts``-th failure: base * 2^(attempts-1), capped, jittered
    into its upper half."""
    doublings = min(max(attempts - 1, 0), 40)  # past the cap long before; keeps the int small
    ceiling = min(policy.base * (2**doublings), policy.cap)
    return ceiling * rng.uniform(0.5, 1.0)


def retry_after_delay(value: str, *, now: datetime, cap: timedelta) -> timedelta | None:
    """The delay a Retry-After header asks for (delta-seconds or HTTP-date), capped; None
    when it says nothing usable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        delay = timedelta(seconds=int(value[:9]))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP-dates are GMT
            return None
        delay = when - now
    return min(max(delay, timedelta(0)), cap)


def _reason(answer: Answer) -> str:
    return f"HTTP {answer.status}" if answer.status is not None else answer.error


def decide(
    *,
    answer: Answer,
    attempts: int,
    created_at: datetime,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> Decision:
    """The delivery's next state after its ``attempts``-th attempt got ``answer``."""
    status = answer.status
    if status is not None and 200 <= status < 300:
        return Decision(Outcome.DELIVERED)
    reason = _reason(answer)
    if answer.refused:
        return Decision(Outcome.FAILED, reason)
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return Decision(Outcome.FAILED, f"{reason}: not retried")
    if status is not None and 300 <= status < 400:
        reason = f"{reason}: redirects are not followed"
    delay = None
    if status in (408, 429):
        delay = retry_after_delay(answer.retry_after, now=now, cap=policy.retry_after_max)
    if delay is None:
        delay = backoff(attempts, policy, rng or random.Random())
    give_up_at = created_at + policy.retry_for
    if now >= give_up_at:
        return Decision(Outcome.FAILED, f"gave up after {attempts} attempts: {reason}")
    return Decision(Outcome.RETRY, reason, min(now + delay, give_up_at))
