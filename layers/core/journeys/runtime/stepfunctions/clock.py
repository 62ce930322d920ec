"""Virtual time: a clock and a discrete-event scheduler (a heap of timers). Nothing ever sleeps."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    """Step Functions' timestamp format: ISO-8601 UTC with milliseconds and a `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(slots=True, eq=False)
class Timer:
    """A scheduled callback; cancelling marks it so the scheduler skips it (lazy deletion)."""

    due: datetime
    seq: int
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """The current virtual time plus the timers due in the future."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock start must be timezone-aware")
        # Millisecond precision, like Step Functions timestamps: keeps ISO round trips exact.
        self._now = start.astimezone(UTC).replace(microsecond=start.microsecond // 1000 * 1000)
        # (due, seq, timer): tuples compare in C, and seq keeps same-instant timers in FIFO order.
        self._timers: list[tuple[datetime, int, Timer]] = []
        self._seq = 0

    @property
    def now(self) -> datetime:
        return self._now

    def schedule(self, delay_seconds: float, callback: Callable[[], None]) -> Timer:
        """Run `callback` after `delay_seconds` of virtual time (0 or less: at the current time)."""
        due = self._now + timedelta(seconds=max(0.0, delay_seconds))
        return self.schedule_at(due, callback)

    def schedule_at(self, due: datetime, callback: Callable[[], None]) -> Timer:
        self._seq += 1
        timer = Timer(max(due, self._now), self._seq, callback)
        heapq.heappush(self._timers, (timer.due, timer.seq, timer))
        return timer

    def next_due(self) -> datetime | None:
        """When the earliest live timer fires, or None when none is pending."""
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0][0] if self._timers else None

    def pop_due(self, limit: datetime | None) -> Timer | None:
        """Advance to the earliest live timer due at or before `limit` and return it."""
        due = self.next_due()
        if due is None or (limit is not None and due > limit):
            return None
        _, _, timer = heapq.heappop(self._timers)
        self._now = max(self._now, timer.due)
        return timer

    def advance_to(self, moment: datetime) -> None:
        """Move time forward (never back) without firing anything."""
        self._now = max(self._now, moment)

    def pending(self) -> int:
        return sum(1 for _, _, t in self._timers if not t.cancelled)
