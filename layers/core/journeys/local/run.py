"""`journeys run`: load, validate, compile, enter the audience, run every entry to the end in virtual time."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from journeys.catalog.events import JourneyEvent
from journeys.connectors.marketo import InProcessRateLimiter, MarketoClient, VirtualClock
from journeys.connectors.marketo.embedded.server import EmbeddedMarketo
from journeys.definition.model import Journey
from journeys.executors.local import local_execution
from journeys.executors.ports import Outbox
from journeys.handlers.actions import pipelines
from journeys.local.cost import CostProjection, Usage, project
from journeys.local.engine import Delivery, LocalEngine
from journeys.local.injected import InjectedEvent
from journeys.local.metering import metered
from journeys.model.dataset import DataSet
from journeys.model.journey_record import JourneyStatus, JourneyVersion
from journeys.orchestration.entries import EnterResult, audience_accounts
from journeys.runtime.stepfunctions import iso
from journeys.store.memory import InMemoryStore
from journeys.store.records import JourneyRecord
from journeys.store.seeding import export, seed

EMAIL_FROM = "journeys@example.com"


@dataclass
class RunResult:
    """What a run did. The data-set snapshots and the rendered outbox are built when first read
    (a report or `--out` needs them, a benchmark does not); read them before running the same
    world again."""

    journey: Journey
    entered: EnterResult
    engine: LocalEngine
    outbox: Outbox
    marketo: EmbeddedMarketo
    started_at: datetime
    ended_at: datetime
    wall_seconds: float
    snapshot_before: Callable[[], dict[str, Any]]
    snapshot_after: Callable[[], dict[str, Any]]
    render_outbox: Callable[[], dict[str, Any]]
    events: list[JourneyEvent] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    @cached_property
    def data_before(self) -> dict[str, Any]:
        return self.snapshot_before()

    @cached_property
    def data_after(self) -> dict[str, Any]:
        return self.snapshot_after()

    @cached_property
    def outbox_json(self) -> dict[str, Any]:
        return self.render_outbox()

    @property
    def cost(self) -> CostProjection:
        return project(self.usage, len(self.entered.started))


def _sqs_record(delivery: Delivery, action_id: str) -> dict[str, Any]:
    return {
        "messageId": delivery.message_id,
        "receiptHandle": f"rh-{delivery.message_id}-{delivery.receives}",
        "body": delivery.message.body,
        "attributes": {"ApproximateReceiveCount": str(delivery.receives)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{action_id}",
        "awsRegion": "us-east-1",
    }


def _journey_records(data: DataSet, journey: Journey, now: str) -> list[JourneyRecord]:
    """The run's journey, live at version 1, and the data set's other journeys (action targets)."""
    records = [
        JourneyRecord(
            id=other.id,
            name=other.name,
            status=other.status,
            definition={},
            createdAt=now,
            updatedAt=now,
            liveVersion=1 if other.status is not JourneyStatus.DRAFT else None,
        )
        for other in data.journeys
        if other.id != journey.id
    ]
    definition = journey.model_dump(mode="json", by_alias=True, exclude_none=True)
    version = JourneyVersion(version=1, definition=definition, publishedAt=now)
    records.append(JourneyRecord(id=journey.id, name=journey.name, status=JourneyStatus.LIVE, definition=definition,
                                 createdAt=now, updatedAt=now, liveVersion=1, versions=[version]))  # fmt: skip
    return records


@contextmanager
def batch_gc() -> Iterator[None]:
    """No garbage collection while a run allocates millions of long-lived objects.

    People, ledger rows, events and moments live until the run ends, and the collector would
    traverse all of them again and again (a seventh of a large run's time, bench/results/
    run_journey.md). A run makes no reference cycles of its own (tested; an HTTP exchange with
    Marketo makes a few), so reference counting frees its garbage meanwhile. Afterwards the heap
    is frozen: the run's state lives as long as its result, and no later collection walks it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def thaw_earlier_runs() -> None:
    """Give what earlier runs froze back to the collector (a process may set up many runs: tests)."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


class EmbeddedWorld:
    """The in-process stand-ins for AWS and Marketo, wired to the production code paths.

    A metered in-memory store seeded from the data set, the time-skipping Step Functions engine,
    the embedded Marketo reached by the real client, outboxes, an in-memory event bus routed to
    the listener logic, and one SQS batch pipeline per action. `journeys run` and `journeys serve`
    both stand on it.
    """

    def __init__(self, data: DataSet, *, start: datetime) -> None:
        self.data = data
        self.start = start
        memory = InMemoryStore(data.solutionInterests, clock=self._now)
        self.store, self.meter = metered(memory)
        self.engine = LocalEngine(self.store, start=start)
        seed(self.store, data)
        # Marketo keeps its own virtual clock: the client's backoff and rate-limit waits skip ahead
        # there without moving the journey's clock.
        self.marketo = EmbeddedMarketo.from_data(data.marketo.model_dump(mode="json"), clock=VirtualClock())
        limiter = InProcessRateLimiter(clock=self.marketo.clock)
        self.marketo_client = MarketoClient(self.marketo.settings(), transport=self.marketo.transport(),
                                            clock=self.marketo.clock, limiter=limiter)  # fmt: skip
        self.local = local_execution(self.store, data, journeys=self.engine, marketo=self.marketo_client,
                                     clock=self.engine, email_from=EMAIL_FROM)  # fmt: skip
        self.local.events.subscribers.append(self.engine.route_event)
        self.pipelines = pipelines(self.local.context, self.engine.tasks)
        self.engine.action_runner = self._run_batch

    def _now(self) -> datetime:
        return self.engine.now()

    @property
    def outbox(self) -> Outbox:
        return self.local.outbox

    def _run_batch(self, action_id: str, deliveries: list[Delivery]) -> set[str]:
        event = {"Records": [_sqs_record(d, action_id) for d in deliveries]}
        response = self.pipelines[action_id].handle(event)
        return {str(failure["itemIdentifier"]) for failure in response.get("batchItemFailures", [])}


class LocalRun(EmbeddedWorld):
    """One journey over one data set, on the embedded runtime."""

    def __init__(self, journey: Journey, data: DataSet, *, start: datetime) -> None:
        thaw_earlier_runs()
        super().__init__(data, start=start)
        self.journey = journey
        for record in _journey_records(data, journey, iso(start)):
            self.store.save_journey(record, expected_revision=None)

    def inject(self, events: list[InjectedEvent]) -> None:
        for item in events:
            due = item.due(self.start)
            self.engine.schedule_event(due, item.event(due))

    def run(
        self, until: timedelta | None = None, on_idle: Callable[[LocalEngine], None] | None = None
    ) -> RunResult:
        wall = time.perf_counter()
        if on_idle is not None:
            hook = on_idle

            def idle() -> bool:
                hook(self.engine)
                return False

            self.engine.sfn.add_idle_hook(idle)
        with batch_gc():
            self.engine.publish(self.journey)
            accounts = audience_accounts(self.journey, self.store)
            entered = self.engine.enter(self.journey, accounts)
            self.engine.sfn.run(self.start + until if until else None)
        # The store was seeded from the data set, and Marketo from its section, neither of which a
        # run changes: the state before is the data set itself (`export(seed(ds)) == ds`, tested).
        result = RunResult(
            journey=self.journey, entered=entered, engine=self.engine, outbox=self.outbox, marketo=self.marketo,
            started_at=self.start, ended_at=self.engine.now(), wall_seconds=time.perf_counter() - wall,
            snapshot_before=lambda: {**self.data.dump(), "marketo": EmbeddedMarketo.from_data(
                self.data.marketo.model_dump(mode="json")).snapshot()},
            snapshot_after=lambda: {**export(self.store, self.data).dump(), "marketo": self.marketo.snapshot()},
            render_outbox=self.local.outbox_json, events=list(self.local.events.events),
        )  # fmt: skip
        result.usage = self._usage(result)
        return result

    def _usage(self, result: RunResult) -> Usage:
        c = self.engine.counters
        return Usage(
            stateTransitions=self.engine.sfn.transitions, lambdaInvocations=c.lambda_invocations,
            lambdaSeconds=round(c.lambda_seconds, 3), sqsRequests=c.sqs_requests,
            dynamodbReads=self.meter.reads, dynamodbWrites=self.meter.writes,
            eventBridgeEvents=len(result.events), emails=len(self.outbox.emails), sms=len(self.outbox.sms),
            marketoCalls=len(self.marketo.requests),
        )  # fmt: skip


def event_counts(events: list[JourneyEvent]) -> dict[str, int]:
    return dict(Counter(f"{e.on}:{e.type}" for e in events))


__all__ = ["LocalRun", "RunResult", "event_counts"]
