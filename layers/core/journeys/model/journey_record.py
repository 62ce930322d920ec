"""A journey as the product stores it: status lifecycle and immutable published versions."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from journeys.model.common import Id, Strict


class JourneyStatus(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"
    ABORTED = "aborted"
    FINISHED = "finished"


# Which statuses each lifecycle operation may start from.
TRANSITIONS: dict[str, tuple[set[JourneyStatus], JourneyStatus | None]] = {
    "publish": ({JourneyStatus.DRAFT}, JourneyStatus.LIVE),
    "close": ({JourneyStatus.LIVE}, JourneyStatus.CLOSED),
    "abort": ({JourneyStatus.LIVE, JourneyStatus.CLOSED}, JourneyStatus.ABORTED),
    "finish": ({JourneyStatus.CLOSED}, JourneyStatus.FINISHED),
    "update": ({JourneyStatus.DRAFT}, None),
    "delete": ({JourneyStatus.DRAFT, JourneyStatus.FINISHED, JourneyStatus.ABORTED}, None),
}


class LifecycleError(ValueError):
    """An operation that the journey's status does not allow."""


def next_status(current: JourneyStatus, operation: str) -> JourneyStatus:
    allowed, target = TRANSITIONS[operation]
    if current not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise LifecycleError(f"cannot {operation} a {current.value} journey (allowed from: {names})")
    return target or current


class JourneySummary(Strict):
    """Another journey, as the data set and reference checks see it."""

    id: Id
    name: str = ""
    status: JourneyStatus = JourneyStatus.LIVE
    kind: str = "account"


class JourneyVersion(Strict):
    """A published, frozen version of a journey definition."""

    version: int = Field(ge=1)
    definition: dict[str, Any]
    publishedAt: str
    stateMachineArn: str | None = None
