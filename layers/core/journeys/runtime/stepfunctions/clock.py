"""Virtual time: a clock and a discrete-event scheduler (a heap of timers). Nothing ever sleeps."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# The last instant formatted, and its text. Virtual time hands the same `now` object to every
# state entered at an instant, so an identity check answers most calls without strftime.
# Datetimes are immutable and the reference keeps the object alive: same object, same text.
_last_iso: list[tuple[datetime | None, str]] = [(None, "")]


def iso(moment: datetime) -> str:
    """Step Functions' timestamp format: ISO-8601 UTC with milliseconds and a `Z`."""
    last = _last_iso[0]  # one read of the pair: it stays consistent across threads
    if last[0] is moment:
        return last[1]
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    _last_iso[0] = (moment, text)
    return text


# Compact the heap once more than this many cancelled timers are in it, and they are the majority.
_COMPACT_AFTER = 1024


def _never() -> None:
    """What a cancelled timer calls instead: nothing (it is skipped anyway)."""


@dataclass(slots=True, eq=False)
class Timer:
    """A scheduled callback; cancelling marks it so the scheduler skips it (lazy deletion)."""

    due: datetime
    seq: int
    callback: Callable[[], None]
    cancelled: bool = False
    # The clock whose heap holds this timer (None once popped): told about cancellations.
    clock: VirtualClock | None = field(default=None, repr=False)

    def cancel(self) -> None:
        if self.cancelled:
            return
        self.cancelled = True
        # A cancelled timer may sit in the heap until its due time (a task's timeout: days of
        # virtual time); dropping the callback frees what it holds (the task, its input) now.
        self.callback = _never
        clock = self.clock
        if clock is not None:
            clock._cancelled += 1
            if clock._cancelled > _COMPACT_AFTER and 2 * clock._cancelled > len(clock._timers):
                clock._compact()


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
        self._cancelled = 0  # cancelled timers still in the heap
        # Delays seen so far (task timeouts, retry intervals): a timedelta is costly to build.
        self._deltas: dict[float, timedelta] = {}

    @property
    def now(self) -> datetime:
        return self._now

    def schedule(self, delay_seconds: float, callback: Callable[[], None]) -> Timer:
        """Run `callback` after `delay_seconds` of virtual time (0 or less: at the current time)."""
        delta = self._deltas.get(delay_seconds)
        if delta is None:
            delta = timedelta(seconds=max(0.0, delay_seconds))
            if len(self._deltas) < 1024:  # bounded: Wait states' SecondsPath delays come from data
                self._deltas[delay_seconds] = delta
        # Never before now (delta >= 0), so no clamping as in schedule_at; inlined (hot path).
        due = self._now + delta
        self._seq += 1
        timer = Timer(due, self._seq, callback, False, self)
        heapq.heappush(self._timers, (due, self._seq, timer))
        return timer

    def schedule_at(self, due: datetime, callback: Callable[[], None]) -> Timer:
        due = max(due, self._now)
        self._seq += 1
        timer = Timer(due, self._seq, callback, False, self)
        heapq.heappush(self._timers, (due, self._seq, timer))
        return timer

    def _compact(self) -> None:
        """Drop the cancelled timers from the heap (Timer.cancel calls this when they are most of it).

        Every answered task cancels its timeout timer, due days later: without this the heap
        grows with every task of a run. Keys (due, seq) are unique, so rebuilding the heap keeps
        the firing order exactly.
        """
        self._timers = [entry for entry in self._timers if not entry[2].cancelled]
        heapq.heapify(self._timers)
        self._cancelled = 0

    def next_due(self) -> datetime | None:
        """When the earliest live timer fires, or None when none is pending."""
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)[2].clock = None
            self._cancelled -= 1
        return self._timers[0][0] if self._timers else None

    def pop_due(self, limit: datetime | None) -> Timer | None:
        """Advance to the earliest live timer due at or before `limit` and return it."""
        due = self.next_due()
        if due is None or (limit is not None and due > limit):
            return None
        _, _, timer = heapq.heappop(self._timers)
        timer.clock = None  # out of the heap: a later cancel() has nothing to count
        self._now = max(self._now, timer.due)
        return timer

    def advance_to(self, moment: datetime) -> None:
        """Move time forward (never back) without firing anything."""
        self._now = max(self._now, moment)

    def pending(self) -> int:
        return sum(1 for _, _, t in self._timers if not t.cancelled)
