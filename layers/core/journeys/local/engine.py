"""The embedded runtime: time-skipping Step Functions, in-memory store and queues, same handlers as AWS.

What runs here is what runs on AWS: the compiled ASL, the action batch pipeline fed with SQS-shaped
records, the cohort and listener logic; only the infrastructure is in process.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from journeys import messages
from journeys.catalog import ACTIONS
from journeys.catalog.events import JourneyEvent
from journeys.compiler import CompiledJourney, compile_journey
from journeys.definition.model import Journey
from journeys.messages import CohortSplitRequest, ListenRegistration
from journeys.model.journey_record import JourneyStatus
from journeys.orchestration import cohorts, entries, listeners
from journeys.runtime.stepfunctions import (
    DynamoDbGetItem,
    ExecutionDoesNotExist,
    InvalidToken,
    LambdaFunctions,
    LocalStepFunctions,
    QueuedMessage,
    SqsQueues,
    TaskCall,
    TaskDoesNotExist,
    TaskTimedOut,
    iso,
)
from journeys.store.repository import Store

REGION, ACCOUNT = "us-east-1", "123456789012"
COHORT_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:cohort"
LISTENER_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:listener"
TABLE = "JourneysTable"
BATCH_SIZE = 10  # the action functions' SQS batch size in template.yaml
MAX_RECEIVES = 5  # the queues' redrive maxReceiveCount


def queue_url(action_id: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{action_id}"


def substitutions() -> dict[str, str]:
    """What DefinitionSubstitutions fills on AWS, pointed at the in-process resources."""
    subs = {spec.queue_placeholder: queue_url(spec.id) for spec in ACTIONS.values()}
    subs[messages.TABLE_PLACEHOLDER] = TABLE
    subs[messages.COHORT_FUNCTION_PLACEHOLDER] = COHORT_FUNCTION
    subs[messages.LISTENER_FUNCTION_PLACEHOLDER] = LISTENER_FUNCTION
    return subs


@dataclass
class Delivery:
    """An SQS message in flight locally: receive count drives retries and the dead-letter queue."""

    message: QueuedMessage
    message_id: str
    receives: int = 0


ActionRunner = Callable[[str, list[Delivery]], set[str]]
"""(action id, deliveries) -> message ids that failed (to be redelivered), as ReportBatchItemFailures."""


@dataclass
class Counters:
    lambda_invocations: int = 0
    lambda_seconds: float = 0.0
    sqs_requests: int = 0
    dead_letters: list[dict[str, Any]] = field(default_factory=list)


class LocalTasks:
    """TaskResponder for the embedded runtime: answers are applied at the next idle point, as SFN would
    after the API call returns (a function may answer its own token before its task is registered).

    An output is handed over as it is, not as JSON text: callers make a fresh dict of plain JSON
    data per answer and keep no hold on it."""

    def __init__(self, sfn: LocalStepFunctions) -> None:
        self.sfn = sfn
        self.deferred: deque[tuple[str, str, dict[str, Any] | tuple[str, str]]] = deque()

    def send_task_success(self, token: str, output: dict[str, Any]) -> None:
        self.deferred.append(("success", token, output))

    def send_task_failure(self, token: str, error: str, cause: str) -> None:
        self.deferred.append(("failure", token, (error, cause)))

    def flush(self) -> bool:
        did = bool(self.deferred)
        while self.deferred:
            kind, token, payload = self.deferred.popleft()
            try:
                if kind == "success":
                    # The pipeline's answer is plain JSON data it made for this call alone.
                    self.sfn.send_task_value(token, payload)
                else:
                    error, cause = payload  # type: ignore[misc]
                    self.sfn.send_task_failure(token, error, cause)
            except (TaskTimedOut, TaskDoesNotExist, InvalidToken, ExecutionDoesNotExist):
                continue  # the task stopped waiting meanwhile: nothing to answer
        return did


class LocalEngine:
    """Runs journeys over one data set, in virtual time."""

    def __init__(self, store: Store, *, start: datetime, action_runner: ActionRunner | None = None) -> None:
        self.sfn = LocalStepFunctions(start=start, region=REGION, account=ACCOUNT)
        self.store = store
        self.tasks = LocalTasks(self.sfn)
        self.queues = SqsQueues()
        self.lambdas = LambdaFunctions()
        self.counters = Counters()
        self.action_runner = action_runner
        self.compiled: dict[str, CompiledJourney] = {}
        self.machines: dict[str, str] = {}  # journey id -> its latest version's machine
        self.versions: dict[tuple[str, int], str] = {}
        self.events: deque[JourneyEvent] = deque()
        self._inflight: dict[str, deque[Delivery]] = {}
        self._message_seq = 0
        self.sfn.register_integration("arn:aws:states:::sqs:sendMessage.waitForTaskToken", self.queues)
        self.sfn.register_integration("arn:aws:states:::dynamodb:getItem", DynamoDbGetItem(self._get_item))
        self.sfn.register_integration("arn:aws:states:::lambda:invoke*", self.lambdas)
        self.lambdas.register(COHORT_FUNCTION, self._cohort_function)
        self.lambdas.register(LISTENER_FUNCTION, self._listener_function)
        self.sfn.add_idle_hook(self.tasks.flush)
        self.sfn.add_idle_hook(self._route_events)
        self.sfn.add_idle_hook(self._drain_queues)

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.sfn.clock.now

    # -- journeys --------------------------------------------------------------------------------

    def publish(self, journey: Journey, version: int = 1) -> str:
        compiled = compile_journey(journey)
        self.compiled[journey.id] = compiled
        return self.deploy(journey.id, compiled.definition, version)

    def deploy(self, journey_id: str, definition: dict[str, Any], version: int) -> str:
        """The API's StateMachines port: one machine per published version; new entries go to the latest."""
        arn = self.sfn.create_state_machine(f"{journey_id}-v{version}", definition, substitutions())
        self.versions[(journey_id, version)] = arn
        self.machines[journey_id] = arn
        return arn

    def start_entry(
        self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
    ) -> str | None:
        """ExecutionStarter: one execution per entry, named by the entry id (idempotent).

        A journey known only by name (a data set's other journeys) has no machine here: its entry
        is recorded by the caller and nothing runs."""
        machine = self.versions.get((journey_id, version)) or self.machines.get(journey_id)
        if machine is None:
            return None
        return self.sfn.start_execution(machine, entry_id, json.dumps(execution_input))

    def progress(self, journey_id: str) -> tuple[int, int]:
        """(ended, started) executions of a journey."""
        machine = self.machines.get(journey_id)
        if machine is None:
            return 0, 0
        executions = self.sfn.list_executions(machine)
        return sum(e.status != "RUNNING" for e in executions), len(executions)

    def stop_entry(self, execution_arn: str, cause: str) -> None:
        self.sfn.stop_execution(execution_arn, "Journeys.Removed", cause)

    def enter(self, journey: Journey, account_ids: list[str], version: int = 1) -> entries.EnterResult:
        return entries.enter_accounts(journey, version, status=JourneyStatus.LIVE, account_ids=account_ids,
                                      store=self.store, starter=self, now=self.now())  # fmt: skip

    def schedule_event(self, at: datetime, event: JourneyEvent) -> None:
        self.sfn.clock.schedule_at(
            at, lambda: self.events.append(event.model_copy(update={"occurredAt": self.now()}))
        )

    def route_event(self, event: JourneyEvent) -> None:
        """Events from actions reach listen nodes as they would through EventBridge (at the next idle point)."""
        self.events.append(event)

    # -- integrations ----------------------------------------------------------------------------

    def _get_item(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        pk = key.get("pk", {}).get("S", "")
        if table != TABLE or not pk.startswith(messages.ACCOUNT_PK_PREFIX):
            return None
        item: dict[str, Any] | None = self.store.get_item_split_view(pk[len(messages.ACCOUNT_PK_PREFIX) :])
        return item

    def _invoke(self, function: Callable[[], Any], invocations: int = 1) -> Any:
        self.counters.lambda_invocations += invocations
        started = time.perf_counter()
        try:
            return function()
        finally:
            self.counters.lambda_seconds += time.perf_counter() - started

    def _cohort_function(self, payload: Any, call: TaskCall) -> Any:
        request = CohortSplitRequest.model_validate(payload)
        return self._invoke(lambda: cohorts.split_cohort(request, self.store).model_dump())

    def _listener_function(self, payload: Any, call: TaskCall) -> Any:
        request = ListenRegistration.model_validate(payload)
        return self._invoke(
            lambda: {"woken": listeners.register(request, self.store, self.tasks, iso(self.now()))}
        )

    def _route_events(self) -> bool:
        if not self.events:
            return False
        batch = list(self.events)
        self.events.clear()
        # EventBridge invokes the listener function once per event: count them as such.
        self._invoke(lambda: listeners.on_events(batch, self.store, self.tasks), invocations=len(batch))
        return True

    def _drain_queues(self) -> bool:
        """Deliver queued node-entry messages to the action pipeline in SQS-sized batches.

        Like the event source's batching window, wait until nothing else is due at this instant
        (e.g. a hundred waits ending together), so their messages share batches as on AWS.
        """
        due = self.sfn.clock.next_due()
        if due is not None and due <= self.now():
            return False
        did = False
        for url, queue in list(self.queues.queues.items()):
            while queue:
                self._message_seq += 1
                message = queue.popleft()
                self._inflight.setdefault(url, deque()).append(Delivery(message, f"m-{self._message_seq}"))
                self.counters.sqs_requests += 1  # SendMessage
        for url, pending in self._inflight.items():
            action_id = url.rsplit("/", 1)[1]
            while pending:
                batch = [pending.popleft() for _ in range(min(BATCH_SIZE, len(pending)))]
                for delivery in batch:
                    delivery.receives += 1
                self.counters.sqs_requests += 2  # ReceiveMessage + DeleteMessageBatch
                failed = self._run_actions(action_id, batch)
                for delivery in batch:
                    if delivery.message_id not in failed:
                        continue
                    if delivery.receives >= MAX_RECEIVES:
                        self.counters.dead_letters.append(
                            {"action": action_id, "body": delivery.message.json()}
                        )
                    else:
                        pending.append(delivery)
                did = True
        return did

    def _run_actions(self, action_id: str, batch: list[Delivery]) -> set[str]:
        if self.action_runner is None:
            raise RuntimeError("no action runner is wired")
        return set(
            self._invoke(lambda: self.action_runner(action_id, batch) if self.action_runner else set())
        )
