"""Step Functions execution status changes -> entry status; a closed journey with no running entry finishes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from journeys.model.journey_record import JourneyStatus
from journeys.store.records import EntryStatus
from journeys.store.repository import Conflict, Store

_STATUS: dict[str, EntryStatus] = {
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "TIMED_OUT": "timed_out",
    "ABORTED": "aborted",
}


class ExecutionStatusChange(BaseModel):
    """`detail` of an EventBridge "Step Functions Execution Status Change" event."""

    model_config = ConfigDict(extra="ignore")

    executionArn: str
    name: str
    status: Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]
    stopDate: int | None = None


def track(change: ExecutionStatusChange, store: Store) -> str | None:
    """Apply one status change; return the new entry status, or None when nothing changed."""
    entry = store.get_entry(change.name)
    if entry is None or change.status not in _STATUS:
        return None
    status = _STATUS[change.status]
    if entry.status == status:
        return None  # EventBridge delivers at least once
    ended = datetime.fromtimestamp(change.stopDate / 1000, UTC) if change.stopDate else datetime.now(UTC)
    # A removed entry (remove_account_from_journey) keeps its status; the abort it caused is its cause.
    if entry.status != "removed":
        store.update_entry(entry.entryId, status=status, endedAt=ended.isoformat())
    finish_if_done(store, entry.journeyId)
    return status


def finish_if_done(store: Store, journey_id: str) -> bool:
    """Closed to new entries and nobody left inside: the journey is finished."""
    for _ in range(3):
        record = store.get_journey(journey_id)
        if record is None or record.status is not JourneyStatus.CLOSED:
            return False
        if any(e.status == "running" for e in store.entries_of(journey_id)):
            return False
        done = record.model_copy(update={"status": JourneyStatus.FINISHED})
        try:
            store.save_journey(done, expected_revision=record.revision)
        except Conflict:
            continue
        return True
    return False


def parse_event(event: dict[str, Any]) -> ExecutionStatusChange:
    return ExecutionStatusChange.model_validate(event.get("detail", {}))
