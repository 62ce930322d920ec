"""Wiring for one machine (the embedded runtime, tests, benchmarks): outboxes, in-memory bus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from journeys.connectors.marketo.api import MarketoApi
from journeys.executors.base import ExecutionContext, ReferenceData
from journeys.executors.ports import (
    Clock,
    InMemoryEventBus,
    JourneyStarter,
    Outbox,
    RecordingJourneyStarter,
    SystemClock,
)
from journeys.model.dataset import DataSet
from journeys.store.repository import Store

LOCAL_SENDER = "journeys@localhost"


@dataclass
class LocalExecution:
    """An `ExecutionContext` whose side effects are recorded instead of sent."""

    context: ExecutionContext
    outbox: Outbox
    events: InMemoryEventBus
    journeys: JourneyStarter
    extra: dict[str, Any] = field(default_factory=dict)

    def outbox_json(self) -> dict[str, list[dict[str, Any]]]:
        """Every email, sales alert and SMS that would have been sent, rendered (`outbox.json`)."""
        return {
            "emails": [e.model_dump(mode="json") for e in self.outbox.emails if e.kind == "email"],
            "salesAlerts": [e.model_dump(mode="json") for e in self.outbox.emails if e.kind == "sales_alert"],
            "sms": [s.model_dump(mode="json") for s in self.outbox.sms],
        }


def local_execution(
    store: Store,
    dataset: DataSet | None = None,
    *,
    reference: ReferenceData | None = None,
    journeys: JourneyStarter | None = None,
    marketo: MarketoApi | None = None,
    clock: Clock | None = None,
    email_from: str | None = LOCAL_SENDER,
) -> LocalExecution:
    """A context over `store` with outboxes and an in-memory event bus.

    The updatable attributes, scores and destinations come from `dataset` (or `reference`); pass
    the runtime's own `journeys` starter (the default only records starts and stops), a Marketo
    client wired to the embedded Marketo, and the virtual clock."""
    outbox = Outbox()
    bus = InMemoryEventBus()
    starter = journeys or RecordingJourneyStarter()
    ref = reference or (ReferenceData.from_dataset(dataset) if dataset is not None else ReferenceData())
    context = ExecutionContext(
        store=store,
        clock=clock or SystemClock(),
        email=outbox.email_sender,
        sms=outbox.sms_sender,
        events=bus,
        journeys=starter,
        reference=ref,
        marketo=marketo,
        email_from=email_from,
    )
    return LocalExecution(context=context, outbox=outbox, events=bus, journeys=starter)
