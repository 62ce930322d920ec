"""Journeys (optimistic revisions) and entries (idempotent creation, updates, path)."""

from __future__ import annotations

import pytest

from journeys.model.journey_record import JourneyStatus, JourneyVersion
from journeys.store.repository import Conflict, NotFound, Store
from tests.contract.builders import entry, journey


def test_journey_create_update_and_stale_revisions(store: Store) -> None:
    assert store.get_journey("onboarding") is None

    created = store.save_journey(journey(), None)
    assert created.revision == 1
    with pytest.raises(Conflict):
        store.save_journey(journey(), None)  # already exists

    live = created.model_copy(
        update={
            "status": JourneyStatus.LIVE,
            "liveVersion": 1,
            "versions": [
                JourneyVersion(version=1, definition=created.definition, publishedAt="2026-01-02T00:00:00Z")
            ],
        }
    )
    saved = store.save_journey(live, 1)
    assert saved.revision == 2
    with pytest.raises(Conflict):
        store.save_journey(live, 1)  # someone else saved revision 2 in between
    with pytest.raises(Conflict):
        store.save_journey(journey("ghost"), 3)  # nothing to update

    assert store.get_journey("onboarding") == saved
    assert saved.definition["x"] == 1.5


def test_list_and_delete_journeys(store: Store) -> None:
    store.save_journey(journey("b", "B"), None)
    store.save_journey(journey("a", "A"), None)
    assert [j.id for j in store.list_journeys()] == ["b", "a"]

    store.delete_journey("b")
    assert store.get_journey("b") is None
    assert [j.id for j in store.list_journeys()] == ["a"]
    with pytest.raises(NotFound):
        store.delete_journey("b")


def test_put_entry_is_idempotent(store: Store) -> None:
    assert store.get_entry("e1") is None
    assert store.put_entry(entry("e1")) is True
    # The same entry id again (a redelivered start) changes nothing.
    assert store.put_entry(entry("e1", status="failed")) is False
    assert store.get_entry("e1") == entry("e1")


def test_update_entry_and_path(store: Store) -> None:
    store.put_entry(entry("e1"))
    store.append_path("e1", {"node": "welcome", "at": "2026-01-01T00:00:01Z", "applied": 3})
    updated = store.update_entry("e1", status="succeeded", endedAt="2026-01-05T00:00:00Z")
    store.append_path("e1", {"node": "done", "at": "2026-01-05T00:00:00Z"})

    got = store.get_entry("e1")
    assert updated.status == "succeeded"
    assert got is not None
    assert got.status == "succeeded" and got.endedAt == "2026-01-05T00:00:00Z"
    assert [s["node"] for s in got.path] == ["welcome", "done"]
    assert got.path[0]["applied"] == 3


def test_update_entry_refuses_unknown_entries_fields_and_values(store: Store) -> None:
    with pytest.raises(NotFound):
        store.update_entry("nope", status="succeeded")
    with pytest.raises(NotFound):
        store.append_path("nope", {"node": "x"})
    store.put_entry(entry("e1"))
    with pytest.raises(ValueError):
        store.update_entry("e1", colour="blue")
    with pytest.raises(ValueError):
        store.update_entry("e1", accountId="other")
    with pytest.raises(ValueError):
        store.update_entry("e1", status="exploded")
    assert store.get_entry("e1") == entry("e1")


def test_entries_of_and_active_entry(store: Store) -> None:
    # Given two accounts with entries started at different times, one in another journey
    store.put_entry(entry("e3", "acme", "2026-03-01T00:00:00Z"))
    store.put_entry(entry("e1", "acme", "2026-01-01T00:00:00Z", status="succeeded"))
    store.put_entry(entry("e2", "globex", "2026-02-01T00:00:00+00:00"))
    store.put_entry(entry("e4", "acme", "2026-04-01T00:00:00Z", journey_id="renewal"))

    # Then entries come back by start time, per journey and per account
    assert [e.entryId for e in store.entries_of("onboarding")] == ["e1", "e2", "e3"]
    assert [e.entryId for e in store.entries_of("onboarding", "acme")] == ["e1", "e3"]
    assert store.entries_of("onboarding", "initech") == []
    active = store.active_entry("onboarding", "acme")
    assert active is not None and active.entryId == "e3"

    # When the running entry ends, the account has no active entry left
    store.update_entry("e3", status="removed")
    assert store.active_entry("onboarding", "acme") is None
    assert store.active_entry("missing", "acme") is None
