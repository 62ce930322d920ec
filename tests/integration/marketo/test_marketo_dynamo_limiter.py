"""The stack-wide limiter on DynamoDB (moto): budget, concurrency, leases, across "Lambdas"."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest

from journeys.connectors.marketo import (
    DynamoDbRateLimiter,
    MarketoClient,
    RateLimitConfig,
    VirtualClock,
)
from journeys.connectors.marketo.embedded import EmbeddedMarketo


class YieldClock(VirtualClock):
    """Time stands still; waiting yields so other threads can finish."""

    def sleep(self, seconds: float) -> None:
        time.sleep(0)


def _items(ddb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ddb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "RATELIMIT#marketo"}},
    )["Items"]
    return items


def _run(n: int, body: Any) -> None:
    workers = [threading.Thread(target=body, args=(k,)) for k in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        assert not w.is_alive()


def test_rate_budget_holds_across_limiters_and_threads(ddb: Any, table: str) -> None:
    clock = VirtualClock()
    config = RateLimitConfig(calls=10, window_seconds=20, concurrency=4)
    # Each thread is its own "Lambda": its own limiter instance, sharing only the table.
    limiters = [
        DynamoDbRateLimiter(table, client=ddb, config=config, clock=clock, rng=random.Random(k))
        for k in range(4)
    ]
    starts: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        for _ in range(8):
            with limiters[k].acquire() as admitted, lock:
                starts.append(admitted)

    _run(4, worker)
    starts.sort()
    assert len(starts) == 32
    gaps = [starts[i + 10] - starts[i] for i in range(len(starts) - 10)]
    assert min(gaps) >= 20, sorted(gaps)[:3]
    items = _items(ddb, table)
    assert all("expiresAt" in it for it in items)  # TTL cleans idle items up
    assert not any("holder" in it for it in items)  # every lease was released


def test_concurrency_never_exceeds_the_leases(ddb: Any, table: str) -> None:
    limit = 3
    config = RateLimitConfig(calls=100, concurrency=limit, poll_seconds=0.001)
    clock = YieldClock()
    limiters = [
        DynamoDbRateLimiter(table, client=ddb, config=config, clock=clock, rng=random.Random(k))
        for k in range(9)
    ]
    barrier = threading.Barrier(limit, timeout=10)
    active = 0
    peak = 0
    lock = threading.Lock()

    def worker(k: int) -> None:
        nonlocal active, peak
        with limiters[k].acquire():
            with lock:
                active += 1
                peak = max(peak, active)
            barrier.wait()  # passes only with `limit` leases held at once
            with lock:
                active -= 1

    _run(9, worker)
    assert peak == limit


def test_lease_released_when_the_call_fails(ddb: Any, table: str) -> None:
    limiter = DynamoDbRateLimiter(
        table, client=ddb, config=RateLimitConfig(concurrency=1), clock=YieldClock()
    )
    with pytest.raises(RuntimeError), limiter.acquire():
        raise RuntimeError("Marketo call failed")
    assert not any("holder" in it for it in _items(ddb, table))
    with limiter.acquire():
        pass


def test_a_dead_lambdas_lease_expires(ddb: Any, table: str) -> None:
    clock = VirtualClock()
    config = RateLimitConfig(concurrency=1, lease_seconds=100)
    dead = DynamoDbRateLimiter(table, client=ddb, config=config, clock=clock)
    held = dead.acquire()
    held.__enter__()  # the Lambda dies here: never exits
    alive = DynamoDbRateLimiter(table, client=ddb, config=config, clock=clock)
    before = clock.now()
    with alive.acquire():
        waited = clock.now() - before
    assert 100 <= waited < 102  # waited out the lease, not forever


def test_client_through_the_shared_limiter_never_trips_marketo(ddb: Any, table: str) -> None:
    clock = VirtualClock()
    marketo = EmbeddedMarketo(clock=clock).seed(
        ["Default"], ["Default"], [{"id": i} for i in range(1, 3001)], [{"id": 1, "name": "L"}], []
    )
    limiter = DynamoDbRateLimiter(
        table, client=ddb, config=RateLimitConfig(calls=5, window_seconds=20), clock=clock
    )
    with MarketoClient(
        marketo.settings(), transport=marketo.transport(), clock=clock, limiter=limiter
    ) as client:
        results = client.add_to_list(1, list(range(1, 3001)))
    assert len(results) == 3000
    assert marketo.calls() == 10 and marketo.error_counts() == {}
    counted = [r.at for r in marketo.requests if r.counted]
    assert all(counted[i + 5] - counted[i] >= 20 for i in range(len(counted) - 5))
