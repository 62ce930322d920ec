"""Parse and validate an ASL definition into typed states, rejecting what the runtime cannot run.

Every rejection names the state and field (`States.<name>.<field>`). Only JSONPath ASL is
accepted; JSONata, Map, variables (`Assign`) and the `...Path` timeouts are refused explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .choice import Rule, parse_rule, parse_timestamp
from .errors import AslDefinitionError
from .intrinsics import Call, is_intrinsic, parse_intrinsic
from .paths import Path, parse_path, write_result
from .payload import Template, compile_template

# A state's data flow, composed once per state at parse time (see `_derive`):
# (raw input, context, new_uuid) -> effective input: InputPath, then Parameters;
InputStep = Callable[[Any, Any, Callable[[], str]], Any]
# (value) -> output: OutputPath;
OutputStep = Callable[[Any], Any]
# (raw input, result) -> output: ResultPath, then OutputPath.
ResultStep = Callable[[Any, Any], Any]

MAX_STATE_NAME = 80
DEFAULT_TASK_TIMEOUT = 99_999_999  # what Step Functions uses when TimeoutSeconds is absent
CALLBACK_SUFFIX = ".waitForTaskToken"

# Error names Step Functions defines; any other `States.` name in ErrorEquals is a typo.
STATES_ERRORS = frozenset(
    {
        "States.ALL",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
        "States.QueryEvaluationError",
    }
)

_COMMON = {"Type", "Comment"}
_IO = {"InputPath", "OutputPath"}
_FLOW = {"Next", "End"}
_FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON | _IO | _FLOW | {"Parameters", "ResultPath", "Result"},
    "Task": _COMMON
    | _IO
    | _FLOW
    | {
        "Resource",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Retry",
        "Catch",
        "TimeoutSeconds",
        "HeartbeatSeconds",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default"},
    "Wait": _COMMON | _IO | _FLOW | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Parallel": _COMMON
    | _IO
    | _FLOW
    | {"Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "Cause", "ErrorPath", "CausePath"},
}
_KNOWN_UNSUPPORTED = {
    "Map": "Map states are not supported by the local runtime",
    "Assign": "workflow variables (Assign) are not supported by the local runtime",
    "Arguments": "JSONata (Arguments) is not supported by the local runtime; use JSONPath Parameters",
    "Output": "JSONata (Output) is not supported by the local runtime; use JSONPath OutputPath",
    "QueryLanguage": "only the JSONPath query language is supported",
    "TimeoutSecondsPath": "TimeoutSecondsPath is not supported by the local runtime; use TimeoutSeconds",
    "HeartbeatSecondsPath": "HeartbeatSecondsPath is not supported locally; use HeartbeatSeconds",
    "Credentials": "cross-account Credentials are not supported by the local runtime",
    "ItemProcessor": "Map states are not supported by the local runtime",
}


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float
    max_attempts: int
    backoff_rate: float
    max_delay_seconds: float | None


@dataclass(frozen=True, slots=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: Path | None


@dataclass(slots=True)
class State:
    """Fields every state may have; unset optional fields keep their ASL defaults."""

    name: str
    type: str
    next: str | None = None
    end: bool = False
    input_path: Path | None = None  # None: `null` (an empty object); see `input_is_null`
    input_is_null: bool = False
    output_path: Path | None = None
    output_is_null: bool = False
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: Path | None = None
    result_is_null: bool = False
    result: Any = None
    has_result: bool = False
    resource: str = ""
    timeout_seconds: int = DEFAULT_TASK_TIMEOUT
    heartbeat_seconds: int | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    choices: tuple[tuple[Rule, str], ...] = ()
    default: str | None = None
    wait_seconds: int | None = None
    wait_timestamp: str | None = None
    wait_seconds_path: Path | None = None
    wait_timestamp_path: Path | None = None
    branches: tuple[Branch, ...] = ()
    error: str | None = None
    cause: str | None = None
    error_path: Path | Call | None = None
    cause_path: Path | Call | None = None
    # Derived from the fields above once, at parse time (see `_derive`): transitions then do
    # no string work, and run each data-flow step as one call, with nothing for `$` paths.
    entered_event: str = ""  # e.g. "TaskStateEntered"
    exited_event: str = ""  # e.g. "TaskStateExited"
    service: str = ""  # Task history events' resourceType ("sqs") ...
    action: str = ""  # ... and resource ("sendMessage.waitForTaskToken")
    waits_for_token: bool = False  # a `.waitForTaskToken` Task
    select_input: InputStep = field(
        default=lambda raw, ctx, new_uuid: _underived(), compare=False, repr=False
    )
    select_output: OutputStep = field(default=lambda value: _underived(), compare=False, repr=False)
    apply_result: ResultStep = field(default=lambda raw, result: _underived(), compare=False, repr=False)


@dataclass(slots=True)
class Branch:
    """A set of states with its own StartAt (the machine itself, or a Parallel branch)."""

    start_at: str
    states: dict[str, State] = field(default_factory=dict)


@dataclass(slots=True)
class Definition:
    root: Branch
    timeout_seconds: int | None
    all_states: dict[str, State]


def service_parts(resource: str) -> tuple[str, str]:
    """("sqs", "sendMessage.waitForTaskToken") for history events, like SFN's resourceType/resource."""
    prefix = "arn:aws:states:::"
    if resource.startswith(prefix) and ":" in resource[len(prefix) :]:
        service, action = resource[len(prefix) :].split(":", 1)
        return service, action
    return "lambda", resource


