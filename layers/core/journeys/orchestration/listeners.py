"""Listen nodes: register a waiting entry's token, and wake it when a matching event arrives.

Both sides write before they read (register then look at past events; record the event then
look for listeners), and only the caller that deletes the listener answers the token, so an
event racing a registration is neither lost nor delivered twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journeys.catalog.events import JourneyEvent, matches
from journeys.messages import ListenRegistration
from journeys.orchestration.cohorts import cohort_people
from journeys.ports import TaskResponder, TaskTokenGone
from journeys.store.records import ListenerRecord
from journeys.store.repository import Store


def _relevant(listener: ListenerRecord, event: JourneyEvent, store: Store) -> bool:
    if not matches(listener.filters, event):
        return False
    if listener.on == "people" and listener.cohort is not None:
        # A person event moves the entry on only if the person is on this path.
        return event.personId in set(store.get_cohort(listener.cohort))
    return True


def _wake(listener: ListenerRecord, event: JourneyEvent, store: Store, tasks: TaskResponder) -> bool:
    if not store.remove_listener(listener.accountId, listener.entryId, listener.nodeId):
        return False  # another waker won
    output: dict[str, Any] = {"event": event.model_dump(mode="json")}
    store.add_counts(listener.journeyId, listener.nodeId, {"waiting": -1})
    try:
        tasks.send_task_success(listener.taskToken, output)
    except TaskTokenGone:
        return False  # the listen already timed out: the listener was stale
    return True


def register(request: ListenRegistration, store: Store, tasks: TaskResponder, now_iso: str) -> bool:
    """Store the token; if a matching event already happened since the node was entered, wake at once.

    Returns True when the entry was woken immediately.
    """
    listener = ListenerRecord(
        accountId=request.accountId, entryId=request.entryId, nodeId=request.nodeId, journeyId=request.journeyId,
        on=request.on, eventType=request.eventType, filters=request.filters, cohort=request.cohort,
        taskToken=request.taskToken, registeredAt=now_iso,
    )  # fmt: skip
    store.register_listener(listener)
    store.add_counts(request.journeyId, request.nodeId, {"waiting": 1})
    for event in store.events_since(request.accountId, request.on, request.eventType, request.enteredAt):
        if _relevant(listener, event, store):
            return _wake(listener, event, store, tasks)
    return False


def on_event(event: JourneyEvent, store: Store, tasks: TaskResponder) -> int:
    """Record the event and wake every entry of the account that waits for it; return how many woke."""
    return on_events([event], store, tasks)


def on_events(events: Sequence[JourneyEvent], store: Store, tasks: TaskResponder) -> int:
    """`on_event` for several events in order, with one write for all of them and one listener
    lookup per (account, event type): what the embedded runtime routes after each batch.

    Every event is recorded before any listener is read, so a listen node registering meanwhile
    finds them in `events_since`, as with one event.
    """
    if not events:
        return 0
    store.record_events(events)
    waiting: dict[tuple[str, str, str], list[ListenerRecord]] = {}
    woken = 0
    for event in events:
        kind = (event.accountId, event.on, event.type)
        found = waiting.get(kind)
        if found is None:
            found = waiting[kind] = store.listeners_for(*kind)
        if not found:
            continue  # the usual case: nobody of this account waits for this type
        for listener in list(found):
            if _relevant(listener, event, store):
                # Woken now or by another waker: either way the listener is gone from the store.
                found.remove(listener)
                woken += _wake(listener, event, store, tasks)
    return woken


def cancel(store: Store, account_id: str, entry_id: str, node_id: str, journey_id: str) -> None:
    """A listen node timed out or its entry stopped: forget the token."""
    if store.remove_listener(account_id, entry_id, node_id):
        store.add_counts(journey_id, node_id, {"waiting": -1})


__all__ = ["cancel", "cohort_people", "on_event", "on_events", "register"]
