"""Backoff arithmetic and the daily-quota reset instant."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from journeys.connectors.marketo import retry
from journeys.connectors.marketo.retry import RetryPolicy, next_quota_reset, quota_day


def test_exponential_backoff_with_full_jitter_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(1)
    for attempt in range(1, 10):
        ceiling = min(8.0, 2 ** (attempt - 1))
        delays = [policy.delay(attempt, "608", rng) for _ in range(50)]
        assert all(0 <= d <= ceiling for d in delays)
    assert len({round(policy.delay(3, "608", rng), 6) for _ in range(20)}) > 1  # jittered


def test_rate_limit_waits_at_least_a_window() -> None:
    policy = RetryPolicy()
    rng = random.Random(2)
    assert all(policy.delay(1, "606", rng) >= 20.0 for _ in range(20))


def test_611_is_retried_only_a_few_times() -> None:
    policy = RetryPolicy(max_attempts=8)
    assert policy.allows(2, "611", 0.0)
    assert not policy.allows(3, "611", 0.0)
    assert policy.allows(3, "608", 0.0)
    assert not policy.allows(3, "608", 301.0)


@pytest.mark.parametrize(
    ("now", "reset"),
    [
        # Winter (CST, UTC-6): 23:30 local on Jan 15 -> midnight Jan 16 local = 06:00 UTC.
        (datetime(2027, 1, 16, 5, 30, tzinfo=UTC), datetime(2027, 1, 16, 6, 0, tzinfo=UTC)),
        # Summer (CDT, UTC-5): 10:00 UTC Jul 1 = 05:00 local -> midnight Jul 2 local = 05:00 UTC.
        (datetime(2027, 7, 1, 10, 0, tzinfo=UTC), datetime(2027, 7, 2, 5, 0, tzinfo=UTC)),
    ],
)
def test_quota_resets_at_midnight_us_central(now: datetime, reset: datetime) -> None:
    assert next_quota_reset(now.timestamp()) == reset


def test_quota_day_is_the_central_calendar_day() -> None:
    assert quota_day(datetime(2027, 1, 16, 5, 59, tzinfo=UTC).timestamp()) == "2027-01-15"
    assert quota_day(datetime(2027, 1, 16, 6, 0, tzinfo=UTC).timestamp()) == "2027-01-16"


def test_without_tz_data_the_reset_errs_late(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "_central", lambda: retry._CST)
    summer = datetime(2027, 7, 1, 10, 0, tzinfo=UTC).timestamp()
    # Fixed CST puts the reset an hour after the real (CDT) one: never too early.
    assert next_quota_reset(summer) == datetime(2027, 7, 2, 6, 0, tzinfo=UTC)
