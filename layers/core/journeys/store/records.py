"""Records the store keeps beyond the domain model: journeys, entries, counts, ledger, listeners."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from journeys.catalog.events import JourneyEvent
from journeys.model.journey_record import JourneyStatus, JourneyVersion
from journeys.outcomes import Outcome


class JourneyRecord(BaseModel):
    """A journey as stored: its current draft definition, status and published versions."""

    id: str
    name: str
    status: JourneyStatus = JourneyStatus.DRAFT
    definition: dict[str, Any]
    createdAt: str
    updatedAt: str
    liveVersion: int | None = None
    versions: list[JourneyVersion] = Field(default_factory=list)
    revision: int = 0  # optimistic-locking counter, bumped on every save


EntryStatus = Literal["running", "succeeded", "failed", "aborted", "removed", "timed_out"]


class Entry(BaseModel):
    """One account's passage through one journey (one execution)."""

    entryId: str
    journeyId: str
    journeyVersion: int
    accountId: str
    status: EntryStatus = "running"
    startedAt: str
    endedAt: str | None = None
    executionArn: str | None = None
    path: list[dict[str, Any]] = Field(default_factory=list)  # [{node, at, outcome...}]


class NodeCounts(BaseModel):
    entered: int = 0
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    waiting: int = 0
    exited: int = 0
    skippedByReason: dict[str, int] = Field(default_factory=dict)


class LedgerEntry(BaseModel):
    """Idempotency ledger: one person-action (entry, node, subject) and how it ended."""

    entryId: str
    nodeId: str
    subject: str
    outcome: Outcome | Literal["pending"]
    reason: str | None = None
    at: str


class ListenerRecord(BaseModel):
    """A waiting listen node: answer `taskToken` when a matching event arrives for the account."""

    accountId: str
    entryId: str
    nodeId: str
    journeyId: str
    on: Literal["accounts", "people"]
    eventType: str
    filters: dict[str, Any] = Field(default_factory=dict)
    cohort: str | None = None
    taskToken: str
    registeredAt: str


class StoredEvent(BaseModel):
    """An account/person event kept so a listen node entered later still sees it (no lost wake-up)."""

    event: JourneyEvent
    eventId: str
