"""JSONPath subset, ResultPath writes, and intrinsic functions."""

from __future__ import annotations

from typing import Any

import pytest

from journeys.runtime.stepfunctions import AslDefinitionError, StatesRuntimeError, TaskFailure
from journeys.runtime.stepfunctions.intrinsics import EvalEnv, evaluate, parse_intrinsic
from journeys.runtime.stepfunctions.paths import parse_path, write_result

DATA = {"a": {"b c": [1, {"d": "x"}]}, "n": 2, "s": "it's"}
CONTEXT = {"Execution": {"Name": "e-1"}}


def run(expression: str, data: Any = DATA) -> Any:
    return evaluate(parse_intrinsic(expression, "test"), EvalEnv(data, CONTEXT, lambda: "uuid-1"))


@pytest.mark.parametrize(
    ("path", "value"),
    [("$", DATA), ("$.n", 2), ("$.a['b c'][1].d", "x"), ("$.a['b c'][-2]", 1), ("$$.Execution.Name", "e-1")],
)
def test_reference_paths_read_values(path: str, value: Any) -> None:
    assert parse_path(path, "here").read(DATA, CONTEXT) == value


def test_missing_values_are_runtime_errors_and_bad_paths_definition_errors() -> None:
    with pytest.raises(StatesRuntimeError, match=r"\$\.a\.missing"):
        parse_path("$.a.missing", "here").read(DATA, CONTEXT)
    for bad in ("a.b", "$.a[*]", "$..a", "$.a[?(@.x)]"):
        with pytest.raises(AslDefinitionError, match="here"):
            parse_path(bad, "here")


def test_result_path_writes_into_a_copy() -> None:
    data = {"x": {"y": 1}}
    out = write_result(data, parse_path("$.x.z", "r"), 5)
    assert out == {"x": {"y": 1, "z": 5}} and data == {"x": {"y": 1}}
    assert write_result(data, parse_path("$", "r"), 5) == 5
    assert write_result(data, None, 5) is data


def test_intrinsics() -> None:
    assert run("States.Format('{} has {} \\{ok\\}', $.s, $.n)") == "it's has 2 {ok}"
    assert run("States.Format('it\\'s {}', $$.Execution.Name)") == "it's e-1"
    assert run("States.StringToJson('[1, null]')") == [1, None]
    assert run("States.JsonToString($.a)") == '{"b c":[1,{"d":"x"}]}'
    assert run("States.Array($.n, 'x', null, true, -1.5)") == [2, "x", None, True, -1.5]
    assert run("States.UUID()") == "uuid-1"
    assert run("States.ArrayLength(States.Array(1, 2))") == 2
    assert run("States.ArrayGetItem($.a['b c'], 0)") == 1
    assert run("States.ArrayContains(States.Array(1, 2), 2)") is True
    assert run("States.MathAdd($.n, 3)") == 5


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("States.Nope(1)", "unsupported intrinsic function States.Nope"),
        ("States.Format('x'", "expected ',' or ')'"),
        ("States.Format('x)", "unterminated string"),
        ("States.Array(1) trailing", "unexpected text"),
        ("States.Array(@)", "expected an argument"),
    ],
)
def test_bad_intrinsics_are_definition_errors(expression: str, message: str) -> None:
    with pytest.raises(AslDefinitionError) as caught:
        parse_intrinsic(expression, "test")
    assert message in caught.value.message


@pytest.mark.parametrize(
    "expression",
    [
        "States.StringToJson('{')",
        "States.Format('{} {}', 1)",
        "States.MathAdd(1, 'x')",
        "States.ArrayGetItem(States.Array(), 0)",
    ],
)
def test_bad_arguments_fail_the_state(expression: str) -> None:
    with pytest.raises(TaskFailure) as caught:
        run(expression)
    assert caught.value.error == "States.IntrinsicFailure"
