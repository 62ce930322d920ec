"""Cohorts by reference, listen-node registrations (one waker wins) and stored events."""

from __future__ import annotations

import threading

import pytest

from journeys.store.repository import NotFound, Store
from tests.contract.builders import event, listener


def test_cohorts_round_trip_in_order(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_cohort("c1")
    big = [f"person-{n:05d}" for n in range(2500)]
    store.put_cohort("c1", big)
    store.put_cohort("empty", [])
    assert store.get_cohort("c1") == big
    assert store.get_cohort("empty") == []

    # A smaller put of the same ref replaces the whole cohort.
    store.put_cohort("c1", ["p2", "p1"])
    assert store.get_cohort("c1") == ["p2", "p1"]


def test_listeners_by_account_and_event_kind(store: Store) -> None:
    store.register_listener(listener("e1"))
    store.register_listener(listener("e2", registered_at="2026-01-02T00:00:00Z"))
    store.register_listener(listener("e3", on="accounts", event_type="interesting_moment"))
    store.register_listener(listener("e4", account_id="globex"))

    assert [x.entryId for x in store.listeners_for("acme", "people", "email_clicked")] == ["e1", "e2"]
    assert [x.entryId for x in store.listeners_for("acme", "accounts", "interesting_moment")] == ["e3"]
    assert store.listeners_for("acme", "people", "sms_clicked") == []
    assert store.listeners_for("initech", "people", "email_clicked") == []

    # Registering the same (entry, node) again replaces it.
    store.register_listener(listener("e1", event_type="email_opened", filters={"node": "welcome"}))
    assert [x.entryId for x in store.listeners_for("acme", "people", "email_clicked")] == ["e2"]
    assert store.listeners_for("acme", "people", "email_opened")[0].filters == {"node": "welcome"}


def test_remove_listener_answers_true_once(store: Store) -> None:
    store.register_listener(listener("e1"))
    assert store.remove_listener("acme", "e1", "listen") is True
    assert store.remove_listener("acme", "e1", "listen") is False
    assert store.remove_listener("acme", "unknown", "listen") is False
    assert store.listeners_for("acme", "people", "email_clicked") == []


def test_concurrent_wakers_one_removal_wins(store: Store) -> None:
    # Given one waiting listener and 8 event deliveries racing to answer its token
    store.register_listener(listener("e1"))
    wins: list[bool] = []
    start = threading.Barrier(8)

    def wake() -> None:
        start.wait()
        wins.append(store.remove_listener("acme", "e1", "listen"))

    threads = [threading.Thread(target=wake) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then exactly one of them may send the task token
    assert sorted(wins) == [False] * 7 + [True]


def test_events_since_orders_and_filters(store: Store) -> None:
    # Given events recorded out of time order, for two kinds and two accounts
    first = store.record_event(event("2026-01-03T10:00:00Z", personId="p2"))
    second = store.record_event(event("2026-01-01T10:00:00+00:00", personId="p1"))
    store.record_event(event("2026-01-02T10:00:00Z", type="email_opened"))
    store.record_event(event("2026-01-02T10:00:00Z", account_id="globex"))
    store.record_event(event("2026-01-03T10:00:00Z", personId="p3", data={"link": "x"}))
    assert first != second

    # When reading one kind since a time (inclusive), then earlier
    since = store.events_since("acme", "people", "email_clicked", "2026-01-03T10:00:00Z")
    everything = store.events_since("acme", "people", "email_clicked", "2025-12-31T00:00:00.000Z")

    # Then only matching events, oldest first, ties in recording order
    assert [e.personId for e in since] == ["p2", "p3"]
    assert [e.personId for e in everything] == ["p1", "p2", "p3"]
    assert everything[2].data == {"link": "x"}
    assert store.events_since("acme", "people", "email_clicked", "2026-02-01T00:00:00Z") == []
    assert store.events_since("acme", "accounts", "email_clicked", "2025-01-01T00:00:00Z") == []


def test_record_events_records_each_as_record_event_does(store: Store) -> None:
    # Given 30 events in one call (more than one DynamoDB batch of 25), two kinds
    events = [event(f"2026-01-01T10:00:{n:02d}Z", personId=f"p{n}") for n in range(30)]
    events.append(event("2026-01-01T09:00:00Z", type="email_opened", personId="px"))

    # When they are recorded together
    ids = store.record_events(events)

    # Then each has its own id and reads back in time order, by kind
    assert len(set(ids)) == 31
    clicked = store.events_since("acme", "people", "email_clicked", "2026-01-01T00:00:00Z")
    assert [e.personId for e in clicked] == [f"p{n}" for n in range(30)]
    assert [
        e.personId for e in store.events_since("acme", "people", "email_opened", "2026-01-01T00:00:00Z")
    ] == ["px"]
    assert store.record_events([]) == []
