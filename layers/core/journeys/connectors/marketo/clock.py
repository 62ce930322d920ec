"""Time sources: the real clock, and a virtual one so tests and the embedded runtime never sleep."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Wall-clock seconds since the epoch, and a way to wait."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """A clock that only moves when someone sleeps or advances it; sleeping returns at once."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept = 0.0  # total virtual seconds waited, so tests can assert on backoff

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._now += seconds
                self.slept += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
