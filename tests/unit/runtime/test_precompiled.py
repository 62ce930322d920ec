"""What the runtime precompiles or caches for speed gives exactly what plain evaluation gives.

Paths and payload templates are compiled per state when a machine is created, a state's data
flow is composed once, timestamps are formatted once per instant, cancelled timers are compacted
away, and history events are kept as tuples. Each test pins one of these to the plain behaviour.
"""

from __future__ import annotations

import gc
import json
import random
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest

from journeys.runtime.stepfunctions import StatesRuntimeError, TaskCall, VirtualClock, iso
from journeys.runtime.stepfunctions.intrinsics import EvalEnv, evaluate, parse_intrinsic, parse_json
from journeys.runtime.stepfunctions.paths import Path, parse_path
from journeys.runtime.stepfunctions.payload import _MAX_INLINE_DEPTH, compile_template

from .conftest import START, Rig

SEND = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
INVOKE = "arn:aws:states:::lambda:invoke"


# -- reference semantics: the plain walks the compiled forms replace ---------------------------


def plain_read(path: Path, data: Any, context: Any) -> Any:
    """Path.read as a plain walk over the steps."""
    value = context if path.context else data
    for step in path.steps:
        if isinstance(step, str):
            if not isinstance(value, dict) or step not in value:
                raise StatesRuntimeError(f"The JSONPath '{path.text}' could not be found in the input")
            value = value[step]
        else:
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                raise StatesRuntimeError(f"The JSONPath '{path.text}' could not be found in the input")
            value = value[step]
    return value


def plain_resolve(template: Any, data: Any, context: Any, new_uuid: Any) -> Any:
    """A Parameters/ResultSelector value resolved by walking its ASL form."""
    if isinstance(template, dict):
        out: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$"):
                if value.startswith("States."):
                    env = EvalEnv(data, context, new_uuid)
                    out[key[:-2]] = evaluate(parse_intrinsic(value, "t"), env)
                else:
                    out[key[:-2]] = plain_read(parse_path(value, "t"), data, context)
            else:
                out[key] = plain_resolve(value, data, context, new_uuid)
        return out
    if isinstance(template, list):
        return [plain_resolve(item, data, context, new_uuid) for item in template]
    return template


