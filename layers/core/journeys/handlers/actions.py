"""The SQS batch pipeline of the action functions: ledger, executors, counts, task tokens.

For each node-entry message (Powertools `BatchProcessor`, partial batch failures):

1. parse it (`NodeEntryMessage`); messages with the same action and params share parsed inputs
   and a lookup cache, and are processed next to each other;
2. resolve the subjects: the cohort's people (a stored cohort ref, or every person of the
   account) or the account itself;
3. idempotency ledger keyed by (entry, node, subject): subjects with a final outcome are not
   touched again; the others are claimed (a `pending` row) chunk by chunk, executed and
   recorded. A `pending` row found on redelivery was claimed by an attempt that stopped before
   recording it; executors report the work they completed before a transient error
   (`Interrupted`), so such a row marks work that did not happen and it is executed again. Only a
   process killed between an executor's side effect and the ledger write (at most one chunk)
   can repeat a person-action;
4. per-node counts once per message, guarded by a ledger marker claimed with the first chunk (or
   alone when nothing is left to do) and recorded after the counts are added;
5. `SendTaskSuccess` with the `OutcomeCounts` of every subject, or `SendTaskFailure` for a
   permanent error; a transient error raises, so SQS redelivers the message (then the DLQ).

The SQS visibility timeout (six times the function timeout) keeps two consumers from working on
one message at once, which the take-over of `pending` rows relies on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from journeys.catalog.actions import ACTIONS, ActionSpec
from journeys.executors.base import (
    COUNTS_MARKER,
    ActionBatch,
    ExecutionContext,
    Executor,
    Interrupted,
    MessageMeta,
    PermanentActionError,
    ReferenceData,
)
from journeys.executors.registry import EXECUTORS
from journeys.messages import NodeEntryMessage
from journeys.model.profiles import Account, Person
from journeys.outcomes import ActionResult, Outcome, OutcomeCounts
from journeys.ports import TaskResponder, TaskTokenGone
from journeys.store.records import LedgerEntry
from journeys.store.repository import NotFound

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

logger = logging.getLogger(__name__)


class PoisonMessage(Exception):
    """A body that is not a node-entry message and carries no task token to fail: after
    maxReceiveCount deliveries SQS moves it to the DLQ."""


class InFlight(Exception):
    """Another consumer claimed a subject of this message just now: retry the message later."""


@dataclass
class _Invalid:
    error: str
    token: str | None


@dataclass
class _Group:
    inputs: BaseModel | None
    error: str | None
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    messages: dict[str, NodeEntryMessage | _Invalid]
    groups: dict[str, _Group]
    ordered: list[dict[str, Any]]
    keys: dict[str, str]  # message id -> group key ("" for an invalid message)


_INPUTS_CACHED = 256  # validated inputs kept across batches (a few per journey node)


def group_key(message: NodeEntryMessage) -> str:
    # repr is exact for JSON values (it tells 1, 1.0 and true apart) and twice as fast as a sorted
    # dump; a node sends its params in the same order every time, so it groups just as well.
    return f"{message.action}\n{message.params!r}"


def _result_of(row: LedgerEntry) -> ActionResult:
    return ActionResult(row.subject, Outcome(row.outcome), row.reason)


def _final(row: LedgerEntry | None) -> bool:
    return row is not None and row.outcome != "pending"


class ActionPipeline:
    """Processes SQS batches of node-entry messages for one action."""

    def __init__(
        self,
        action_id: str,
        context: ExecutionContext,
        responder: TaskResponder,
        *,
        executor: Executor | None = None,
    ) -> None:
        spec = ACTIONS.get(action_id)
        if spec is None:
            raise KeyError(f"unknown action '{action_id}'")
        self.spec: ActionSpec = spec
        self.executor: Executor = executor or EXECUTORS[action_id]
        self.context = context
        self.responder = responder
        # One processor per pipeline, as Powertools recommends: each one holds reference cycles
        # (bound methods of itself) that only the garbage collector would free.
        self._processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        self._inputs: dict[str, tuple[BaseModel | None, str | None]] = {}  # group key -> inputs, error

    # -- the SQS batch ----------------------------------------------------------------------

    def handle(self, event: Mapping[str, Any], lambda_context: Any = None) -> PartialItemFailureResponse:
        """The Lambda entry point body: returns `{"batchItemFailures": [...]}`."""
        plan = self._plan(list(event.get("Records") or []))
        if getattr(self.executor, "bulk", False):
            self._bulk(plan)

        def record_handler(record: SQSRecord) -> None:
            self._handle_record(record, plan)

        return process_partial_response(
            event={"Records": plan.ordered},
            record_handler=record_handler,
            processor=self._processor,
            context=lambda_context,
        )

    def _plan(self, records: list[dict[str, Any]]) -> _Plan:
        messages: dict[str, NodeEntryMessage | _Invalid] = {}
        groups: dict[str, _Group] = {}
        order: dict[str, str] = {}
        for record in records:
            message_id = str(record.get("messageId", ""))
            parsed = self._parse(str(record.get("body", "")))
            messages[message_id] = parsed
            if isinstance(parsed, NodeEntryMessage):
                key = group_key(parsed)
                if key not in groups:
                    groups[key] = self._group(parsed, key)
                order[message_id] = key
            else:
                order[message_id] = ""
        # Messages of one group next to each other: they share parsed inputs and lookups.
        ordered = sorted(records, key=lambda r: order.get(str(r.get("messageId", "")), ""))
        return _Plan(messages=messages, groups=groups, ordered=ordered, keys=order)

    # -- across messages ----------------------------------------------------------------------

    def _bulk(self, plan: _Plan) -> None:
        """Run the cohorts of messages with the same inputs together (Marketo takes 300 ids a call).

        Only fills the ledger: the per-message pass that follows finds these person-actions
        final, counts them and answers each token. Whatever this pass leaves pending (an error
        half-way) the per-message pass takes over, so it changes no outcome, only the calls made.
        """
        store = self.context.store
        by_group: dict[str, list[NodeEntryMessage]] = {}
        for message_id, parsed in plan.messages.items():
            if (
                isinstance(parsed, NodeEntryMessage)
                and parsed.action == self.spec.id
                and parsed.target == "people"
            ):
                by_group.setdefault(plan.keys[message_id], []).append(parsed)
        for key, messages in by_group.items():
            group = plan.groups[key]
            if group.inputs is None or len(messages) < 2:
                continue
            claimed: list[tuple[NodeEntryMessage, Person]] = []
            accounts: dict[str, Account] = {}
            for message in messages:
                account = store.get_account(message.accountId)
                if account is None:
                    continue  # the per-message pass fails this one permanently
                try:
                    people = (
                        store.get_people(list(dict.fromkeys(store.get_cohort(message.cohort))))
                        if message.cohort
                        else store.people_of_account(account.id)
                    )
                except NotFound:
                    continue
                accounts[message.accountId] = account
                rows = store.ledger_get(message.entryId, message.nodeId, [p.id for p in people])
                fresh = [p.id for p in people if p.id not in rows]
                won = set(store.ledger_claim_many(message.entryId, message.nodeId, fresh))
                claimed += [(message, person) for person in people if person.id in won]
            size = max(1, self.executor.chunk_size)
            for start in range(0, len(claimed), size):
                chunk = claimed[start : start + size]
                if not self._bulk_chunk(chunk, group, accounts):
                    break

    def _bulk_chunk(
        self, chunk: list[tuple[NodeEntryMessage, Person]], group: _Group, accounts: dict[str, Account]
    ) -> bool:
        """Execute one chunk spanning messages; record each result under its own message. False: stop."""
        first = chunk[0][0]
        assert group.inputs is not None
        batch = ActionBatch(
            action_id=self.spec.id,
            inputs=group.inputs,
            account=accounts[first.accountId],
            people=[person for _, person in chunk],
            meta=MessageMeta(
                first.journeyId, first.journeyVersion, first.entryId, first.nodeId, first.accountId
            ),
            shared=group.shared,
        )
        complete = True
        try:
            results = self.executor.execute(self.context, batch)
        except Interrupted as exc:
            results, complete = exc.completed, False
        except PermanentActionError:
            return False
        by_person = {r.subject: r for r in results}
        per_message: dict[tuple[str, str], list[ActionResult]] = {}
        for message, person in chunk:
            result = by_person.get(person.id)
            if result is not None:
                per_message.setdefault((message.entryId, message.nodeId), []).append(result)
        for (entry, node), recorded in per_message.items():
            self.context.store.ledger_record(entry, node, recorded)
        return complete

    @staticmethod
    def _parse(body: str) -> NodeEntryMessage | _Invalid:
        try:
            return NodeEntryMessage.model_validate_json(body)  # one pass; errors are explained below
        except ValidationError:
            pass
        try:
            raw = json.loads(body)
        except ValueError:
            return _Invalid("body is not JSON", None)
        try:
            return NodeEntryMessage.model_validate(raw)
        except ValidationError as exc:
            token = raw.get("taskToken") if isinstance(raw, dict) else None
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            return _Invalid(
                f"not a node-entry message (fields: {fields})", token if isinstance(token, str) else None
            )

    def _group(self, message: NodeEntryMessage, key: str | None = None) -> _Group:
        """The message's validated inputs (cached by group key: a node sends the same params to
        every account) with a lookup cache of this SQS batch only."""
        known = self._inputs.get(key) if key is not None else None
        if known is None:
            known = self._validate(message.params)
            if key is not None:
                if len(self._inputs) >= _INPUTS_CACHED:
                    self._inputs.clear()
                self._inputs[key] = known
        return _Group(inputs=known[0], error=known[1])

    def _validate(self, params: dict[str, Any]) -> tuple[BaseModel | None, str | None]:
        try:
            return self.spec.inputs.model_validate(params), None
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(params)'}: {e['msg']}" for e in exc.errors()
            )
            return None, details

    def _handle_record(self, record: SQSRecord, plan: _Plan) -> None:
        parsed = plan.messages[record.message_id]
        if isinstance(parsed, _Invalid):
            if parsed.token is None:
                raise PoisonMessage(parsed.error)
            self._fail(parsed.token, "Action.InvalidMessage", parsed.error)
            return
        message = parsed
        try:
            counts = self.process(message, plan.groups[plan.keys[record.message_id]])
        except PermanentActionError as exc:
            logger.warning(
                "action failed permanently",
                extra={
                    "action": self.spec.id,
                    "entry": message.entryId,
                    "node": message.nodeId,
                    "error": exc.error,
                },
            )
            self._fail(message.taskToken, exc.error, exc.cause)
            return
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "action done",
                extra={
                    "action": self.spec.id,
                    "journey": message.journeyId,
                    "entry": message.entryId,
                    "node": message.nodeId,
                    "applied": counts.applied,
                    "skipped": counts.skipped,
                    "failed": counts.failed,
                },
            )
        try:
            self.responder.send_task_success(message.taskToken, counts.output())
        except TaskTokenGone:
            # Answered by an earlier delivery, or the task stopped waiting: the work is recorded.
            logger.info(
                "task token no longer waits", extra={"entry": message.entryId, "node": message.nodeId}
            )

    def _fail(self, token: str, error: str, cause: str) -> None:
        try:
            self.responder.send_task_failure(token, error, cause)
        except TaskTokenGone:
            logger.info("task token no longer waits; failure not delivered", extra={"error": error})

    # -- one message ------------------------------------------------------------------------

    def process_message(
        self, message: NodeEntryMessage, shared: dict[str, Any] | None = None
    ) -> OutcomeCounts:
        """Run one message without SQS or a task token (the embedded runtime can call this);
        `shared` is the lookup cache to reuse across messages with the same inputs."""
        group = self._group(message)
        if shared is not None:
            group.shared = shared
        return self.process(message, group)

    def process(self, message: NodeEntryMessage, group: _Group) -> OutcomeCounts:
        if message.action != self.spec.id:
            raise PermanentActionError(
                "Action.WrongQueue", f"'{message.action}' sent to the {self.spec.id} function"
            )
        if message.target != self.spec.target:
            raise PermanentActionError(
                "Action.WrongTarget", f"{self.spec.id} acts on {self.spec.target}, not {message.target}"
            )
        if group.inputs is None:
            raise PermanentActionError("Action.InvalidInputs", group.error or "invalid inputs")
        store = self.context.store
        account = store.get_account(message.accountId)
        if account is None:
            raise PermanentActionError("Action.AccountNotFound", f"account '{message.accountId}' not found")
        people: dict[str, Person] = {}
        if self.spec.target == "people":
            if message.cohort:
                try:
                    subjects = list(dict.fromkeys(store.get_cohort(message.cohort)))
                except NotFound as exc:
                    raise PermanentActionError("Action.CohortNotFound", f"cohort '{message.cohort}'") from exc
            else:
                found = store.people_of_account(account.id)
                subjects = [p.id for p in found]
                people = dict(zip(subjects, found, strict=True))
        else:
            subjects = [account.id]

        rows = store.ledger_get(message.entryId, message.nodeId, [*subjects, COUNTS_MARKER])
        outcomes: dict[str, ActionResult] = {}
        todo, taken_over = subjects, set[str]()
        if rows:  # a redelivery: some subjects may be final, or pending from an attempt that stopped
            outcomes = {s: _result_of(rows[s]) for s in subjects if _final(rows.get(s))}
            todo = [s for s in subjects if s not in outcomes]
            taken_over = {s for s in todo if s in rows}
        if taken_over:
            # Executors report completed work before a transient error, so a pending row is work
            # that did not happen -- unless a process was killed mid-chunk: then a non-idempotent
            # action (email, `+N`) may repeat for that chunk, which operators should be able to see.
            log = logger.info if self.executor.idempotent else logger.warning
            log(
                "taking over pending person-actions",
                extra={"action": self.spec.id, "entry": message.entryId, "count": len(taken_over)},
            )
        if todo and self.spec.target == "people" and message.cohort:
            people = {p.id: p for p in store.get_people(todo)}
        meta = MessageMeta(
            journey_id=message.journeyId,
            journey_version=message.journeyVersion,
            entry_id=message.entryId,
            node_id=message.nodeId,
            account_id=account.id,
        )
        size = max(1, self.executor.chunk_size)
        done: list[ActionResult] = []  # one per subject of `todo` (the others are in `outcomes`)
        marker = rows.get(COUNTS_MARKER)
        # Whether this delivery adds the counts: not if a final marker says they were added; yes if
        # it is pending (taken over); if there is none, it is claimed with the first chunk (one
        # ledger call less per message), or alone below.
        count = None if marker is None else not _final(marker)
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            results, won = self._chunk(
                message,
                meta=meta,
                account=account,
                chunk=chunk,
                taken_over=taken_over,
                people=people,
                group=group,
                with_marker=count is None,
            )
            done += results
            count = won if count is None else count

        counts = OutcomeCounts.of([*outcomes.values(), *done])
        if count is None:  # nothing to claim for: the marker alone
            count = store.ledger_claim(message.entryId, message.nodeId, COUNTS_MARKER)
        if count:
            self._count(message, counts)
        return counts

    def _chunk(
        self,
        message: NodeEntryMessage,
        *,
        meta: MessageMeta,
        account: Account,
        chunk: Sequence[str],
        taken_over: set[str],
        people: dict[str, Person],
        group: _Group,
        with_marker: bool = False,
    ) -> tuple[list[ActionResult], bool]:
        """The outcome of each subject of `chunk`, once; and whether the counts marker was won
        (claimed along when `with_marker`)."""
        store = self.context.store
        entry, node = message.entryId, message.nodeId
        done: list[ActionResult] = []
        fresh = [s for s in chunk if s not in taken_over] if taken_over else chunk
        won = store.ledger_claim_many(entry, node, [*fresh, COUNTS_MARKER] if with_marker else fresh)
        marker = with_marker and COUNTS_MARKER in won
        if marker:
            won = [s for s in won if s != COUNTS_MARKER]
        claimed: Sequence[str] = chunk
        if len(won) != len(fresh):
            # Claimed since this message's ledger read: final by now, or another consumer is on it.
            winners = set(won)
            claimed = [s for s in chunk if s in taken_over or s in winners]
            lost = [s for s in chunk if s not in taken_over and s not in winners]
            rows = store.ledger_get(entry, node, lost)
            for subject in lost:
                row = rows.get(subject)
                if row is None or row.outcome == "pending":
                    raise InFlight(f"{entry}/{node}: a subject is being processed by another consumer")
                done.append(_result_of(row))
        if not claimed:
            return done, marker

        early: list[ActionResult] = []
        batch_people: list[Person] = []
        if self.spec.target == "people":
            for subject in claimed:
                person = people.get(subject)
                if person is None:
                    early.append(ActionResult.skipped(subject, "person not found"))
                else:
                    batch_people.append(person)
        assert group.inputs is not None  # checked by process()
        batch = ActionBatch(
            action_id=self.spec.id,
            inputs=group.inputs,
            account=account,
            people=batch_people,
            meta=meta,
            shared=group.shared,
        )
        results: list[ActionResult] = []
        if self.spec.target == "accounts" or batch_people:
            try:
                results = self.executor.execute(self.context, batch)
            except Interrupted as exc:
                # Record what did happen; the rest stays pending and is taken over on redelivery.
                store.ledger_record(entry, node, [*early, *self._only(exc.completed, claimed)])
                raise exc.cause from exc
        final = self._complete(claimed, [*early, *results] if early else results)
        store.ledger_record(entry, node, final)
        done += final
        return done, marker

    def _only(self, results: list[ActionResult], claimed: Sequence[str]) -> list[ActionResult]:
        wanted = set(claimed)
        return [r for r in results if r.subject in wanted]

    def _complete(self, claimed: Sequence[str], results: list[ActionResult]) -> list[ActionResult]:
        """Exactly one result per claimed subject: an executor that forgets one fails it visibly."""
        if [r[0] for r in results] == claimed:
            return results  # the usual case: one result per subject, in order
        by_subject: dict[str, ActionResult] = {}
        for result in results:
            by_subject.setdefault(result.subject, result)
        return [
            by_subject.get(s) or ActionResult.failed(s, f"{self.spec.id}: no outcome reported")
            for s in claimed
        ]

    def _count(self, message: NodeEntryMessage, counts: OutcomeCounts) -> None:
        """Add the message's outcomes to the node's counts, under the marker this delivery holds
        (claimed, or pending from a delivery that stopped before recording it): once in all."""
        store = self.context.store
        store.add_counts(
            message.journeyId,
            message.nodeId,
            {"applied": counts.applied, "skipped": counts.skipped, "failed": counts.failed},
            dict(counts.skippedByReason) or None,
        )
        store.ledger_record(message.entryId, message.nodeId, [ActionResult.applied(COUNTS_MARKER)])


def pipelines(context: ExecutionContext, responder: TaskResponder) -> dict[str, ActionPipeline]:
    """One pipeline per catalog action over the same context (the embedded runtime's wiring)."""
    return {action_id: ActionPipeline(action_id, context, responder) for action_id in ACTIONS}


# -- Lambda wiring ----------------------------------------------------------------------------


class ActionSettings(BaseModel):
    """Environment of the action functions beyond `journeys.settings.Settings`."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    # SSM parameter (JSON) with the updatable attributes, score names and destinations.
    reference_parameter: str | None = Field(default=None, alias="REFERENCE_PARAMETER")
    sms_type: Literal["Transactional", "Promotional"] = Field(default="Transactional", alias="SMS_TYPE")


@cache
def get_action_settings() -> ActionSettings:
    import os

    return ActionSettings.model_validate(dict(os.environ))


def load_reference(parameter: str | None) -> ReferenceData:
    if not parameter:
        return ReferenceData()
    from aws_lambda_powertools.utilities import parameters

    raw = parameters.get_parameter(parameter, transform="json", max_age=300)
    return ReferenceData.model_validate(raw)


@cache
def aws_pipeline(action_id: str) -> ActionPipeline:
    """The production pipeline of one action, built on the first invocation (cold start)."""
    from journeys.connectors.messaging import EventBridgePublisher, SesEmailSender, SnsSmsSender
    from journeys.executors.ports import SystemClock
    from journeys.handlers.stepfunctions import StepFunctionsExecutionStarter, StepFunctionsTaskResponder
    from journeys.settings import get_settings
    from journeys.store.dynamodb import DynamoStore

    settings = get_settings()
    extra = get_action_settings()
    store = DynamoStore(settings.table_name)
    spec = ACTIONS[action_id]
    context = ExecutionContext(
        store=store,
        clock=SystemClock(),
        email=SesEmailSender(settings.ses_configuration_set),
        sms=SnsSmsSender(extra.sms_type),
        events=EventBridgePublisher(settings.event_bus_name),
        journeys=StepFunctionsExecutionStarter(store),
        reference=load_reference(extra.reference_parameter),
        marketo=_marketo(settings.table_name) if spec.context == "marketo" else None,
        email_from=settings.email_from,
    )
    return ActionPipeline(action_id, context, StepFunctionsTaskResponder(None))


def _marketo(table_name: str) -> Any:
    from journeys.connectors.marketo import lambda_client
    from journeys.settings import MARKETO_ACTION_TIMEOUT_SECONDS

    # One limiter for the whole stack: every action function shares Marketo's 100 calls / 20 s.
    # The stack-wide limiter, and retries that stop before the function's own timeout.
    return lambda_client(table_name, function_timeout_seconds=MARKETO_ACTION_TIMEOUT_SECONDS)


@cache
def lambda_logger() -> Logger:
    """The Powertools logger of the action functions (JSON, Lambda context keys)."""
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    powertools = Logger(service="account-journeys-actions")
    logging.getLogger("journeys")  # the package's parent logger must exist to receive the config
    # The package logs through standard loggers (`journeys.*`); give them the same JSON output
    # and Lambda context keys. They log ids and counts only, never people's data.
    copy_config_to_registered_loggers(source_logger=powertools, include={"journeys"})
    return powertools


LambdaHandler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]


def make_handler(action_id: str, pipeline: Callable[[str], ActionPipeline] = aws_pipeline) -> LambdaHandler:
    """A thin Lambda handler for one action: Powertools logging context, then the pipeline."""
    if action_id not in ACTIONS:
        raise KeyError(f"unknown action '{action_id}'")
    powertools_logger = lambda_logger()

    def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        powertools_logger.append_keys(action=action_id)
        return pipeline(action_id).handle(event, context)

    handler.__name__ = action_id
    handler.__qualname__ = action_id
    # log_event stays off: records carry task tokens, account ids and (in errors) people's data.
    decorated: LambdaHandler = powertools_logger.inject_lambda_context(handler, log_event=False)
    return decorated
