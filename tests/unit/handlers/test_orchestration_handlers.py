"""The entry, listener, cohort and tracker handlers over the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from journeys.handlers.orchestration import listener, refresh, track
from journeys.handlers.stepfunctions import RecordingTaskResponder
from journeys.model.journey_record import JourneyStatus, JourneyVersion
from journeys.orchestration.entries import entry_id
from journeys.store.memory import InMemoryStore
from journeys.store.records import JourneyRecord
from tests.support.world import T0, RecordingStarter

DEFINITION: dict[str, Any] = {
    "id": "welcome", "name": "Welcome", "audience": {"accountList": "installed-base"}, "start": "listen",
    "nodes": {"listen": {"type": "listen", "event": {"on": "people", "type": "email_clicked"},
                         "timeout": {"duration": "7d", "next": "done"}, "next": "done"},
              "done": {"type": "end"}},
}  # fmt: skip


def publish(store: InMemoryStore, status: JourneyStatus = JourneyStatus.LIVE) -> None:
    version = JourneyVersion(version=1, definition=DEFINITION, publishedAt=T0.isoformat())
    record = JourneyRecord(id="welcome", name="Welcome", status=status, definition=DEFINITION,
                           createdAt=T0.isoformat(), updatedAt=T0.isoformat(), liveVersion=1, versions=[version])  # fmt: skip
    store.save_journey(record, expected_revision=None)


def test_refresh_enters_the_audience_once(store: InMemoryStore) -> None:
    publish(store)
    starter = RecordingStarter()
    first = refresh(store, starter, T0)
    assert first.started == {"welcome": 1}  # installed-base holds acme
    assert refresh(store, starter, T0 + timedelta(hours=1)).started == {"welcome": 0}
    assert [s[2] for s in starter.started] == [entry_id("welcome", 1, "acme", 1)]


def test_refresh_finishes_a_closed_journey_with_nobody_inside(store: InMemoryStore) -> None:
    publish(store, JourneyStatus.CLOSED)
    assert refresh(store, RecordingStarter(), T0).finished == ["welcome"]
    record = store.get_journey("welcome")
    assert record is not None and record.status is JourneyStatus.FINISHED


def registration(token: str) -> dict[str, Any]:
    return {"taskToken": token, "journeyId": "welcome", "entryId": "e1", "nodeId": "listen", "accountId": "acme",
            "cohort": None, "on": "people", "eventType": "email_clicked", "filters": {},
            "enteredAt": T0.isoformat()}  # fmt: skip


def test_listener_registers_then_wakes_on_a_bus_event(store: InMemoryStore) -> None:
    tasks = RecordingTaskResponder()
    assert listener(registration("tok"), store, tasks, T0) == {"registered": True, "woken": False}
    bus = {"source": "account-journeys", "detail-type": "people.email_clicked",
           "detail": {"on": "people", "type": "email_clicked", "accountId": "acme", "personId": "p-ana",
                      "occurredAt": (T0 + timedelta(days=1)).isoformat(), "data": {}}}  # fmt: skip
    assert listener(bus, store, tasks, T0) == {"woken": 1}
    assert list(tasks.successes) == ["tok"]


def test_listener_understands_ses_clicks_of_tagged_emails(store: InMemoryStore) -> None:
    tasks = RecordingTaskResponder()
    listener(registration("tok"), store, tasks, T0)
    ses = {"source": "aws.ses", "detail-type": "Email Clicked", "time": (T0 + timedelta(days=2)).isoformat(),
           "detail": {"mail": {"tags": {"account": ["acme"], "person": ["p-ben"], "node": ["welcome"]}},
                      "click": {"link": "https://example.com/offer"}}}  # fmt: skip
    assert listener(ses, store, tasks, T0) == {"woken": 1}
    untagged = {"source": "aws.ses", "detail-type": "Email Clicked", "detail": {"mail": {"tags": {}}}}
    assert listener(untagged, store, tasks, T0)["ignored"] is True


def test_tracker_ends_the_entry_and_forgets_its_listeners(store: InMemoryStore) -> None:
    publish(store)
    refresh(store, RecordingStarter(), T0)
    ident = entry_id("welcome", 1, "acme", 1)
    tasks = RecordingTaskResponder()
    listener({**registration("tok"), "entryId": ident}, store, tasks, T0)
    assert store.node_counts("welcome")["listen"].waiting == 1
    stop = int((T0 + timedelta(days=7)).timestamp() * 1000)
    event = {"detail": {"executionArn": f"arn:aws:states:us-east-1:1:execution:welcome-v1:{ident}", "name": ident,
                        "status": "SUCCEEDED", "stopDate": stop}}  # fmt: skip
    assert track(event, store) == {"changed": True, "status": "succeeded"}
    assert track(event, store) == {"changed": False}  # EventBridge delivers at least once
    entry = store.get_entry(ident)
    assert entry is not None and entry.status == "succeeded" and entry.endedAt is not None
    assert datetime.fromisoformat(entry.endedAt) == (T0 + timedelta(days=7)).astimezone(UTC)
    assert store.node_counts("welcome")["listen"].waiting == 0
    assert store.listeners_for("acme", "people", "email_clicked") == []


def test_execution_arn_drops_the_version_of_a_version_arn() -> None:
    from journeys.handlers.stepfunctions import execution_arn

    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:stack-welcome"
    expected = "arn:aws:states:us-east-1:123456789012:execution:stack-welcome:entry-1"
    assert execution_arn(machine, "entry-1") == expected
    assert execution_arn(f"{machine}:7", "entry-1") == expected
