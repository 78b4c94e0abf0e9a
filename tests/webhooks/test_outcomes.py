"""The pure decision over an endpoint's answer, rule by rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from webhooks.outcomes import Answer, Outcome, RetryPolicy, backoff, decide, retry_after_delay

NOW = datetime(2025, 7, 16, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(
    base=timedelta(seconds=30),
    cap=timedelta(hours=1),
    retry_for=timedelta(hours=72),
    retry_after_max=timedelta(hours=1),
)


def decided(answer: Answer, *, attempts: int = 1, created_at: datetime = NOW):
    return decide(
        answer=answer,
        attempts=attempts,
        created_at=created_at,
        now=NOW,
        policy=POLICY,
        rng=random.Random(7),
    )


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_delivered(status):
    assert decided(Answer(status=status)).outcome == Outcome.DELIVERED


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 413, 422])
def test_a_4xx_other_than_408_and_429_fails_at_once(status):
    assert decided(Answer(status=status)).outcome == Outcome.FAILED


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 301, 302, 307, 308])
def test_408_429_3xx_and_5xx_are_retried(status):
    assert decided(Answer(status=status)).outcome == Outcome.RETRY


@pytest.mark.parametrize("error", ["Timed out after 10.0 seconds.", "Could not fetch the URL: x"])
def test_timeouts_and_connection_errors_are_retried(error):
    assert decided(Answer(error=error)).outcome == Outcome.RETRY


def test_a_refused_url_fails_without_retry():
    assert decided(Answer(error="Refused: ...", refused=True)).outcome == Outcome.FAILED


def test_backoff_doubles_up_to_the_cap_with_jitter_in_its_upper_half():
    rng = random.Random(1)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (8, 3600), (30, 3600), (500, 3600)]:
        delays = [backoff(attempts, POLICY, rng).total_seconds() for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered, not a fixed step


def test_retry_after_in_seconds_and_as_an_http_date_are_both_understood():
    assert retry_after_delay("90", now=NOW, cap=POLICY.cap) == timedelta(seconds=90)
    date = "Wed, 16 Jul 2025 12:05:00 GMT"
    assert retry_after_delay(date, now=NOW, cap=POLICY.cap) == timedelta(minutes=5)


@pytest.mark.parametrize("value", ["", "soon", "-5", "1.5"])
def test_an_unusable_retry_after_falls_back_to_the_backoff(value):
    assert retry_after_delay(value, now=NOW, cap=POLICY.cap) is None


def test_a_retry_after_in_the_past_means_now_and_a_far_one_the_cap():
    past = "Wed, 16 Jul 2025 11:00:00 GMT"
    assert retry_after_delay(past, now=NOW, cap=POLICY.cap) == timedelta(0)
    assert retry_after_delay("86400", now=NOW, cap=POLICY.cap) == POLICY.cap


def test_the_last_retry_is_at_the_end_of_the_retry_window_and_then_it_fails():
    near_end = NOW - POLICY.retry_for + timedelta(seconds=5)
    last = decided(Answer(status=500), attempts=60, created_at=near_end)
    over = decided(Answer(status=500), attempts=61, created_at=NOW - POLICY.retry_for)

    assert last.next_attempt_at == near_end + POLICY.retry_for
    assert over.outcome == Outcome.FAILED and over.reason.startswith("gave up after 61")


def test_the_retry_window_is_at_least_a_day_by_default(settings):
    assert timedelta(hours=24) <= settings.WEBHOOK_RETRY_FOR