def _underived() -> Any:
    raise AssertionError("a State's data-flow steps are set by _derive when it is parsed")


def _is_root(path: Path | None) -> bool:
    """`$`: the path selects its whole input."""
    return path is not None and not path.context and not path.steps


def _select_input(state: State) -> InputStep:
    """InputPath then Parameters, as one function."""
    run = state.parameters.run if state.parameters is not None else None
    if state.input_is_null:  # InputPath null: an empty object
        if run is None:
            return lambda raw, ctx, new_uuid: {}
        return lambda raw, ctx, new_uuid: run({}, ctx, new_uuid)
    path = state.input_path
    if path is None or _is_root(path):
        return run if run is not None else lambda raw, ctx, new_uuid: raw
    read = path.read
    if run is None:
        return lambda raw, ctx, new_uuid: read(raw, ctx)
    return lambda raw, ctx, new_uuid: run(read(raw, ctx), ctx, new_uuid)


def _select_output(state: State) -> OutputStep:
    """OutputPath (never a `$$` path: the definition refuses those, so no context is needed)."""
    if state.output_is_null:
        return lambda value: {}
    path = state.output_path
    if path is None or _is_root(path):
        return lambda value: value
    read = path.read
    return lambda value: read(value, None)


def _apply_result(state: State) -> ResultStep:
    """ResultPath then OutputPath, as one function."""
    path = state.result_path
    select = state.select_output
    output_is_input = not state.output_is_null and (state.output_path is None or _is_root(state.output_path))
    if state.result_is_null or path is None:  # the result is discarded (write_result(raw, None, _))
        if output_is_input:
            return lambda raw, result: raw
        return lambda raw, result: select(raw)
    if _is_root(path):  # the result replaces the input
        if output_is_input:
            return lambda raw, result: result
        return lambda raw, result: select(result)
    if output_is_input:
        return lambda raw, result: write_result(raw, path, result)
    return lambda raw, result: select(write_result(raw, path, result))


def _derive(state: State) -> State:
    """Fill the fields computed from the others (event names, task resource parts, data flow)."""
    state.entered_event = f"{state.type}StateEntered"
    state.exited_event = f"{state.type}StateExited"
    if state.resource:
        state.service, state.action = service_parts(state.resource)
        state.waits_for_token = state.resource.endswith(CALLBACK_SUFFIX)
    state.select_input = _select_input(state)
    state.select_output = _select_output(state)
    state.apply_result = _apply_result(state)
    return state


def _int(raw: Any, where: str, *, minimum: int) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < minimum:
        raise AslDefinitionError(where, f"must be an integer >= {minimum}, got {raw!r}")
    return raw


def _errors(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(e, str) and e for e in raw):
        raise AslDefinitionError(where, "ErrorEquals must be a non-empty list of error names")
    for name in raw:
        if name.startswith("States.") and name not in STATES_ERRORS:
            raise AslDefinitionError(where, f"unknown Step Functions error name {name!r}")
    if "States.ALL" in raw and (len(raw) != 1):
        raise AslDefinitionError(where, "States.ALL must appear alone in ErrorEquals")
    return tuple(raw)


