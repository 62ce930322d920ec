"""Events read back in time order however they were recorded: in order, late, or in batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from journeys.catalog.events import JourneyEvent, new_event
from journeys.store.repository import Store

T1 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def _at(moment: datetime, person: str, type_: str = "email_clicked") -> JourneyEvent:
    return new_event("people", type_, "acme", person, occurred_at=moment, data={"n": person})


def _people(store: Store, since: str, type_: str = "email_clicked") -> list[str | None]:
    return [e.personId for e in store.events_since("acme", "people", type_, since)]


def test_late_and_batched_events_read_back_in_time_then_recording_order(store: Store) -> None:
    t0, t2, t3 = T1 - timedelta(hours=1), T1 + timedelta(hours=1), T1 + timedelta(hours=2)
    # Given a batch out of time order, one instant given in another zone, and one datetime
    # object shared by two events of different kinds
    ids = store.record_events(
        [
            _at(t2, "a"),
            _at(T1, "b"),
            _at(t2, "x", "email_opened"),
            _at(t3.astimezone(timezone(timedelta(hours=5))), "c"),
            _at(t0, "d"),  # older than everything recorded
            _at(t2, "y", "email_opened"),
        ]
    )
    # And later calls: a tie with a recorded time, and one after the newest
    ids += store.record_events([_at(T1, "e")])
    ids.append(store.record_event(_at(t3, "f")))

    # Then each has its own id, and a kind reads back by time, ties in recording order
    assert len(set(ids)) == 8
    assert _people(store, "2026-01-01T00:00:00Z") == ["d", "b", "e", "a", "c", "f"]
    assert _people(store, "2026-01-01T10:00:00.000000Z") == ["b", "e", "a", "c", "f"]
    assert _people(store, "2026-01-01T10:00:00.000001Z") == ["a", "c", "f"]
    assert _people(store, "2026-01-01T12:00:00+00:00") == ["c", "f"]
    assert _people(store, "2026-01-01T09:00:00Z", "email_opened") == ["x", "y"]
    assert store.events_since("acme", "people", "email_clicked", "2026-01-01T12:00:00Z")[0] == _at(t3, "c")
