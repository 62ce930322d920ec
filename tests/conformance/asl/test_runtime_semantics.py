"""The local runtime's ASL semantics agree with moto's executor on hand-written definitions.

Covers what compiled journeys rarely trigger: Retry with backoff and exhaustion, Catch with
ResultPath, the States.TaskFailed wildcard, Parallel failure, every data-flow field, intrinsics
and the context object. Tasks are SQS callbacks answered per attempt, the same way on both sides.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from journeys.runtime.stepfunctions import (
    LambdaFunctions,
    LocalStepFunctions,
    SqsQueues,
    TaskDoesNotExist,
    substitute,
)

from .moto_driver import ROLE, MotoWorld, moto_world
from .scenarios import Answer

REGION = "us-east-1"
OK = Answer(output={"done": True, "n": 3})


def task(node: str, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "${Queue}", "MessageBody": {"taskToken.$": "$$.Task.Token", "node": node}},
        **extra,
    }


CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, list[Answer]]]] = {
    "retry-then-succeed": (
        {
            "StartAt": "Work",
            "States": {
                "Work": {
                    "Type": "Task",
                    # A Lambda, not a callback: moto reuses one task token across the retries of a
                    # callback task, so its retried callbacks see the previous attempt's answer.
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "${Flaky}", "Payload": {"failures": 2}},
                    "Retry": [
                        {"ErrorEquals": ["OtherError"], "MaxAttempts": 1},
                        {
                            "ErrorEquals": ["FlakyError"],
                            "IntervalSeconds": 1,
                            "MaxAttempts": 3,
                            "BackoffRate": 1.5,
                        },
                    ],
                    "ResultSelector": {"n.$": "$.Payload.n", "static": "yes"},
                    "ResultPath": "$.result",
                    "OutputPath": "$.result",
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        },
        {"who": "acme"},
        {},
    ),
    "lambda-retries-exhausted": (
        {
            "StartAt": "Work",
            "States": {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "${Flaky}", "Payload": {"failures": 5}},
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["FlakyError"], "ResultPath": "$.error", "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        },
        {"who": "acme"},
        {},
    ),
    "retry-exhausted-then-caught": (
        {
            "StartAt": "Work",
            "States": {
                "Work": task(
                    "work",
                    Retry=[{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                    Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Describe"}],
                    End=True,
                ),
                "Describe": {
                    "Type": "Pass",
                    "Parameters": {
                        "summary.$": "States.Format('{} failed in {} ({})', $$.Execution.Name, $$.State.Name, $.error.Error)",
                        "parsed.$": "States.StringToJson($.raw)",
                        "text.$": "States.JsonToString($.error)",
                        "both.$": "States.Array($.who, $.error.Cause)",
                        "execution.$": "$$.Execution.Id",
                        "input.$": "$$.Execution.Input.who",
                        "machine.$": "$$.StateMachine.Name",
                    },
                    "ResultPath": "$.report",
                    "Next": "Stop",
                },
                "Stop": {"Type": "Fail", "Error": "Done.Failing", "Cause": "on purpose"},
            },
        },
        {"who": "acme", "raw": '{"k": [1, 2]}'},
        {"work": [Answer("failure", error="Custom.Broken", cause="c")] * 3},
    ),
    "task-failed-does-not-catch-timeouts": (
        {
            "StartAt": "Work",
            "States": {
                "Work": task(
                    "work",
                    TimeoutSeconds=30,
                    Catch=[
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"},
                        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "Timed out"},
                    ],
                    End=True,
                ),
                "Failed": {"Type": "Succeed"},
                "Timed out": {"Type": "Pass", "OutputPath": "$.timeout", "End": True},
            },
        },
        {"who": "acme"},
        {"work": [Answer("timeout")]},
    ),
    "parallel-branch-failure-caught": (
        {
            "StartAt": "Fan out",
            "States": {
                "Fan out": {
                    "Type": "Parallel",
                    "Parameters": {"who.$": "$.who"},
                    "Branches": [
                        {"StartAt": "Left", "States": {"Left": task("left", ResultPath=None, End=True)}},
                        {
                            "StartAt": "Right",
                            "States": {
                                "Right": task("right", ResultPath=None, Next="Check"),
                                "Check": {
                                    "Type": "Choice",
                                    "Choices": [
                                        {"Variable": "$.who", "StringEquals": "acme", "Next": "Boom"}
                                    ],
                                    "Default": "Fine",
                                },
                                "Boom": {"Type": "Fail", "Error": "Branch.Broke", "Cause": "right side"},
                                "Fine": {"Type": "Succeed"},
                            },
                        },
                    ],
                    "Catch": [
                        {"ErrorEquals": ["Branch.Broke"], "ResultPath": "$.caught", "Next": "Recovered"}
                    ],
                    "End": True,
                },
                "Recovered": {"Type": "Pass", "InputPath": "$.caught", "End": True},
            },
        },
        {"who": "acme", "drop": [1]},
        {"left": [OK], "right": [OK]},
    ),
    "parallel-results-and-choices": (
        {
            "StartAt": "Fan out",
            "States": {
                "Fan out": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "End": True}}},
                        {"StartAt": "B", "States": {"B": task("b", ResultSelector={"n.$": "$.n"}, End=True)}},
                    ],
                    "ResultPath": "$.branches",
                    "Next": "Collect",
                },
                # No `$.branches[0].x`: moto answers `[1]` for a path with a field after an index,
                # where Step Functions answers 1. A path ending in an index agrees on both (the
                # compiler only emits those: `$.split.cohorts[0]`).
                "Collect": {
                    "Type": "Pass",
                    "Parameters": {"first.$": "$.branches[0]", "second.$": "$.branches[1]"},
                    "ResultPath": "$.fan",
                    "Next": "Wait a bit",
                },
                "Wait a bit": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "Wait until"},
                "Wait until": {"Type": "Wait", "TimestampPath": "$.at", "Next": "Pick"},
                "Pick": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.fan.second.n", "NumericGreaterThan": 2},
                                {"Not": {"Variable": "$.tags['a b']", "StringMatches": "x*z"}},
                                {"Variable": "$.flag", "BooleanEquals": False},
                                {"Variable": "$.when", "TimestampLessThan": "2030-01-01T00:00:00Z"},
                                {"Variable": "$.missing", "IsPresent": False},
                                {"Variable": "$.nothing", "IsNull": True},
                            ],
                            "Next": "Yes",
                        }
                    ],
                    "Default": "No",
                },
                "Yes": {
                    "Type": "Pass",
                    "Parameters": {"fan.$": "$.fan", "tag.$": "$.tags['a b']"},
                    "End": True,
                },
                "No": {"Type": "Fail", "Error": "Choice.Wrong"},
            },
        },
        {
            "delay": 5,
            "at": "2020-01-01T00:00:00Z",
            "tags": {"a b": "xyy"},
            "flag": False,
            "when": "2026-05-01T10:00:00Z",
            "nothing": None,
        },
        {"b": [OK]},
    ),
}


class FlakyError(Exception):
    """What the flaky function raises before it succeeds."""


def flaky() -> Callable[[Any], Any]:
    """A function failing its first `failures` calls (a fresh counter per run)."""
    calls = [0]

    def function(payload: Any) -> Any:
        calls[0] += 1
        if calls[0] <= payload["failures"]:
            raise FlakyError(f"call {calls[0]} failed")
        return {"n": 3, "calls": calls[0]}

    return function


def run_local(
    name: str, definition: dict[str, Any], data: Any, answers: dict[str, list[Answer]]
) -> dict[str, Any]:
    sfn = LocalStepFunctions(start=datetime(2027, 1, 1, tzinfo=UTC))
    queues = SqsQueues()
    lambdas = LambdaFunctions()
    function = flaky()
    lambdas.register("flaky", lambda payload, call: function(payload))
    sfn.register_integration("arn:aws:states:::sqs:sendMessage.waitForTaskToken", queues)
    sfn.register_integration("arn:aws:states:::lambda:invoke", lambdas)
    attempts: dict[str, int] = {}

    def pump() -> bool:
        batch = queues.receive("local://queue", 100)
        for message in batch:
            body = message.json()
            answer = _next(answers, attempts, body["node"])
            try:
                if answer.kind == "success":
                    sfn.send_task_success(body["taskToken"], json.dumps(answer.output))
                elif answer.kind == "failure":
                    sfn.send_task_failure(body["taskToken"], answer.error, answer.cause)
            except TaskDoesNotExist:
                pass
        return bool(batch)

    sfn.add_idle_hook(pump)
    values = {"Queue": "local://queue", "Flaky": "flaky"}
    machine = sfn.create_state_machine(f"semantics-{name}", json.dumps(definition), values)
    arn = sfn.start_execution(machine, "run-1", json.dumps(data))
    sfn.run_until_idle()
    info = sfn.describe_execution(arn)
    return {
        "status": info.status,
        "output": info.output,
        "error": info.error,
        "cause": info.cause,
        "entered": sfn.entered_states(arn),
    }


def _next(answers: dict[str, list[Answer]], attempts: dict[str, int], node: str) -> Answer:
    index = attempts.get(node, 0)
    attempts[node] = index + 1
    return answers[node][min(index, len(answers[node]) - 1)]


def run_moto(
    world: MotoWorld, name: str, definition: dict[str, Any], data: Any, answers: dict[str, list[Answer]]
) -> dict[str, Any]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=f"semantics-{name}")["QueueUrl"]
    text = substitute(json.dumps(definition), {"Queue": url, "Flaky": world.function("flaky", flaky())})
    machine = world.sfn.create_state_machine(name=f"semantics-{name}", definition=text, roleArn=ROLE)[
        "stateMachineArn"
    ]
    arn = world.sfn.start_execution(stateMachineArn=machine, name="run-1", input=json.dumps(data))[
        "executionArn"
    ]
    attempts: dict[str, int] = {}
    deadline = time.monotonic() + 20
    while True:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(message["Body"])
            world.respond(body["taskToken"], _next(answers, attempts, body["node"]))
        info = world.sfn.describe_execution(executionArn=arn)
        if info["status"] != "RUNNING":
            break
        assert time.monotonic() < deadline, "moto execution did not finish"
        time.sleep(0.002)
    events = world.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return {
        "status": info["status"],
        "output": json.loads(info["output"]) if info.get("output") else None,
        "error": info.get("error"),
        "cause": info.get("cause"),
        "entered": [
            e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")
        ],
    }


@pytest.fixture(scope="module")
def world() -> Iterator[MotoWorld]:
    with moto_world({}) as world:
        yield world


@pytest.mark.parametrize("case", sorted(CASES))
def test_local_semantics_match_moto(case: str, world: MotoWorld) -> None:
    definition, data, answers = CASES[case]
    local = run_local(case, definition, data, answers)
    moto = run_moto(world, case, definition, data, answers)
    # Both name the execution "run-1" under the same default account and region, so even
    # $$.Execution.Id matches; branches interleave differently, so compare them as sets.
    assert local["status"] == moto["status"]
    assert local["output"] == moto["output"]
    assert (local["error"], local["cause"]) == (moto["error"], moto["cause"])
    assert sorted(local["entered"]) == sorted(moto["entered"])
    assert local["entered"][0] == moto["entered"][0]