def _optional_path(
    raw: dict[str, Any], key: str, where: str, *, allow_context: bool = False
) -> tuple[Path | None, bool]:
    """(path, is_null) for InputPath/OutputPath/ResultPath: absent means `$`, null means none."""
    if key not in raw:
        return parse_path("$", where), False
    if raw[key] is None:
        return None, True
    return parse_path(raw[key], f"{where}.{key}", allow_context=allow_context), False


def _retriers(raw: Any, where: str) -> tuple[Retrier, ...]:
    if not isinstance(raw, list):
        raise AslDefinitionError(where, "Retry must be a list")
    out: list[Retrier] = []
    allowed = {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise AslDefinitionError(at, "a retrier must be an object")
        unknown = set(item) - allowed
        if unknown:
            raise AslDefinitionError(at, f"unknown field(s) {sorted(unknown)}")
        if item.get("JitterStrategy", "NONE") != "NONE":
            raise AslDefinitionError(
                f"{at}.JitterStrategy", "only NONE is supported (runs must be reproducible)"
            )
        errors = _errors(item.get("ErrorEquals"), f"{at}.ErrorEquals")
        if "States.ALL" in errors and i != len(raw) - 1:
            raise AslDefinitionError(f"{at}.ErrorEquals", "a States.ALL retrier must be the last one")
        rate = item.get("BackoffRate", 2.0)
        if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 1.0:
            raise AslDefinitionError(f"{at}.BackoffRate", f"must be a number >= 1.0, got {rate!r}")
        max_delay = item.get("MaxDelaySeconds")
        out.append(
            Retrier(
                error_equals=errors,
                interval_seconds=_int(item.get("IntervalSeconds", 1), f"{at}.IntervalSeconds", minimum=1),
                max_attempts=_int(item.get("MaxAttempts", 3), f"{at}.MaxAttempts", minimum=0),
                backoff_rate=float(rate),
                max_delay_seconds=None
                if max_delay is None
                else _int(max_delay, f"{at}.MaxDelaySeconds", minimum=1),
            )
        )
    return tuple(out)


def _catchers(raw: Any, where: str) -> tuple[Catcher, ...]:
    if not isinstance(raw, list):
        raise AslDefinitionError(where, "Catch must be a list")
    out: list[Catcher] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise AslDefinitionError(at, "a catcher must be an object")
        unknown = set(item) - {"ErrorEquals", "Next", "ResultPath", "Comment"}
        if unknown:
            raise AslDefinitionError(at, f"unknown field(s) {sorted(unknown)}")
        errors = _errors(item.get("ErrorEquals"), f"{at}.ErrorEquals")
        if "States.ALL" in errors and i != len(raw) - 1:
            raise AslDefinitionError(f"{at}.ErrorEquals", "a States.ALL catcher must be the last one")
        if not isinstance(item.get("Next"), str):
            raise AslDefinitionError(f"{at}.Next", "a catcher needs Next (a state name)")
        path, _ = _optional_path(item, "ResultPath", at)
        out.append(Catcher(error_equals=errors, next=item["Next"], result_path=path))
    return tuple(out)


def _fail_path(raw: Any, where: str) -> Path | Call:
    if not isinstance(raw, str):
        raise AslDefinitionError(where, "must be a path or an intrinsic function")
    return parse_intrinsic(raw, where) if is_intrinsic(raw) else parse_path(raw, where)


def _state(name: str, raw: Any, where: str, resources: set[str]) -> State:
    if not isinstance(raw, dict):
        raise AslDefinitionError(where, "a state must be an object")
    kind = raw.get("Type")
    if kind == "Map":
        raise AslDefinitionError(f"{where}.Type", _KNOWN_UNSUPPORTED["Map"])
    if kind not in _FIELDS:
        raise AslDefinitionError(f"{where}.Type", f"unknown or unsupported state type {kind!r}")
    for key in raw:
        if key not in _FIELDS[kind]:
            reason = _KNOWN_UNSUPPORTED.get(key, f"field not allowed in a {kind} state")
            raise AslDefinitionError(f"{where}.{key}", reason)
    state = State(name=name, type=kind)
    terminal = kind in {"Succeed", "Fail", "Choice"}
    if not terminal:
        has_next, has_end = "Next" in raw, raw.get("End") is True
        if "End" in raw and raw["End"] is not True:
            raise AslDefinitionError(f"{where}.End", "End must be true when present")
        if has_next == has_end:
            raise AslDefinitionError(where, "needs exactly one of Next or End")
        if has_next and not isinstance(raw["Next"], str):
            raise AslDefinitionError(f"{where}.Next", "must be a state name")
        state.next, state.end = raw.get("Next"), has_end
    if kind != "Fail":
        state.input_path, state.input_is_null = _optional_path(raw, "InputPath", where, allow_context=True)
        state.output_path, state.output_is_null = _optional_path(raw, "OutputPath", where)
    if "Parameters" in raw:
        state.parameters = compile_template(raw["Parameters"], f"{where}.Parameters")
    if "ResultSelector" in raw:
        state.result_selector = compile_template(raw["ResultSelector"], f"{where}.ResultSelector")
    if kind in {"Pass", "Task", "Parallel"}:
        state.result_path, state.result_is_null = _optional_path(raw, "ResultPath", where)
    if "Result" in raw:
        state.result, state.has_result = raw["Result"], True
    if "Retry" in raw:
        state.retry = _retriers(raw["Retry"], f"{where}.Retry")
    if "Catch" in raw:
        state.catch = _catchers(raw["Catch"], f"{where}.Catch")
    if kind == "Task":
        resource = raw.get("Resource")
        if not isinstance(resource, str) or not resource.startswith("arn:"):
            raise AslDefinitionError(f"{where}.Resource", f"must be an ARN, got {resource!r}")
        if "${" in resource:
            raise AslDefinitionError(f"{where}.Resource", "unfilled ${...} placeholder")
        state.resource = resource
        resources.add(resource)
        if "TimeoutSeconds" in raw:
            state.timeout_seconds = _int(raw["TimeoutSeconds"], f"{where}.TimeoutSeconds", minimum=1)
        if "HeartbeatSeconds" in raw:
            heartbeat = _int(raw["HeartbeatSeconds"], f"{where}.HeartbeatSeconds", minimum=1)
            if heartbeat >= state.timeout_seconds:
                raise AslDefinitionError(f"{where}.HeartbeatSeconds", "must be smaller than TimeoutSeconds")
            state.heartbeat_seconds = heartbeat
    if kind == "Choice":
        choices = raw.get("Choices")
        if not isinstance(choices, list) or not choices:
            raise AslDefinitionError(f"{where}.Choices", "must be a non-empty list of rules")
        parsed: list[tuple[Rule, str]] = []
        for i, rule in enumerate(choices):
            at = f"{where}.Choices[{i}]"
            if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
                raise AslDefinitionError(at, "a top-level choice rule needs Next")
            parsed.append((parse_rule(rule, at, top_level=True), rule["Next"]))
        state.choices = tuple(parsed)
        if "Default" in raw and not isinstance(raw["Default"], str):
            raise AslDefinitionError(f"{where}.Default", "must be a state name")
        state.default = raw.get("Default")
    if kind == "Wait":
        given = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in raw]
        if len(given) != 1:
            raise AslDefinitionError(
                where,
                f"a Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath (got {given})",
            )
        if "Seconds" in raw:
            state.wait_seconds = _int(raw["Seconds"], f"{where}.Seconds", minimum=0)
        elif "Timestamp" in raw:
            if parse_timestamp(raw["Timestamp"]) is None:
                raise AslDefinitionError(
                    f"{where}.Timestamp", f"not an ISO-8601 timestamp: {raw['Timestamp']!r}"
                )
            state.wait_timestamp = raw["Timestamp"]
        elif "SecondsPath" in raw:
            state.wait_seconds_path = parse_path(raw["SecondsPath"], f"{where}.SecondsPath")
        else:
            state.wait_timestamp_path = parse_path(raw["TimestampPath"], f"{where}.TimestampPath")
    if kind == "Parallel":
        branches = raw.get("Branches")
        if not isinstance(branches, list) or not branches:
            raise AslDefinitionError(f"{where}.Branches", "must be a non-empty list")
        state.branches = tuple(
            _branch(b, f"{where}.Branches[{i}]", resources, top_level=False) for i, b in enumerate(branches)
        )
    if kind == "Fail":
        for key in ("Error", "Cause"):
            if key in raw and not isinstance(raw[key], str):
                raise AslDefinitionError(f"{where}.{key}", "must be a string")
        if "Error" in raw and "ErrorPath" in raw:
            raise AslDefinitionError(where, "Error and ErrorPath are exclusive")
        if "Cause" in raw and "CausePath" in raw:
            raise AslDefinitionError(where, "Cause and CausePath are exclusive")
        state.error, state.cause = raw.get("Error"), raw.get("Cause")
        if "ErrorPath" in raw:
            state.error_path = _fail_path(raw["ErrorPath"], f"{where}.ErrorPath")
        if "CausePath" in raw:
            state.cause_path = _fail_path(raw["CausePath"], f"{where}.CausePath")
    return _derive(state)


