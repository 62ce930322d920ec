"""The budget every Marketo call draws from: calls per rolling window, and calls in flight.

Marketo's limits (100 calls / 20 s, 10 concurrent, per instance) are shared by every integration,
so the stack keeps to a smaller, configurable share. Acquire the concurrency lease first and the
rate slot second: a slot is stamped with the time the call starts, so taking it just before the
call is what keeps "at most N starts in any window" true.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from journeys.connectors.marketo.clock import Clock, SystemClock


class RateLimitConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    calls: int = Field(default=50, ge=1, le=100)
    window_seconds: float = Field(default=20.0, gt=0)
    concurrency: int = Field(default=5, ge=1, le=10)
    # A lease outlives the longest call (65 s read timeout) so a live holder never loses it,
    # yet frees itself if the Lambda holding it dies.
    lease_seconds: float = Field(default=100.0, gt=0)
    poll_seconds: float = Field(default=0.05, gt=0)


class RateLimiter(Protocol):
    """Admission for one Marketo call; use as `with limiter.acquire(): send()`.

    The context value is the instant the call was admitted (its rate-slot stamp).
    """

    def acquire(self) -> AbstractContextManager[float]: ...


class UnlimitedRateLimiter:
    """No budget at all: for tests that exercise Marketo's own limits."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()

    @contextmanager
    def acquire(self) -> Iterator[float]:
        yield self._clock.now()


class InProcessRateLimiter:
    """The same budget for one process (the embedded runtime, or a single worker)."""

    def __init__(self, config: RateLimitConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or RateLimitConfig()
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._starts: deque[float] = deque()
        self._active = 0

    @contextmanager
    def acquire(self) -> Iterator[float]:
        self._take_lease()
        try:
            yield self._take_slot()
        finally:
            with self._lock:
                self._active -= 1

    def _take_lease(self) -> None:
        while True:
            with self._lock:
                if self._active < self.config.concurrency:
                    self._active += 1
                    return
            self._clock.sleep(self.config.poll_seconds)

    def _take_slot(self) -> float:
        window = self.config.window_seconds
        while True:
            with self._lock:
                now = self._clock.now()
                while self._starts and self._starts[0] <= now - window:
                    self._starts.popleft()
                if len(self._starts) < self.config.calls:
                    self._starts.append(now)
                    return now
                wait = self._starts[0] + window - now
            self._clock.sleep(max(wait, 1e-3))
