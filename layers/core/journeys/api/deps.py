"""One object that carries everything the API handlers depend on, so tests and `journeys serve`
can pass in-memory adapters and the Lambda passes AWS ones."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeys.api.ports import MarketoLookups, StateMachines, empty_dataset
from journeys.definition.model import Journey
from journeys.model.dataset import DataSet
from journeys.ports import ExecutionStarter
from journeys.store.repository import Store

Compiler = Callable[[Journey], dict[str, Any]]


def default_compiler(journey: Journey) -> dict[str, Any]:
    """The production compiler (imported lazily: the API module loads without it)."""
    from journeys.compiler import compile_journey

    return compile_journey(journey).definition


def utc_now() -> datetime:
    return datetime.now(UTC)


def _random_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class ApiDependencies:
    """store: journeys, entries, counts, lists, audiences. state_machines: publish target.
    entries: starts/stops entries (the port the entry function uses too). marketo: lookups (None when Marketo is not configured).
    reference_data: configured data (attribute schema, scores, solution interests, destinations,
    Marketo email assets) merged with the store's lists, journeys and audiences for validation.
    compile: journey -> ASL. now: the clock."""

    store: Store
    state_machines: StateMachines
    entries: ExecutionStarter
    marketo: MarketoLookups | None = None
    reference_data: Callable[[], DataSet] = empty_dataset
    compile: Compiler = default_compiler
    now: Callable[[], datetime] = utc_now
    # Audience ids are generated; injectable so tests can predict them.
    new_id: Callable[[str], str] = field(default=_random_id)

    def timestamp(self) -> str:
        return self.now().astimezone(UTC).isoformat().replace("+00:00", "Z")