def _branch(raw: Any, where: str, resources: set[str], *, top_level: bool) -> Branch:
    if not isinstance(raw, dict):
        raise AslDefinitionError(where, "must be an object with StartAt and States")
    allowed = {"StartAt", "States", "Comment"} | ({"Version", "TimeoutSeconds"} if top_level else set())
    for key in raw:
        if key not in allowed:
            raise AslDefinitionError(
                f"{where}.{key}" if where else key, _KNOWN_UNSUPPORTED.get(key, "unknown field")
            )
    states = raw.get("States")
    if not isinstance(states, dict) or not states:
        raise AslDefinitionError(f"{where}.States" if where else "States", "must be a non-empty object")
    start = raw.get("StartAt")
    if not isinstance(start, str) or start not in states:
        raise AslDefinitionError(
            f"{where}.StartAt" if where else "StartAt", f"names no state of this scope: {start!r}"
        )
    prefix = f"{where}.States" if where else "States"
    branch = Branch(start_at=start)
    for name, body in states.items():
        if not name or len(name) > MAX_STATE_NAME:
            raise AslDefinitionError(
                f"{prefix}.{name}", f"a state name must have 1..{MAX_STATE_NAME} characters"
            )
        branch.states[name] = _state(name, body, f"{prefix}.{name}", resources)
    _check_transitions(branch, prefix)
    return branch


