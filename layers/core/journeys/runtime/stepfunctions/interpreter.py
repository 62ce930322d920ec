"""The local Step Functions runtime: many executions, one thread, virtual time.

Each execution is a tree of frames (the machine, and one frame per Parallel branch). Work runs
from a ready queue; waits, retries and timeouts are timers on the virtual clock. Nothing blocks:
a task waiting for its token just has no work queued until `send_task_*` or its timeout timer.
"""

from __future__ import annotations

import fnmatch
import json
import random
import re
from collections import deque
from collections.abc import Callable, KeysView, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from .choice import parse_timestamp
from .clock import VirtualClock, iso
from .definition import State, parse_definition
from .errors import (
    AslDefinitionError,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidName,
    InvalidToken,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    StatesRuntimeError,
    StepFunctionsError,
    TaskDoesNotExist,
    TaskFailure,
    TaskTimedOut,
)
from .intrinsics import EvalEnv, evaluate, parse_json, to_json_text
from .paths import write_result
from .records import (
    Event,
    Execution,
    ExecutionInfo,
    Frame,
    Handler,
    IdleHook,
    Join,
    Machine,
    Pending,
    TaskCall,
    error_matches,
)
from .substitutions import substitute

# Names SFN accepts: 1..80 characters, none of whitespace, brackets, wildcards, the listed
# punctuation, or control characters.
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
# Step Functions Standard executions last at most one year.
MAX_EXECUTION_SECONDS = 365 * 24 * 3600
_JSON_FIELDS = ("input", "output", "parameters")
# Detail field names of the per-transition history events (see records.Event).
_ENTERED = ("name", "input")
_EXITED = ("name", "output")
_SCHEDULED = ("resourceType", "resource", "region", "parameters", "timeoutInSeconds")
_SCHEDULED_HEARTBEAT = (*_SCHEDULED, "heartbeatInSeconds")
_STARTED = ("resourceType", "resource")
_TASK_OUTPUT = ("resourceType", "resource", "output")
_TASK_ERROR = ("resourceType", "resource", "error", "cause")
# uuid.UUID(int=bits, version=4) clears the variant and version bits, then sets them to 10 and 4.
_UUID_KEEP = ((1 << 128) - 1) ^ ((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


class LocalStepFunctions:
    """An in-process, time-skipping Step Functions (Standard) for the ASL subset journeys use."""

    def __init__(
        self,
        *,
        start: datetime | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        seed: int = 0,
    ) -> None:
        now = start or datetime.now(UTC)
        self.clock = VirtualClock(now)
        self.region = region
        self.account = account
        self._rng = random.Random(seed)
        self._integrations: list[tuple[str, Handler]] = []
        self._idle_hooks: list[IdleHook] = []
        self._machines: dict[str, Machine] = {}
        self._executions: dict[str, Execution] = {}
        self._pending: dict[str, Pending] = {}
        self._closed_tokens: dict[str, str] = {}  # token -> "timed out" | "closed"
        self._ready: deque[Callable[[], None]] = deque()
        self._token_seq = 0
        self.transitions = 0

    # -- wiring --------------------------------------------------------------------------------

    def register_integration(self, pattern: str, handler: Handler) -> None:
        """Handle Task resources matching `pattern` (exact ARN or fnmatch glob; first match wins)."""
        self._integrations.append((pattern, handler))

    def add_idle_hook(self, hook: IdleHook) -> None:
        """Call `hook` whenever no work is ready, before time advances; it returns True if it did work.

        The embedded run uses this to drain its action queues at the current virtual time.
        """
        self._idle_hooks.append(hook)

    def _handler_for(self, resource: str) -> Handler | None:
        for pattern, handler in self._integrations:
            if pattern == resource:
                return handler
        for pattern, handler in self._integrations:
            if fnmatch.fnmatchcase(resource, pattern):
                return handler
        return None

    def new_uuid(self) -> str:
        """A version-4 UUID from the seeded generator (reproducible runs)."""
        # The text str(uuid.UUID(int=bits, version=4)) gives, without building a UUID object.
        text = (self._rng.getrandbits(128) & _UUID_KEEP | _UUID_SET).to_bytes(16, "big").hex()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    # -- state machines --------------------------------------------------------------------------

    def create_state_machine(
        self,
        name: str,
        definition: str | Mapping[str, Any],
        substitutions: Mapping[str, str] | None = None,
    ) -> str:
        """Validate and register a definition; returns its ARN. Raises AslDefinitionError."""
        _check_name(name, "state machine")
        text = definition if isinstance(definition, str) else json.dumps(definition)
        text = substitute(text, substitutions or {})
        parsed, resources = parse_definition(text)
        handlers: dict[str, Handler] = {}
        for resource in sorted(resources):
            handler = self._handler_for(resource)
            if handler is None:
                state = next(s.name for s in parsed.all_states.values() if s.resource == resource)
                raise AslDefinitionError(
                    f"States.{state}.Resource",
                    f"no integration registered for {resource} (use register_integration)",
                )
            handlers[resource] = handler
        arn = f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"
        existing = self._machines.get(arn)
        if existing is not None:
            if existing.text != text:
                raise StateMachineAlreadyExists(f"state machine {name} exists with another definition")
            return arn
        self._machines[arn] = Machine(arn, name, text, parsed, handlers, self.clock.now)
        return arn

    # -- executions ------------------------------------------------------------------------------

    def start_execution(
        self, state_machine_arn: str, name: str | None = None, input: str | None = None
    ) -> str:
        """Start an execution (queued; it runs on `run*`). Idempotent per name, like SFN Standard."""
        machine = self._machines.get(state_machine_arn)
        if machine is None:
            raise StateMachineDoesNotExist(state_machine_arn)
        name = name or self.new_uuid()
        _check_name(name, "execution")
        text = "{}" if input is None else input
        try:
            value = parse_json(text)
        except json.JSONDecodeError as exc:
            raise StepFunctionsError(f"InvalidExecutionInput: {exc.msg}") from None
        arn = f"arn:aws:states:{self.region}:{self.account}:execution:{machine.name}:{name}"
        existing = self._executions.get(arn)
        if existing is not None:
            # Same input means same JSON value, whatever its spacing: compare canonical texts,
            # computed only on this rare path (from the kept text: the value may be shared since).
            if existing.status == "RUNNING" and _canonical(existing.input_text) == to_json_text(value):
                return arn
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        now = self.clock.now
        execution = Execution(
            arn=arn,
            name=name,
            machine=machine,
            input=value,
            input_text=text,
            start=now,
            context_execution={
                "Id": arn,
                "Input": value,
                "Name": name,
                "RoleArn": f"arn:aws:iam::{self.account}:role/local-step-functions",
                "StartTime": iso(now),
                "RedriveCount": 0,
            },
            context_machine={"Id": machine.arn, "Name": machine.name},
        )
        self._executions[arn] = execution
        self._event(execution, "ExecutionStarted", "executionStartedEventDetails", {"input": value})
        root = Frame(execution, machine.definition.root)
        execution.root = root
        limit = min(machine.definition.timeout_seconds or MAX_EXECUTION_SECONDS, MAX_EXECUTION_SECONDS)
        execution.timeout_timer = self.clock.schedule(limit, lambda: self._execution_timed_out(execution))
        self._ready.append(partial(self._enter, root, root.branch.start_at, value))
        return arn

    def stop_execution(self, execution_arn: str, error: str | None = None, cause: str | None = None) -> None:
        execution = self._execution(execution_arn)
        if execution.status != "RUNNING":
            return
        self._close(execution, "ABORTED", None, error, cause)
        details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        self._event(execution, "ExecutionAborted", "executionAbortedEventDetails", details)

    def describe_execution(self, execution_arn: str) -> ExecutionInfo:
        ex = self._execution(execution_arn)
        return ExecutionInfo(
            execution_arn=ex.arn,
            state_machine_arn=ex.machine.arn,
            name=ex.name,
            status=ex.status,
            input=ex.input,
            output=ex.output,
            error=ex.error,
            cause=ex.cause,
            start_date=ex.start,
            stop_date=ex.stop,
            transitions=ex.transitions,
        )

    def list_executions(
        self, state_machine_arn: str | None = None, status: str | None = None
    ) -> list[ExecutionInfo]:
        return [
            self.describe_execution(arn)
            for arn, ex in self._executions.items()
            if (state_machine_arn is None or ex.machine.arn == state_machine_arn)
            and (status is None or ex.status == status)
        ]

    def get_execution_history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Events shaped like boto3's `get_execution_history()["events"]` (JSON fields as text)."""
        out: list[dict[str, Any]] = []
        for timestamp, kind, event_id, previous, key, names, values in self._execution(execution_arn).events:
            event: dict[str, Any] = {
                "timestamp": timestamp,
                "type": kind,
                "id": event_id,
                "previousEventId": previous,
            }
            if key is not None:
                event[key] = {
                    name: to_json_text(value) if name in _JSON_FIELDS else value
                    for name, value in zip(names, values, strict=True)
                }
            out.append(event)
        return out

    def entered_states(self, execution_arn: str) -> list[str]:
        """Names of the states entered, in order (the path an execution took)."""
        return [
            values[0]  # _ENTERED: the name comes first
            for _, kind, _, _, _, _, values in self._execution(execution_arn).events
            if kind.endswith("StateEntered")
        ]

    def _execution(self, arn: str) -> Execution:
        execution = self._executions.get(arn)
        if execution is None:
            raise ExecutionDoesNotExist(arn)
        return execution

    # -- callbacks -------------------------------------------------------------------------------

    def _take_pending(self, token: str) -> Pending:
        pending = self._pending.pop(token, None)
        if pending is None:
            reason = self._closed_tokens.get(token)
            if reason == "timed out":
                raise TaskTimedOut(f"Task timed out: {token}")
            if reason is not None:
                raise TaskDoesNotExist(f"Task does not exist anymore: {token}")
            raise InvalidToken(f"Invalid token: {token}")
        self._closed_tokens[token] = "closed"
        pending.frame.tokens.discard(token)
        for timer in pending.timers:
            timer.cancel()
        return pending

    def send_task_success(self, task_token: str, output: str) -> None:
        """Complete a `.waitForTaskToken` task with `output` (JSON text), as SendTaskSuccess."""
        try:
            value = parse_json(output)
        except json.JSONDecodeError as exc:
            raise StepFunctionsError(f"InvalidOutput: {exc.msg}") from None
        self.send_task_value(task_token, value)

    def send_task_value(self, task_token: str, value: Any) -> None:
        """`send_task_success` for an in-process caller that holds the answer as JSON data already
        (a value it gives up: the execution's state keeps it), without the text round trip."""
        pending = self._take_pending(task_token)
        self._ready.append(partial(self._task_answered, pending, value))

    def send_task_failure(self, task_token: str, error: str | None = None, cause: str | None = None) -> None:
        pending = self._take_pending(task_token)
        failure = TaskFailure(error or "", cause or "")
        self._ready.append(lambda: self._task_failed(pending, failure, "TaskFailed"))

    def send_task_heartbeat(self, task_token: str) -> None:
        pending = self._pending.get(task_token)
        if pending is None:
            self._take_pending(task_token)  # raises the right error
            return
        heartbeat = pending.state.heartbeat_seconds
        if heartbeat is None:
            return
        for timer in pending.timers[1:]:
            timer.cancel()
        del pending.timers[1:]
        pending.timers.append(
            self.clock.schedule(heartbeat, lambda: self._task_timed_out(pending, "States.HeartbeatTimeout"))
        )

    def closed_tokens(self) -> KeysView[str]:
        """Tokens whose task is over (answered, timed out, or its execution/branch ended): a live view."""
        return self._closed_tokens.keys()

    def pending_tokens(self, execution_arn: str | None = None) -> list[str]:
        """Tokens of tasks waiting for an answer (optionally of one execution)."""
        return [
            t
            for t, p in self._pending.items()
            if execution_arn is None or p.frame.execution.arn == execution_arn
        ]

    # -- running ---------------------------------------------------------------------------------

    def run_ready(self) -> None:
        """Do all work possible at the current virtual time (idle hooks included); never advance time."""
        ready = self._ready
        popleft = ready.popleft
        while True:
            while ready:
                popleft()()
            if not any([hook() for hook in self._idle_hooks]):
                return

    def run(self, until: datetime | timedelta | None = None) -> datetime:
        """Run, advancing virtual time timer by timer, up to `until` (None: until nothing is left).

        Returns the virtual time reached. With `until`, the clock ends exactly there.
        """
        limit = self.clock.now + until if isinstance(until, timedelta) else until
        while True:
            self.run_ready()
            timer = self.clock.pop_due(limit)
            if timer is None:
                break
            timer.callback()
        if limit is not None:
            self.clock.advance_to(limit)
        return self.clock.now

    def run_until_idle(self) -> datetime:
        """Run until every execution has ended or waits for a token that has no timeout pending."""
        return self.run(None)

    # -- evaluation ------------------------------------------------------------------------------

    def _event(
        self,
        execution: Execution,
        kind: str,
        key: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        frame: Frame | None = None,
    ) -> int:
        """Append an event (details as a dict: for the events that happen once per execution)."""
        events = execution.events
        previous = frame.last_event if frame is not None and frame.last_event else len(events)
        event_id = len(events) + 1
        names, values = ((), ()) if details is None else (tuple(details), tuple(details.values()))
        event: Event = (self.clock.now, kind, event_id, previous, key, names, values)
        events.append(event)
        if frame is not None:
            frame.last_event = event_id
        return event_id

    def _frame_event(
        self, frame: Frame, kind: str, key: str, names: tuple[str, ...], values: tuple[Any, ...]
    ) -> None:
        """Append an event of `frame`'s thread: the per-transition path (see records.Event)."""
        events = frame.execution.events
        event_id = len(events) + 1
        # The clock's attribute, not its `now` property: this runs several times per transition.
        now = self.clock._now
        events.append((now, kind, event_id, frame.last_event or event_id - 1, key, names, values))
        frame.last_event = event_id

    def _context(
        self, frame: Frame, state: State, counts: dict[int, int], token: str | None = None
    ) -> dict[str, Any]:
        execution = frame.execution
        ctx: dict[str, Any] = {
            "Execution": execution.context_execution,
            "State": {
                "EnteredTime": iso(frame.entered or self.clock.now),
                "Name": state.name,
                "RetryCount": sum(counts.values()) if counts else 0,  # (no retry yet: skip the sum)
            },
            "StateMachine": execution.context_machine,
        }
        if token is not None:
            ctx["Task"] = {"Token": token}
        return ctx

    def _enter(self, frame: Frame, name: str, data: Any) -> None:
        if not frame.alive:
            return
        state = frame.branch.states[name]
        frame.entered = self.clock._now  # (the property's value, read without a call)
        frame.execution.transitions += 1
        self.transitions += 1
        self._frame_event(frame, state.entered_event, "stateEnteredEventDetails", _ENTERED, (name, data))
        try:
            if state.type == "Task":
                self._task_attempt(frame, state, data, {})
            elif state.type == "Parallel":
                self._parallel_attempt(frame, state, data, {})
            else:
                self._flow_state(frame, state, data)
        except TaskFailure as failure:
            self._state_failed(frame, state, data, failure, {})

    def _flow_state(self, frame: Frame, state: State, data: Any) -> None:
        ctx = self._context(frame, state, {})
        if state.type == "Fail":
            env = EvalEnv(data, ctx, self.new_uuid)
            error = evaluate(state.error_path, env) if state.error_path else state.error
            cause = evaluate(state.cause_path, env) if state.cause_path else state.cause
            self._fail_frame(
                frame, None if error is None else str(error), None if cause is None else str(cause)
            )
            return
        value = state.select_input(data, ctx, self.new_uuid)
        if state.type == "Pass":
            result = state.result if state.has_result else value
            self._exit(frame, state, state.apply_result(data, result))
        elif state.type == "Succeed":
            self._exit(frame, state, state.select_output(value))
        elif state.type == "Choice":
            target = next((nxt for rule, nxt in state.choices if rule.test(value, ctx)), state.default)
            if target is None:
                raise TaskFailure(
                    "States.NoChoiceMatched", f"No Choice Rules matched in state '{state.name}'"
                )
            self._exit(frame, state, state.select_output(value), target)
        elif state.type == "Wait":
            due = self._wait_due(state, value, ctx)
            output = state.select_output(value)
            frame.timers.append(self.clock.schedule_at(due, lambda: self._exit(frame, state, output)))

    def _wait_due(self, state: State, value: Any, ctx: dict[str, Any]) -> datetime:
        now = self.clock.now
        if state.wait_seconds is not None:
            return now + timedelta(seconds=state.wait_seconds)
        if state.wait_seconds_path is not None:
            seconds = state.wait_seconds_path.read(value, ctx)
            if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
                raise StatesRuntimeError(
                    f"SecondsPath '{state.wait_seconds_path.text}' is not a non-negative integer"
                )
            return now + timedelta(seconds=seconds)
        text = (
            state.wait_timestamp
            if state.wait_timestamp_path is None
            else state.wait_timestamp_path.read(value, ctx)
        )
        moment = parse_timestamp(text)
        if moment is None:
            raise StatesRuntimeError(f"The Timestamp value {text!r} is not an ISO-8601 timestamp")
        return max(now, moment)

    def _exit(self, frame: Frame, state: State, output: Any, target: str | None = None) -> None:
        if not frame.alive:
            return
        self._frame_event(frame, state.exited_event, "stateExitedEventDetails", _EXITED, (state.name, output))
        nxt = target or state.next
        if state.type == "Succeed" or (state.end and target is None):
            self._complete_frame(frame, output)
        elif nxt is not None:
            self._ready.append(partial(self._enter, frame, nxt, output))

    def _finish(
        self, frame: Frame, state: State, raw_input: Any, result: Any, counts: dict[int, int]
    ) -> None:
        """ResultSelector -> ResultPath -> OutputPath, then leave the state."""
        try:
            # Only a ResultSelector can read the context object here (ResultPath and OutputPath
            # cannot be `$$` paths), so the context is built only for one.
            if state.result_selector is not None:
                ctx = self._context(frame, state, counts)
                result = state.result_selector.run(result, ctx, self.new_uuid)
            output = state.apply_result(raw_input, result)
        except TaskFailure as failure:
            self._state_failed(frame, state, raw_input, failure, counts)
            return
        self._exit(frame, state, output)

    # -- tasks -----------------------------------------------------------------------------------

    def _task_attempt(self, frame: Frame, state: State, raw_input: Any, counts: dict[int, int]) -> None:
        if not frame.alive:
            return
        execution = frame.execution
        token: str | None = None
        if state.waits_for_token:
            self._token_seq += 1
            token = f"{self._token_seq:08d}-{self.new_uuid()}"
        ctx = self._context(frame, state, counts, token)
        try:
            parameters = state.select_input(raw_input, ctx, self.new_uuid)
        except TaskFailure as failure:
            self._state_failed(frame, state, raw_input, failure, counts)
            return
        service, action = state.service, state.action
        # TaskScheduled and TaskStarted, appended together (see _frame_event).
        events = execution.events
        event_id = len(events) + 1
        now = self.clock._now
        scheduled: tuple[Any, ...] = (service, action, self.region, parameters, state.timeout_seconds)
        names: tuple[str, ...] = _SCHEDULED
        if state.heartbeat_seconds is not None:
            scheduled, names = (*scheduled, state.heartbeat_seconds), _SCHEDULED_HEARTBEAT
        previous = frame.last_event or event_id - 1
        events.append(
            (now, "TaskScheduled", event_id, previous, "taskScheduledEventDetails", names, scheduled)
        )
        events.append(
            (
                now,
                "TaskStarted",
                event_id + 1,
                event_id,
                "taskStartedEventDetails",
                _STARTED,
                (service, action),
            )
        )
        frame.last_event = event_id + 1
        pending: Pending | None = None
        if token is not None:
            pending = Pending(token, frame, state, raw_input, counts, [])
            self._pending[token] = pending
            frame.tokens.add(token)
            pending.timers.append(
                self.clock.schedule(
                    state.timeout_seconds, partial(self._task_timed_out, pending, "States.Timeout")
                )
            )
            if state.heartbeat_seconds is not None:
                pending.timers.append(
                    self.clock.schedule(
                        state.heartbeat_seconds,
                        partial(self._task_timed_out, pending, "States.HeartbeatTimeout"),
                    )
                )
        call = TaskCall(state.resource, parameters, token, ctx, execution.arn, state.name, self)
        try:
            result = execution.machine.handlers[state.resource](call)
        except TaskFailure as failure:
            if pending is not None:
                # Even if the handler answered its own token before raising: the failure wins.
                pending.settled = True
                if token in self._pending:
                    self._take_pending(token)
            error = (service, action, failure.error, failure.cause)
            self._frame_event(frame, "TaskFailed", "taskFailedEventDetails", _TASK_ERROR, error)
            self._state_failed(frame, state, raw_input, failure, counts)
            return
        output = (service, action, result)
        if pending is not None:
            self._frame_event(frame, "TaskSubmitted", "taskSubmittedEventDetails", _TASK_OUTPUT, output)
            return
        self._frame_event(frame, "TaskSucceeded", "taskSucceededEventDetails", _TASK_OUTPUT, output)
        self._finish(frame, state, raw_input, result, counts)

    def _task_answered(self, pending: Pending, value: Any) -> None:
        frame = pending.frame
        if not frame.alive or pending.settled:
            return
        pending.settled = True
        state = pending.state
        values = (state.service, state.action, value)
        self._frame_event(frame, "TaskSucceeded", "taskSucceededEventDetails", _TASK_OUTPUT, values)
        self._finish(frame, state, pending.raw_input, value, pending.counts)

    def _task_failed(self, pending: Pending, failure: TaskFailure, kind: str) -> None:
        frame = pending.frame
        if not frame.alive or pending.settled:
            return
        pending.settled = True
        state = pending.state
        values = (state.service, state.action, failure.error, failure.cause)
        key = "taskFailedEventDetails" if kind == "TaskFailed" else "taskTimedOutEventDetails"
        self._frame_event(frame, kind, key, _TASK_ERROR, values)
        self._state_failed(frame, state, pending.raw_input, failure, pending.counts)

    def _task_timed_out(self, pending: Pending, error: str) -> None:
        if self._pending.get(pending.token) is not pending:
            return
        self._take_pending(pending.token)
        self._closed_tokens[pending.token] = "timed out"
        self._task_failed(pending, TaskFailure(error, ""), "TaskTimedOut")

    # -- parallel --------------------------------------------------------------------------------

    def _parallel_attempt(self, frame: Frame, state: State, raw_input: Any, counts: dict[int, int]) -> None:
        if not frame.alive:
            return
        try:
            value = state.select_input(raw_input, self._context(frame, state, counts), self.new_uuid)
        except TaskFailure as failure:
            self._state_failed(frame, state, raw_input, failure, counts)
            return
        started = self._event(frame.execution, "ParallelStateStarted", frame=frame)
        join = Join(frame, state, raw_input, counts, [None] * len(state.branches), len(state.branches))
        frame.children = []
        for index, branch in enumerate(state.branches):
            child = Frame(frame.execution, branch, join=join, index=index, last_event=started)
            frame.children.append(child)
            self._ready.append(partial(self._enter, child, child.branch.start_at, value))

    def _complete_frame(self, frame: Frame, output: Any) -> None:
        frame.alive = False
        join = frame.join
        if join is None:
            self._close(frame.execution, "SUCCEEDED", output, None, None)
            self._event(
                frame.execution, "ExecutionSucceeded", "executionSucceededEventDetails", {"output": output}
            )
            return
        if not join.frame.alive:
            return
        join.results[frame.index] = output
        join.remaining -= 1
        if join.remaining == 0:
            self._event(frame.execution, "ParallelStateSucceeded", frame=join.frame)
            self._finish(join.frame, join.state, join.raw_input, join.results, join.counts)

    def _fail_frame(self, frame: Frame, error: str | None, cause: str | None) -> None:
        self._cancel(frame)
        join = frame.join
        if join is None:
            self._close(frame.execution, "FAILED", None, error, cause)
            details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
            self._event(frame.execution, "ExecutionFailed", "executionFailedEventDetails", details)
            return
        parent = join.frame
        if not parent.alive:
            return
        for sibling in parent.children:
            self._cancel(sibling)
        self._event(frame.execution, "ParallelStateFailed")
        self._state_failed(
            parent, join.state, join.raw_input, TaskFailure(error or "", cause or ""), join.counts
        )

    # -- errors ----------------------------------------------------------------------------------

    def _state_failed(
        self, frame: Frame, state: State, raw_input: Any, failure: TaskFailure, counts: dict[int, int]
    ) -> None:
        """Retry, else Catch, else fail the frame (States.Runtime is never retried nor caught)."""
        if not frame.alive:
            return
        if failure.error != "States.Runtime":
            for index, retrier in enumerate(state.retry):
                if not error_matches(retrier.error_equals, failure.error):
                    continue
                attempts = counts.get(index, 0)
                if attempts < retrier.max_attempts:
                    delay = retrier.interval_seconds * retrier.backoff_rate**attempts
                    if retrier.max_delay_seconds is not None:
                        delay = min(delay, retrier.max_delay_seconds)
                    retry_counts = {**counts, index: attempts + 1}
                    attempt = self._task_attempt if state.type == "Task" else self._parallel_attempt
                    frame.execution.transitions += 1
                    self.transitions += 1
                    frame.timers.append(
                        self.clock.schedule(delay, partial(attempt, frame, state, raw_input, retry_counts))
                    )
                    return
                break  # the first matching retrier decides; exhausted -> Catch
            for catcher in state.catch:
                if error_matches(catcher.error_equals, failure.error):
                    error_output = {"Error": failure.error, "Cause": failure.cause}
                    try:
                        output = write_result(raw_input, catcher.result_path, error_output)
                    except TaskFailure as bad:
                        self._fail_frame(frame, bad.error, bad.cause)
                        return
                    self._exit(frame, state, output, catcher.next)
                    return
        self._fail_frame(frame, failure.error, failure.cause)

    # -- ending ----------------------------------------------------------------------------------

    def _cancel(self, frame: Frame) -> None:
        frame.alive = False
        for timer in frame.timers:
            timer.cancel()
        frame.timers.clear()
        for token in list(frame.tokens):
            pending = self._pending.pop(token, None)
            if pending is not None:
                for timer in pending.timers:
                    timer.cancel()
            self._closed_tokens[token] = "closed"
        frame.tokens.clear()
        for child in frame.children:
            self._cancel(child)

    def _close(
        self, execution: Execution, status: str, output: Any, error: str | None, cause: str | None
    ) -> None:
        if execution.root is not None:
            self._cancel(execution.root)
        if execution.timeout_timer is not None:
            execution.timeout_timer.cancel()
        execution.status, execution.output = status, output
        execution.error, execution.cause = error, cause
        execution.stop = self.clock.now

    def _execution_timed_out(self, execution: Execution) -> None:
        if execution.status != "RUNNING":
            return
        self._close(execution, "TIMED_OUT", None, "States.Timeout", None)
        self._event(
            execution, "ExecutionTimedOut", "executionTimedOutEventDetails", {"error": "States.Timeout"}
        )


def _canonical(text: str) -> str:
    """Compact JSON text of a JSON text (input idempotency compares values, not spacing)."""
    return to_json_text(json.loads(text))


def _check_name(name: str, what: str) -> None:
    if not 1 <= len(name) <= 80 or _BAD_NAME.search(name):
        raise InvalidName(
            f'invalid {what} name {name!r}: 1..80 characters, no spaces or <>{{}}[]?*"#%\\^|~`$&,;:/'
        )