def outcome(function: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", function(*args)
    except Exception as exc:  # the same error, type and message, is part of the behaviour
        return "error", (type(exc).__name__, str(exc))


class Loud(dict[str, Any]):
    """A dict subclass: compiled paths must not take their plain-dict shortcut for it."""


DATA: list[Any] = [
    {"a": 1, "b": {"c": [10, {"d": "x"}], "e f": None}, "n": 0, "s": "str", "l": [1, 2, 3]},
    {"a": {"a": {"a": 2}}, "b": "not a dict", "l": []},
    Loud(a=5, b=Loud(c=[7])),
    [1, 2, 3],
    "text",
    None,
    {},
]
CONTEXT = {"Execution": {"Name": "e-1", "Input": {"a": 1}}, "Task": {"Token": "t-1"}, "State": {}}
PATHS = [
    "$",
    "$.a",
    "$.a.a",
    "$.a.a.a",
    "$.b.c",
    "$.b.c[0]",
    "$.b.c[-1].d",
    "$.b.c[5]",
    "$['b']['e f']",
    "$.l[0]",
    "$.missing",
    "$.b.missing.deeper",
    "$$",
    "$$.Execution.Name",
    "$$.Task.Token",
    "$$.Execution.Input.a",
    "$$.Nope.Name",
]


@pytest.mark.parametrize("text", PATHS)
def test_compiled_path_readers_match_the_plain_walk(text: str) -> None:
    path = parse_path(text, "here")
    for data in DATA:
        assert outcome(path.read, data, CONTEXT) == outcome(plain_read, path, data, CONTEXT)


TEMPLATES: list[Any] = [
    {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token", "a.$": "$.a", "fixed": {"k": [1, 2]}}},
    {
        "all.$": "$",
        "ctx.$": "$$",
        "deep.$": "$.a.a.a",
        "index.$": "$.b.c[-1].d",
        "name.$": "$$.Execution.Name",
    },
    {"list": [1, {"x.$": "$.a"}, [{"y.$": "$.l[0]"}]], "const": {"z": None}},
    {"f.$": "States.Format('{}-{}', $.s, $.n)", "u.$": "States.UUID()", "v.$": "States.UUID()"},
    {"first.$": "$.missing", "second.$": "States.ArrayLength($.s)"},
    {"first.$": "States.ArrayLength($.s)", "second.$": "$.missing"},
    {"nothing": "bound"},
]


def counter() -> Callable[[], str]:
    """A stand-in UUID source: "0", "1", ..., so the order of draws shows in the results."""
    numbers = iter(range(1000))
    return lambda: str(next(numbers))


@pytest.mark.parametrize("raw", TEMPLATES)
def test_compiled_templates_match_the_plain_walk(raw: Any) -> None:
    template = compile_template(raw, "here")
    for data in DATA:
        # UUIDs count calls: the same draws in the same order give the same values.
        compiled = outcome(template.run, data, CONTEXT, counter())
        plain = outcome(plain_resolve, raw, data, CONTEXT, counter())
        assert compiled == plain
        legacy = outcome(template.evaluate, EvalEnv(data, CONTEXT, counter()))
        assert legacy == plain


def test_deep_templates_compile_past_the_inline_depth() -> None:
    raw: Any = {"leaf.$": "$.a", "index.$": "$.l[1]"}
    for level in range(3 * _MAX_INLINE_DEPTH):
        raw = {f"level{level}": raw, "list": [raw] if level % 7 == 0 else [], "k": level}
    data = DATA[0]
    assert compile_template(raw, "here").run(data, CONTEXT, str) == plain_resolve(raw, data, CONTEXT, str)


def test_template_constants_are_shared_as_before() -> None:
    # Binding-free subtrees are returned as is (never mutated by the runtime), as the plain walk did.
    template = compile_template({"fixed": {"k": [1]}, "a.$": "$.a"}, "here")
    first, second = template.run({"a": 1}, {}, str), template.run({"a": 2}, {}, str)
    assert first["fixed"] is second["fixed"] and (first["a"], second["a"]) == (1, 2)


# -- per-state compiled forms stay per machine -----------------------------------------------


def two_step(parameters: dict[str, Any], resource: str, **flow: Any) -> dict[str, Any]:
    return {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": resource, "Parameters": parameters, "Next": "Done", **flow},
            "Done": {"Type": "Pass", "End": True},
        },
    }


def test_machines_with_the_same_state_names_keep_their_own_compiled_states(rig: Rig) -> None:
    rig.lambdas.register("echo", lambda payload, call: {"echo": payload, "state": call.state_name})
    first = rig.sfn.create_state_machine(
        "first",
        two_step(
            {"QueueUrl": "q1", "MessageBody": {"t.$": "$$.Task.Token", "v.$": "$.one"}},
            SEND,
            ResultPath="$.answer",
        ),
    )
    second = rig.sfn.create_state_machine(
        "second",
        two_step(
            {"FunctionName": "echo", "Payload": {"v.$": "$.two", "name.$": "$$.Execution.Name"}},
            INVOKE,
            InputPath="$.inner",
            ResultSelector={"got.$": "$.Payload.echo"},
            ResultPath="$",
            OutputPath="$.got",
        ),
    )
    data = {"one": 1, "two": 2, "inner": {"one": "i1", "two": "i2"}}
    arns = [rig.sfn.start_execution(m, f"e-{i}", json.dumps(data)) for i, m in enumerate([first, second] * 2)]
    rig.sfn.run_ready()
    messages = rig.queues.receive("q1")
    assert [m.json()["v"] for m in messages] == [1, 1]
    for message in messages:
        assert message.task_token is not None
        rig.sfn.send_task_success(message.task_token, '{"ok": 1}')
    rig.sfn.run_until_idle()
    outputs = [rig.sfn.describe_execution(arn).output for arn in arns]
    assert outputs[0] == outputs[2] == {**data, "answer": {"ok": 1}}
    assert outputs[1] == {"v": "i2", "name": "e-1"}
    assert outputs[3] == {"v": "i2", "name": "e-3"}


# -- history events ---------------------------------------------------------------------------


def test_history_events_keep_their_boto3_shape(rig: Rig) -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Next": "Work",
                "ResultPath": "$.fan",
                "Branches": [
                    {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "End": True}}}
                ],
            },
            "Work": {
                "Type": "Task",
                "Resource": SEND,
                "HeartbeatSeconds": 30,
                "TimeoutSeconds": 60,
                "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token", "who.$": "$.who"}},
                "ResultPath": "$.answer",
                "End": True,
            },
        },
    }
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("m", definition), "e", '{"who": "acme"}')
    rig.sfn.run_ready()
    (message,) = rig.queues.receive("q")
    token = message.task_token
    assert token == "00000001-e3e70682-c209-4cac-a29f-6fbed82c07cd"  # seeded: reproducible
    rig.sfn.send_task_success(token, '{"ok": true}')
    rig.sfn.run_until_idle()
    sqs = {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"}
    fanned = '{"who":"acme","fan":[{"x":1}]}'
    done = '{"who":"acme","fan":[{"x":1}],"answer":{"ok":true}}'
    parameters = '{"QueueUrl":"q","MessageBody":{"t":"' + token + '","who":"acme"}}'
    expected: list[tuple[str, int, str | None, dict[str, Any] | None]] = [
        ("ExecutionStarted", 0, "executionStartedEventDetails", {"input": '{"who":"acme"}'}),
        ("ParallelStateEntered", 1, "stateEnteredEventDetails", {"name": "Fan", "input": '{"who":"acme"}'}),
        ("ParallelStateStarted", 2, None, None),
        ("PassStateEntered", 3, "stateEnteredEventDetails", {"name": "P", "input": '{"who":"acme"}'}),
        ("PassStateExited", 4, "stateExitedEventDetails", {"name": "P", "output": '{"x":1}'}),
        ("ParallelStateSucceeded", 3, None, None),
        ("ParallelStateExited", 6, "stateExitedEventDetails", {"name": "Fan", "output": fanned}),
        ("TaskStateEntered", 7, "stateEnteredEventDetails", {"name": "Work", "input": fanned}),
        (
            "TaskScheduled",
            8,
            "taskScheduledEventDetails",
            {
                **sqs,
                "region": "us-east-1",
                "parameters": parameters,
                "timeoutInSeconds": 60,
                "heartbeatInSeconds": 30,
            },
        ),
        ("TaskStarted", 9, "taskStartedEventDetails", sqs),
        (
            "TaskSubmitted",
            10,
            "taskSubmittedEventDetails",
            {**sqs, "output": '{"MessageId":"local-1","MD5OfMessageBody":""}'},
        ),
        ("TaskSucceeded", 11, "taskSucceededEventDetails", {**sqs, "output": '{"ok":true}'}),
        ("TaskStateExited", 12, "stateExitedEventDetails", {"name": "Work", "output": done}),
        ("ExecutionSucceeded", 13, "executionSucceededEventDetails", {"output": done}),
    ]
    events = rig.sfn.get_execution_history(arn)
    assert len(events) == len(expected)
    for number, (event, (kind, previous, key, details)) in enumerate(zip(events, expected, strict=True), 1):
        shape = {"timestamp": START, "type": kind, "id": number, "previousEventId": previous}
        if key is not None:
            shape[key] = details
        assert event == shape
        assert list(event) == list(shape)  # key order too
        if key is not None:
            assert details is not None and list(event[key]) == list(details)
    assert rig.sfn.entered_states(arn) == ["Fan", "P", "Work"]


# -- small pieces ---------------------------------------------------------------------------


def test_iso_formats_each_instant_not_the_previous_one() -> None:
    first = datetime(2027, 1, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert iso(first) == "2027-01-01T09:00:00.123Z"
    assert iso(first) == "2027-01-01T09:00:00.123Z"  # cached
    later = first + timedelta(milliseconds=1)
    assert iso(later) == "2027-01-01T09:00:00.124Z"
    same_instant = datetime(2027, 1, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert iso(same_instant) == "2027-01-01T09:00:00.123Z"
    assert iso(first) == "2027-01-01T09:00:00.123Z"


def test_cancelled_timers_are_compacted_without_changing_the_firing_order() -> None:
    clock = VirtualClock(START)
    rng = random.Random(7)
    fired: list[int] = []
    timers = [clock.schedule(rng.choice([0, 5, 5, 60, 3600]), partial(fired.append, i)) for i in range(6000)]
    cancelled = set(rng.sample(range(6000), 5000))
    kept = [i for i in range(6000) if i not in cancelled]
    for i in sorted(cancelled):
        timers[i].cancel()
        timers[i].cancel()  # twice: counted once
    assert clock.pending() == len(kept)
    assert len(clock._timers) < 6000  # compacted along the way
    while (timer := clock.pop_due(None)) is not None:
        timer.callback()
        timer.cancel()  # after firing: nothing to count
    # Same-instant timers fire in scheduling order, earlier instants first.
    assert fired == sorted(kept, key=lambda i: (timers[i].due, i))
    assert clock.pending() == 0


def test_a_cancelled_timer_lets_go_of_its_callback() -> None:
    class Held:
        def run(self) -> None: ...

    clock = VirtualClock(START)
    held = Held()
    ref = weakref.ref(held)
    timer = clock.schedule(3600, held.run)
    del held
    timer.cancel()
    gc.collect()
    assert ref() is None and clock.next_due() is None


JSON_TEXTS = [
    '{"a": 1, "b": [true, null, 2.5, "x"]}',
    "[]",
    '"text"',
    "12",
    " {}",
    "{} ",
    "\n[1]\n",
    "\ufeff{}",
    "",
    " ",
    "{",
    "[1,]",
    "{} x",
    "nul",
    "NaN",
    '{"a": 1}{"b": 2}',
    '"\\ud800"',
]


@pytest.mark.parametrize("text", JSON_TEXTS)
def test_parse_json_is_json_loads(text: str) -> None:
    assert outcome(parse_json, text) == outcome(json.loads, text)


def test_parse_json_leaves_bytes_to_json_loads() -> None:
    assert parse_json(b'{"a": 1}') == {"a": 1}  # type: ignore[arg-type]


def test_new_uuid_is_the_uuid_modules_version_4_text() -> None:
    rig = Rig()
    rng = random.Random(0)
    for _ in range(2000):
        assert rig.sfn.new_uuid() == str(uuid.UUID(int=rng.getrandbits(128), version=4))


def test_task_call_is_an_immutable_record() -> None:
    rig = Rig()
    fields = ("arn:r", {"p": 1}, "token", {"c": 2}, "arn:e", "State", rig.sfn)
    call = TaskCall(*fields)
    assert call == TaskCall(*fields) and repr(call) == repr(TaskCall(*fields))
    with pytest.raises(AttributeError):
        call.resource = "other"  # type: ignore[misc]


def test_ordered_dicts_from_handlers_flow_like_plain_ones(rig: Rig) -> None:
    # A handler result that is a dict subclass goes through the general path reads.
    rig.lambdas.register("od", lambda payload, call: OrderedDict(inner=OrderedDict(v=3)))
    definition = two_step(
        {"FunctionName": "od"}, INVOKE, ResultSelector={"v.$": "$.Payload.inner.v"}, ResultPath="$.r"
    )
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("m", definition), "e", "{}")
    rig.sfn.run_until_idle()
    assert rig.sfn.describe_execution(arn).output == {"r": {"v": 3}}


# -- a state's data flow, composed once per state ----------------------------------------------

ABSENT = object()
FLOW_INPUT = {"a": {"b": 1}, "n": 2, "s": "x"}


def plain_flow(
    raw: Any, input_path: Any, parameters: Any, result: Any, result_path: Any, output_path: Any
) -> Any:
    """InputPath -> Parameters -> (result) -> ResultPath -> OutputPath, step by step."""
    from journeys.runtime.stepfunctions.paths import write_result

    context = {"Execution": {"Name": "e"}}
    if input_path is None:
        value: Any = {}
    else:
        value = plain_read(parse_path("$" if input_path is ABSENT else input_path, "i"), raw, context)
    if parameters is not ABSENT:
        value = plain_resolve(parameters, value, context, str)
    produced = value if result is ABSENT else result
    if result_path is not None:
        path = parse_path("$" if result_path is ABSENT else result_path, "r")
        raw = write_result(raw, path, produced)
    if output_path is None:
        return {}
    return plain_read(parse_path("$" if output_path is ABSENT else output_path, "o"), raw, context)


@pytest.mark.parametrize("input_path", [ABSENT, "$", "$.a", None, "$$.Execution.Name", "$.missing"])
@pytest.mark.parametrize("parameters", [ABSENT, {"got.$": "$", "k": 1}])
@pytest.mark.parametrize("result", [ABSENT, {"r": 1}])
@pytest.mark.parametrize("result_path", [ABSENT, "$", "$.out", "$.a.c", None, "$.s.bad"])
@pytest.mark.parametrize("output_path", [ABSENT, "$", "$.a", None, "$.missing"])
def test_pass_data_flow_matches_the_plain_steps(
    input_path: Any, parameters: Any, result: Any, result_path: Any, output_path: Any
) -> None:
    state: dict[str, Any] = {"Type": "Pass", "End": True}
    for key, value in (
        ("InputPath", input_path),
        ("Parameters", parameters),
        ("Result", result),
        ("ResultPath", result_path),
        ("OutputPath", output_path),
    ):
        if value is not ABSENT:
            state[key] = value
    rig = Rig()
    machine = rig.sfn.create_state_machine("m", {"StartAt": "P", "States": {"P": state}})
    arn = rig.sfn.start_execution(machine, "e", json.dumps(FLOW_INPUT))
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    try:
        expected = plain_flow(FLOW_INPUT, input_path, parameters, result, result_path, output_path)
    except StatesRuntimeError as failure:
        assert (info.status, info.error, info.cause) == ("FAILED", "States.Runtime", failure.cause)
    else:
        assert (info.status, info.output) == ("SUCCEEDED", expected)