def _targets(state: State) -> list[tuple[str, str]]:
    out = [("Next", state.next)] if state.next else []
    out += [(f"Choices[{i}].Next", nxt) for i, (_, nxt) in enumerate(state.choices)]
    out += [("Default", state.default)] if state.default else []
    out += [(f"Catch[{i}].Next", c.next) for i, c in enumerate(state.catch)]
    return out


def _check_transitions(branch: Branch, prefix: str) -> None:
    for state in branch.states.values():
        for fld, target in _targets(state):
            if target not in branch.states:
                raise AslDefinitionError(
                    f"{prefix}.{state.name}.{fld}", f"names no state of this scope: {target!r}"
                )
    seen = {branch.start_at}
    todo = [branch.start_at]
    while todo:
        for _, target in _targets(branch.states[todo.pop()]):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    unreachable = sorted(set(branch.states) - seen)
    if unreachable:
        raise AslDefinitionError(f"{prefix}.{unreachable[0]}", "state is not reachable from StartAt")


def _collect(branch: Branch, out: dict[str, State], where: str) -> None:
    for name, state in branch.states.items():
        if name in out:
            raise AslDefinitionError(
                f"{where}.{name}", "state names must be unique in the whole state machine"
            )
        out[name] = state
        for i, sub in enumerate(state.branches):
            _collect(sub, out, f"{where}.{name}.Branches[{i}]")


def parse_definition(source: str | dict[str, Any]) -> tuple[Definition, set[str]]:
    """Parse ASL (JSON text or dict); returns the definition and the Task resources it uses."""
    if isinstance(source, str):
        try:
            raw: Any = json.loads(source)
        except json.JSONDecodeError as exc:
            raise AslDefinitionError(
                "definition", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
    else:
        raw = source
    if not isinstance(raw, dict):
        raise AslDefinitionError("definition", "must be a JSON object")
    if "QueryLanguage" in raw and raw["QueryLanguage"] != "JSONPath":
        raise AslDefinitionError("QueryLanguage", _KNOWN_UNSUPPORTED["QueryLanguage"])
    raw = {k: v for k, v in raw.items() if k != "QueryLanguage"}
    resources: set[str] = set()
    root = _branch(raw, "", resources, top_level=True)
    timeout = raw.get("TimeoutSeconds")
    if timeout is not None:
        timeout = _int(timeout, "TimeoutSeconds", minimum=1)
    all_states: dict[str, State] = {}
    _collect(root, all_states, "States")
    return Definition(root=root, timeout_seconds=timeout, all_states=all_states), resources
