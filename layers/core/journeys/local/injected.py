"""Timed account/person events injected into a run (`--events FILE`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from journeys.catalog.events import JourneyEvent, get_event_type
from journeys.definition.durations import parse_duration
from journeys.issues import Issue, from_pydantic
from journeys.sources import SourceError, load_document


class InjectedEvent(BaseModel):
    """`at` is a duration after the run starts (`2d`) or an ISO timestamp with a zone."""

    model_config = ConfigDict(extra="forbid")

    at: str
    on: Literal["accounts", "people"]
    type: str
    account: str
    person: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("at")
    @classmethod
    def _when(cls, value: str) -> str:
        try:
            parse_duration(value)
        except ValueError:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("give a duration after the start (e.g. 2d) or an ISO timestamp") from None
            if moment.tzinfo is None:
                raise ValueError("a timestamp needs a time zone") from None
        return value

    def due(self, start: datetime) -> datetime:
        try:
            return start + timedelta(seconds=parse_duration(self.at))
        except ValueError:
            return datetime.fromisoformat(self.at.replace("Z", "+00:00"))

    def event(self, at: datetime) -> JourneyEvent:
        return JourneyEvent(on=self.on, type=self.type, accountId=self.account, personId=self.person,
                            occurredAt=at, data=self.data)  # fmt: skip


class EventsFileError(ValueError):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


def load_events(path: str | Path) -> list[InjectedEvent]:
    try:
        raw = load_document(Path(path))
    except SourceError as exc:
        raise EventsFileError([Issue(node="(file)", field="(root)", message=str(exc))]) from exc
    items = raw.get("events") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise EventsFileError([Issue(node="(file)", field="events", message="must be a list of events")])
    out, issues = [], []
    for i, item in enumerate(items):
        try:
            event = InjectedEvent.model_validate(item)
        except ValidationError as exc:
            issues += from_pydantic(exc, node=f"events[{i}]")
            continue
        if get_event_type(event.on, event.type) is None:
            issues.append(
                Issue(node=f"events[{i}]", field="type", message=f"unknown {event.on} event '{event.type}'")
            )
        elif event.on == "people" and not event.person:
            issues.append(
                Issue(node=f"events[{i}]", field="person", message="a people event names its person")
            )
        out.append(event)
    if issues:
        raise EventsFileError(issues)
    return out
