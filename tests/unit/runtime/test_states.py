"""Pass, Choice, Wait, Succeed, Fail and the data flow fields, on virtual time."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from journeys.runtime.stepfunctions import ExecutionAlreadyExists, InvalidName, LocalStepFunctions

from .conftest import START, Rig


def run(sfn: LocalStepFunctions, definition: dict[str, Any], data: Any, name: str = "e1") -> str:
    arn = sfn.create_state_machine("m", definition)
    execution = sfn.start_execution(arn, name, json.dumps(data))
    sfn.run_until_idle()
    return execution


def test_pass_data_flow_with_context_and_intrinsics(rig: Rig) -> None:
    definition = {
        "StartAt": "Shape",
        "States": {
            "Shape": {
                "Type": "Pass",
                "InputPath": "$.order",
                "Parameters": {
                    "id.$": "$.id",
                    "label.$": "States.Format('order {} of {}', $.id, $$.Execution.Name)",
                    "parsed.$": "States.StringToJson($.raw)",
                    "text.$": "States.JsonToString($.items)",
                    "pair.$": "States.Array($.id, 'x')",
                    "state.$": "$$.State.Name",
                    "static": {"nested.$": "$.items[1]"},
                },
                "ResultPath": "$.shaped",
                "Next": "Out",
            },
            "Out": {"Type": "Pass", "OutputPath": "$.shaped", "End": True},
        },
    }
    data = {"order": {"id": 7, "raw": '{"a": [1, 2]}', "items": [1, "two"]}}
    arn = run(rig.sfn, definition, data)
    out = rig.sfn.describe_execution(arn)
    assert out.status == "SUCCEEDED"
    assert out.output == {
        "id": 7,
        "label": "order 7 of e1",
        "parsed": {"a": [1, 2]},
        "text": '[1,"two"]',
        "pair": [7, "x"],
        "state": "Shape",
        "static": {"nested": "two"},
    }
    assert rig.sfn.entered_states(arn) == ["Shape", "Out"]
    assert out.transitions == 2


def test_result_path_null_and_result_literal(rig: Rig) -> None:
    definition = {
        "StartAt": "Drop",
        "States": {
            "Drop": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": None, "Next": "Keep"},
            "Keep": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a.b", "End": True},
        },
    }
    arn = run(rig.sfn, definition, {"k": 1})
    assert rig.sfn.describe_execution(arn).output == {"k": 1, "a": {"b": {"x": 1}}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"n": 5, "s": "Acme Corp", "b": True}, "Big"),
        ({"n": 1, "s": "Acme Corp", "b": True}, "Named"),
        ({"n": 1, "s": "Other", "b": False, "t": "2027-01-02T00:00:00Z"}, "Later"),
        ({"n": 1, "s": "Other", "b": True}, "Fallback"),
        ({"n": "5", "s": "Other", "b": True}, "Fallback"),  # a string is not numeric: no match, no error
    ],
)
def test_choice_rules(rig: Rig, value: dict[str, Any], expected: str) -> None:
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.n", "IsNumeric": True},
                            {"Variable": "$.n", "NumericGreaterThanEquals": 5},
                        ],
                        "Next": "Big",
                    },
                    {"Variable": "$.s", "StringMatches": "Acme*", "Next": "Named"},
                    {
                        "And": [
                            {"Variable": "$.t", "IsPresent": True},
                            {"Not": {"Variable": "$.b", "BooleanEquals": True}},
                            {"Variable": "$.t", "TimestampGreaterThan": "2027-01-01T00:00:00Z"},
                        ],
                        "Next": "Later",
                    },
                ],
                "Default": "Fallback",
            },
            "Big": {"Type": "Succeed"},
            "Named": {"Type": "Succeed"},
            "Later": {"Type": "Succeed"},
            "Fallback": {"Type": "Succeed"},
        },
    }
    arn = run(rig.sfn, definition, value)
    assert rig.sfn.entered_states(arn) == ["Pick", expected]


def test_choice_on_missing_variable_is_a_runtime_error_and_no_match_fails(rig: Rig) -> None:
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.missing", "StringEquals": "x", "Next": "Done"}],
            },
            "Done": {"Type": "Succeed"},
        },
    }
    arn = run(rig.sfn, definition, {})
    info = rig.sfn.describe_execution(arn)
    assert (info.status, info.error) == ("FAILED", "States.Runtime")
    arn = rig.sfn.start_execution(
        rig.sfn.create_state_machine("m", definition), "e2", json.dumps({"missing": "y"})
    )
    rig.sfn.run_until_idle()
    assert rig.sfn.describe_execution(arn).error == "States.NoChoiceMatched"


def test_waits_jump_virtual_time(rig: Rig) -> None:
    definition = {
        "StartAt": "Ninety days",
        "States": {
            "Ninety days": {"Type": "Wait", "Seconds": 90 * 86400, "Next": "Until date"},
            "Until date": {"Type": "Wait", "Timestamp": "2027-06-01T00:00:00Z", "Next": "By path"},
            "By path": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "To stamp"},
            "To stamp": {"Type": "Wait", "TimestampPath": "$.at", "End": True},
        },
    }
    arn = run(rig.sfn, definition, {"delay": 3600, "at": "2027-06-03T00:00:00Z"})
    info = rig.sfn.describe_execution(arn)
    assert info.status == "SUCCEEDED"
    assert info.stop_date is not None
    assert info.stop_date.isoformat() == "2027-06-03T00:00:00+00:00"
    events = rig.sfn.get_execution_history(arn)
    entered = {
        e["stateEnteredEventDetails"]["name"]: e["timestamp"]
        for e in events
        if e["type"] == "WaitStateEntered"
    }
    assert entered["Until date"] - entered["Ninety days"] == timedelta(days=90)


def test_run_until_stops_the_clock_at_the_limit(rig: Rig) -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("m", definition), "e", "{}")
    assert rig.sfn.run(until=timedelta(seconds=99)) == START + timedelta(seconds=99)
    assert rig.sfn.describe_execution(arn).status == "RUNNING"
    rig.sfn.run(until=timedelta(seconds=1))
    assert rig.sfn.describe_execution(arn).status == "SUCCEEDED"


def test_fail_state_with_paths(rig: Rig) -> None:
    definition = {
        "StartAt": "Boom",
        "States": {
            "Boom": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('because {}', $.c)"}
        },
    }
    info = rig.sfn.describe_execution(run(rig.sfn, definition, {"e": "Custom.Error", "c": "reasons"}))
    assert (info.status, info.error, info.cause) == ("FAILED", "Custom.Error", "because reasons")


def test_start_execution_is_idempotent_per_name(rig: Rig) -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    machine = rig.sfn.create_state_machine("m", definition)
    first = rig.sfn.start_execution(machine, "entry-1", '{"a": 1}')
    assert rig.sfn.start_execution(machine, "entry-1", '{ "a" : 1 }') == first
    with pytest.raises(ExecutionAlreadyExists):
        rig.sfn.start_execution(machine, "entry-1", '{"a": 2}')
    rig.sfn.run_until_idle()
    with pytest.raises(ExecutionAlreadyExists):  # closed: SFN refuses the name even with the same input
        rig.sfn.start_execution(machine, "entry-1", '{"a": 1}')


def test_stop_execution_cancels_timers(rig: Rig) -> None:
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("m", definition), "e", "{}")
    rig.sfn.run_ready()
    rig.sfn.stop_execution(arn, error="Stop", cause="user")
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert (info.status, info.error) == ("ABORTED", "Stop")
    assert rig.sfn.clock.now == START
    assert [e["type"] for e in rig.sfn.get_execution_history(arn)][-1] == "ExecutionAborted"


def test_execution_timeout(rig: Rig) -> None:
    definition = {
        "TimeoutSeconds": 60,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}},
    }
    info = rig.sfn.describe_execution(run(rig.sfn, definition, {}))
    assert (info.status, info.error) == ("TIMED_OUT", "States.Timeout")
    assert info.stop_date == START + timedelta(seconds=60)


@pytest.mark.parametrize("name", ["", "a" * 81, "has space", "acct:1", "x/y", "tab\there"])
def test_names_step_functions_refuses_are_refused(rig: Rig, name: str) -> None:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    with pytest.raises(InvalidName):
        rig.sfn.create_state_machine(name, definition)
    machine = rig.sfn.create_state_machine("fine-name_1", definition)
    with pytest.raises(InvalidName):
        rig.sfn.start_execution(machine, name or "a b", "{}")
