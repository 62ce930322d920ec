"""The in-process limiter under concurrent callers."""

from __future__ import annotations

import threading
import time

import pytest

from journeys.connectors.marketo import InProcessRateLimiter, RateLimitConfig, VirtualClock


class YieldClock(VirtualClock):
    """Time stands still; waiting just yields the CPU so other threads can release."""

    def sleep(self, seconds: float) -> None:
        time.sleep(0)


def _run(threads: int, body: object) -> None:
    workers = [threading.Thread(target=body) for _ in range(threads)]  # type: ignore[arg-type]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
        assert not w.is_alive()


def test_rate_budget_is_never_exceeded_by_concurrent_callers() -> None:
    clock = VirtualClock()
    limiter = InProcessRateLimiter(RateLimitConfig(calls=50, window_seconds=20, concurrency=10), clock)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            with limiter.acquire() as admitted, lock:
                starts.append(admitted)

    _run(8, worker)
    starts.sort()
    assert len(starts) == 320
    # Any 51 consecutive starts span at least one full window.
    assert all(starts[i + 50] - starts[i] >= 20 for i in range(len(starts) - 50))


def test_concurrency_is_never_exceeded_and_is_used() -> None:
    limit = 5
    limiter = InProcessRateLimiter(RateLimitConfig(calls=100, concurrency=limit), YieldClock())
    barrier = threading.Barrier(limit, timeout=10)
    active = 0
    peak = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal active, peak
        with limiter.acquire():
            with lock:
                active += 1
                peak = max(peak, active)
            barrier.wait()  # only passes when `limit` callers hold a lease at once
            with lock:
                active -= 1

    _run(limit * 4, worker)
    assert peak == limit


def test_a_failing_call_gives_its_lease_back() -> None:
    limiter = InProcessRateLimiter(RateLimitConfig(concurrency=1), YieldClock())
    with pytest.raises(RuntimeError), limiter.acquire():
        raise RuntimeError("boom")
    with limiter.acquire():  # would spin forever if the lease leaked
        pass
