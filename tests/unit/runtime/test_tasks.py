"""Tasks: request-response and callback integrations, timeouts, heartbeats, Retry, Catch, Parallel."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from journeys.runtime.stepfunctions import (
    InvalidToken,
    LocalStepFunctions,
    TaskCall,
    TaskDoesNotExist,
    TaskFailure,
    TaskTimedOut,
)

from .conftest import START, Rig

SEND = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
INVOKE = "arn:aws:states:::lambda:invoke"


def callback_task(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": SEND,
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token", "who.$": "$.who"}},
        **extra,
    }


def one_task(sfn: LocalStepFunctions, task: dict[str, Any], data: Any = None) -> str:
    states: dict[str, Any] = {
        "Work": {**task, "Next": "Done"} if "Next" not in task else task,
        "Done": {"Type": "Succeed"},
    }
    for catcher in task.get("Catch", []):
        states.setdefault(catcher["Next"], {"Type": "Pass", "End": True})
    arn = sfn.create_state_machine("m", {"StartAt": "Work", "States": states})
    return sfn.start_execution(arn, "e", json.dumps(data if data is not None else {"who": "acme"}))


def test_callback_success_sets_result(rig: Rig) -> None:
    arn = one_task(rig.sfn, callback_task(ResultPath="$.answer"))
    rig.sfn.run_ready()
    (message,) = rig.queues.receive("q")
    assert message.json() == {"token": message.task_token, "who": "acme"}
    assert rig.sfn.describe_execution(arn).status == "RUNNING"
    assert message.task_token is not None
    rig.sfn.send_task_success(message.task_token, json.dumps({"applied": 3}))
    with pytest.raises(TaskDoesNotExist):
        rig.sfn.send_task_success(message.task_token, "{}")
    with pytest.raises(InvalidToken):
        rig.sfn.send_task_success("nope", "{}")
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert (info.status, info.output) == ("SUCCEEDED", {"who": "acme", "answer": {"applied": 3}})
    types = [e["type"] for e in rig.sfn.get_execution_history(arn)]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]


def test_timeout_is_caught_after_virtual_time(rig: Rig) -> None:
    task = callback_task(
        TimeoutSeconds=7 * 86400,
        Catch=[{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Timed out"}],
    )
    arn = one_task(rig.sfn, task)
    rig.sfn.run_until_idle()
    (message,) = rig.queues.receive("q")
    info = rig.sfn.describe_execution(arn)
    assert info.status == "SUCCEEDED"
    assert info.output == {"who": "acme", "error": {"Error": "States.Timeout", "Cause": ""}}
    assert rig.sfn.clock.now == START + timedelta(days=7)
    assert message.task_token is not None
    with pytest.raises(TaskTimedOut):
        rig.sfn.send_task_success(message.task_token, "{}")


def test_heartbeat_keeps_the_task_alive_then_times_out(rig: Rig) -> None:
    task = callback_task(
        TimeoutSeconds=1000,
        HeartbeatSeconds=100,
        Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Lost"}],
    )
    arn = one_task(rig.sfn, task)
    rig.sfn.run_ready()
    (message,) = rig.queues.receive("q")
    assert message.task_token is not None
    rig.sfn.run(until=timedelta(seconds=90))
    rig.sfn.send_task_heartbeat(message.task_token)
    rig.sfn.run(until=timedelta(seconds=90))
    assert rig.sfn.describe_execution(arn).status == "RUNNING"
    rig.sfn.run_until_idle()
    assert rig.sfn.entered_states(arn) == ["Work", "Lost"]
    assert rig.sfn.clock.now == START + timedelta(seconds=190)


def test_retry_backoff_then_catch(rig: Rig) -> None:
    attempts: list[str] = []

    def flaky(payload: Any, call: TaskCall) -> Any:
        attempts.append(call.runtime.clock.now.isoformat())
        raise TaskFailure("Lambda.TooManyRequestsException", "slow down")

    rig.lambdas.register("fn", flaky)
    task = {
        "Type": "Task",
        "Resource": INVOKE,
        "Parameters": {"FunctionName": "fn", "Payload.$": "$"},
        "Retry": [
            {"ErrorEquals": ["Custom.Never"], "MaxAttempts": 5},
            {
                "ErrorEquals": ["Lambda.TooManyRequestsException"],
                "IntervalSeconds": 2,
                "BackoffRate": 3,
                "MaxAttempts": 3,
            },
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recorded"}],
    }
    arn = one_task(rig.sfn, task)
    rig.sfn.run_until_idle()
    # 2, 6, 18 seconds between attempts: IntervalSeconds * BackoffRate ** n
    assert [a[17:19] for a in attempts] == ["00", "02", "08", "26"]
    info = rig.sfn.describe_execution(arn)
    assert info.output == {
        "who": "acme",
        "failure": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"},
    }
    assert rig.sfn.entered_states(arn) == ["Work", "Recorded"]
    assert info.transitions == 2 + 3  # two states entered, three retries


def test_task_failed_wildcard_does_not_catch_timeouts(rig: Rig) -> None:
    task = callback_task(TimeoutSeconds=5, Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}])
    arn = one_task(rig.sfn, task)
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert (info.status, info.error) == ("FAILED", "States.Timeout")


def test_send_task_failure_routes_custom_error(rig: Rig) -> None:
    task = callback_task(Catch=[{"ErrorEquals": ["Journeys.ActionFailed"], "Next": "Caught"}])
    arn = one_task(rig.sfn, task)
    rig.sfn.run_ready()
    (message,) = rig.queues.receive("q")
    assert message.task_token is not None
    rig.sfn.send_task_failure(message.task_token, "Journeys.ActionFailed", "bad params")
    rig.sfn.run_until_idle()
    assert rig.sfn.entered_states(arn) == ["Work", "Caught"]


def test_handler_may_answer_synchronously(rig: Rig) -> None:
    def answer_now(payload: Any, call: TaskCall) -> Any:
        assert call.task_token is not None
        call.runtime.send_task_success(call.task_token, json.dumps({"event": "seen"}))
        return None

    rig.lambdas.register("listener", answer_now)
    task = {
        "Type": "Task",
        "Resource": INVOKE + ".waitForTaskToken",
        "Parameters": {"FunctionName": "listener", "Payload": {"token.$": "$$.Task.Token"}},
        "TimeoutSeconds": 60,
    }
    arn = one_task(rig.sfn, task)
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert (info.status, info.output) == ("SUCCEEDED", {"event": "seen"})
    assert rig.sfn.clock.now == START


def test_parallel_collects_branch_outputs_in_order(rig: Rig) -> None:
    definition = {
        "StartAt": "Fan out",
        "States": {
            "Fan out": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Slow",
                        "States": {
                            "Slow": {"Type": "Wait", "Seconds": 50, "Next": "A"},
                            "A": {"Type": "Pass", "Result": "a", "End": True},
                        },
                    },
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
                ],
                "ResultPath": "$.results",
                "Next": "Joined",
            },
            "Joined": {"Type": "Succeed"},
        },
    }
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("m", definition), "e", "{}")
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert info.output == {"results": ["a", "b"]}
    assert rig.sfn.entered_states(arn) == ["Fan out", "Slow", "B", "A", "Joined"]


def test_parallel_branch_failure_cancels_siblings_and_is_caught(rig: Rig) -> None:
    definition = {
        "StartAt": "Fan out",
        "States": {
            "Fan out": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Hold", "States": {"Hold": {**callback_task(), "End": True}}},
                    {
                        "StartAt": "Break",
                        "States": {"Break": {"Type": "Fail", "Error": "Branch.Broke", "Cause": "x"}},
                    },
                ],
                "Catch": [{"ErrorEquals": ["Branch.Broke"], "ResultPath": "$.error", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Succeed"},
        },
    }
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("m", definition), "e", '{"who": "x"}')
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert info.output == {"who": "x", "error": {"Error": "Branch.Broke", "Cause": "x"}}
    assert rig.sfn.pending_tokens() == []
    (message,) = rig.queues.receive("q")
    assert message.task_token is not None
    with pytest.raises(TaskDoesNotExist):
        rig.sfn.send_task_success(message.task_token, "{}")


def test_thousands_of_executions_in_one_process(rig: Rig) -> None:
    definition = {
        "StartAt": "Notify",
        "States": {
            "Notify": {**callback_task(TimeoutSeconds=86400), "ResultPath": None, "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 30 * 86400, "End": True},
        },
    }
    machine = rig.sfn.create_state_machine("m", definition)
    arns = [rig.sfn.start_execution(machine, f"e{i}", json.dumps({"who": i})) for i in range(3000)]

    def consume() -> bool:
        batch = rig.queues.receive("q", 500)
        for message in batch:
            assert message.task_token is not None
            rig.sfn.send_task_success(message.task_token, "{}")
        return bool(batch)

    rig.sfn.add_idle_hook(consume)
    rig.sfn.run_until_idle()
    statuses = {rig.sfn.describe_execution(a).status for a in arns}
    assert statuses == {"SUCCEEDED"}
    assert rig.sfn.clock.now == START + timedelta(days=30)
    assert rig.sfn.transitions == 6000


def test_a_python_exception_in_a_lambda_is_a_task_error_named_by_its_type(rig: Rig) -> None:
    def broken(payload: Any, call: TaskCall) -> Any:
        raise KeyError("cohort")

    rig.lambdas.register("fn", broken)
    task = {
        "Type": "Task",
        "Resource": INVOKE,
        "Parameters": {"FunctionName": "fn"},
        "Catch": [{"ErrorEquals": ["KeyError"], "ResultPath": "$.error", "Next": "Caught"}],
    }
    arn = one_task(rig.sfn, task)
    rig.sfn.run_until_idle()
    assert rig.sfn.describe_execution(arn).output == {
        "who": "acme",
        "error": {
            "Error": "KeyError",
            "Cause": json.dumps({"errorMessage": "'cohort'", "errorType": "KeyError"}, separators=(",", ":")),
        },
    }


def test_closed_tokens_lists_answered_and_timed_out_tasks(rig: Rig) -> None:
    arn = one_task(rig.sfn, callback_task(TimeoutSeconds=10))
    rig.sfn.run_ready()
    (token,) = rig.sfn.pending_tokens(arn)
    assert token not in rig.sfn.closed_tokens()
    rig.sfn.run_until_idle()
    assert token in rig.sfn.closed_tokens()
    assert rig.sfn.pending_tokens() == []


def test_a_handler_that_answers_then_raises_fails_the_task_once(rig: Rig) -> None:
    def confused(payload: Any, call: TaskCall) -> Any:
        assert call.task_token is not None
        call.runtime.send_task_success(call.task_token, "{}")
        raise TaskFailure("Listener.Broken", "after answering")

    rig.lambdas.register("listener", confused)
    task = {
        "Type": "Task",
        "Resource": INVOKE + ".waitForTaskToken",
        "Parameters": {"FunctionName": "listener"},
        "Catch": [{"ErrorEquals": ["Listener.Broken"], "Next": "Caught"}],
    }
    arn = one_task(rig.sfn, task)
    rig.sfn.run_until_idle()
    assert rig.sfn.entered_states(arn) == ["Work", "Caught"]
    assert [e["type"] for e in rig.sfn.get_execution_history(arn)].count("TaskSucceeded") == 0
