"""Who enters a journey: the audience, re-entry rules, idempotent starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from journeys.definition.model import Journey
from journeys.model.journey_record import JourneyStatus
from journeys.orchestration.entries import audience_accounts, enter_accounts, entry_id, restart_unstarted
from journeys.store.memory import InMemoryStore
from tests.support.world import T0, RecordingStarter


def make_journey(**extra: Any) -> Journey:
    raw: dict[str, Any] = {"id": "onboarding", "name": "Onboarding", "audience": {"accountList": "strategic-accounts"},
                           "start": "done", "nodes": {"done": {"type": "end"}}}  # fmt: skip
    raw.update(extra)
    return Journey.model_validate(raw)


def test_audience_from_a_list_and_from_a_segment(store: InMemoryStore) -> None:
    assert audience_accounts(make_journey(), store) == ["acme", "globex", "initech", "umbrella"]
    segment = make_journey(
        audience={"segment": {"all": [{"attribute": "lifecycle", "op": "eq", "value": "customer"}]}}
    )
    assert sorted(audience_accounts(segment, store)) == ["acme", "umbrella"]


def test_accounts_without_a_name_are_excluded(store: InMemoryStore) -> None:
    acme = store.get_account("acme")
    assert acme is not None
    store.put_account(acme.model_copy(update={"name": "  "}))
    assert "acme" not in audience_accounts(make_journey(), store)


def test_enter_is_idempotent_and_respects_no_reentry(store: InMemoryStore) -> None:
    starter = RecordingStarter()
    journey = make_journey()
    first = enter_accounts(journey, 1, status=JourneyStatus.LIVE, account_ids=["acme", "ghost"], store=store,
                           starter=starter, now=T0)  # fmt: skip
    assert first.started == [entry_id("onboarding", 1, "acme", 1)]
    assert first.skipped == {"ghost": "unknown account"}
    again = enter_accounts(journey, 1, status=JourneyStatus.LIVE, account_ids=["acme"], store=store,
                           starter=starter, now=T0)  # fmt: skip
    assert again.skipped == {"acme": "already in the journey"}
    store.update_entry(first.started[0], status="succeeded", endedAt=T0.isoformat())
    later = enter_accounts(journey, 1, status=JourneyStatus.LIVE, account_ids=["acme"], store=store,
                           starter=starter, now=T0 + timedelta(days=400))  # fmt: skip
    assert later.skipped == {"acme": "re-entry is disabled"}
    assert len(starter.started) == 1


def test_reentry_wait_and_limit(store: InMemoryStore) -> None:
    starter = RecordingStarter()
    journey = make_journey(reentry={"enabled": True, "wait": "30d", "from": "end", "limit": 2})
    kwargs: dict[str, Any] = {"status": JourneyStatus.LIVE, "store": store, "starter": starter}
    first = enter_accounts(journey, 1, account_ids=["acme"], now=T0, **kwargs)
    store.update_entry(first.started[0], status="succeeded", endedAt=(T0 + timedelta(days=5)).isoformat())
    early = enter_accounts(journey, 1, account_ids=["acme"], now=T0 + timedelta(days=34), **kwargs)
    assert early.skipped["acme"].startswith("re-entry wait until")
    second = enter_accounts(journey, 1, account_ids=["acme"], now=T0 + timedelta(days=35), **kwargs)
    assert second.started == [entry_id("onboarding", 1, "acme", 2)]
    store.update_entry(second.started[0], status="succeeded", endedAt=(T0 + timedelta(days=36)).isoformat())
    third = enter_accounts(journey, 1, account_ids=["acme"], now=T0 + timedelta(days=90), **kwargs)
    assert third.skipped == {"acme": "entry limit of 2 reached"}


def test_closed_journey_takes_no_new_entries(store: InMemoryStore) -> None:
    result = enter_accounts(make_journey(), 1, status=JourneyStatus.CLOSED, account_ids=["acme"], store=store,
                            starter=RecordingStarter(), now=T0)  # fmt: skip
    assert result.started == [] and "closed" in result.skipped["acme"]


def test_entry_recorded_but_not_started_is_started_again(store: InMemoryStore) -> None:
    class Crashing(RecordingStarter):
        def start_entry(
            self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
        ) -> str:
            raise RuntimeError("lost connection")

    with pytest.raises(RuntimeError):
        enter_accounts(make_journey(), 1, status=JourneyStatus.LIVE, account_ids=["acme"], store=store,
                       starter=Crashing(), now=T0)  # fmt: skip
    starter = RecordingStarter()
    assert restart_unstarted(store, "onboarding", 1, starter) == [entry_id("onboarding", 1, "acme", 1)]
    assert restart_unstarted(store, "onboarding", 1, starter) == []


def test_entry_ids_are_valid_execution_names() -> None:
    name = entry_id(
        "a-very-long-journey-identifier-that-goes-on-and-on", 12, "acct/with spaces+symbols" * 3, 999
    )
    assert len(name) <= 80
    assert all(c.isalnum() or c in "-_" for c in name)
