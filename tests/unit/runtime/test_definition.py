"""Malformed or unsupported ASL is rejected at create_state_machine, naming the state and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from journeys.runtime.stepfunctions import AslDefinitionError, placeholders

from .conftest import Rig

BASE: dict[str, Any] = {
    "StartAt": "Send",
    "States": {
        "Send": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "${Queue}", "MessageBody": {"t.$": "$$.Task.Token"}},
            "Retry": [{"ErrorEquals": ["SQS.SdkClientException"]}],
            "Next": "Pick",
        },
        "Pick": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.a", "StringEquals": "x", "Next": "Done"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


def mutated(path: list[str | int], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


CASES = [
    (mutated(["States", "Send", "Type"], "Map"), "States.Send.Type", "Map states are not supported"),
    (mutated(["States", "Send", "Type"], "Dance"), "States.Send.Type", "unknown or unsupported state type"),
    (mutated(["States", "Send", "Colour"], "red"), "States.Send.Colour", "not allowed"),
    (mutated(["States", "Send", "Next"], ...), "States.Send", "exactly one of Next or End"),
    (mutated(["States", "Send", "Next"], "Nowhere"), "States.Send.Next", "names no state"),
    (mutated(["States", "Send", "InputPath"], "$..deep"), "States.Send.InputPath", "unsupported JSONPath"),
    (
        mutated(["States", "Send", "Parameters", "x.$"], "items[0]"),
        "States.Send.Parameters.x.$",
        "must start with '$'",
    ),
    (
        mutated(["States", "Send", "Parameters", "x.$"], "States.Nope($)"),
        "States.Send.Parameters.x.$",
        "unsupported intrinsic",
    ),
    (
        mutated(["States", "Send", "Retry", 0, "ErrorEquals"], ["States.Timout"]),
        "ErrorEquals",
        "unknown Step Functions error",
    ),
    (mutated(["States", "Send", "Retry", 0, "BackoffRate"], 0.5), "BackoffRate", ">= 1.0"),
    (
        mutated(["States", "Send"], {**BASE["States"]["Send"], "TimeoutSeconds": 5, "HeartbeatSeconds": 10}),
        "HeartbeatSeconds",
        "smaller than TimeoutSeconds",
    ),
    (
        mutated(["States", "Send", "Resource"], "arn:aws:states:::sns:publish"),
        "States.Send.Resource",
        "no integration",
    ),
    (mutated(["States", "Pick", "Choices", 0, "StringEquals"], 3), "StringEquals", "needs a string value"),
    (mutated(["States", "Pick", "Choices", 0, "Funky"], 3), "Choices[0]", "exactly one comparison operator"),
    (mutated(["States", "Pick", "Choices", 0, "Next"], ...), "Choices[0]", "needs Next"),
    (mutated(["States", "Orphan"], {"Type": "Succeed"}), "States.Orphan", "not reachable"),
    (mutated(["StartAt"], "Ghost"), "StartAt", "names no state"),
    (mutated(["QueryLanguage"], "JSONata"), "QueryLanguage", "JSONPath"),
    (mutated(["States", "Done", "Assign"], {"x": 1}), "States.Done.Assign", "variables"),
]


@pytest.mark.parametrize(("definition", "where", "message"), CASES)
def test_rejections_name_state_and_field(
    rig: Rig, definition: dict[str, Any], where: str, message: str
) -> None:
    with pytest.raises(AslDefinitionError) as caught:
        rig.sfn.create_state_machine("m", definition, {"Queue": "q"})
    assert where in caught.value.where
    assert message in caught.value.message


def test_malformed_json_is_a_clear_error(rig: Rig) -> None:
    with pytest.raises(AslDefinitionError, match="malformed JSON at line 1"):
        rig.sfn.create_state_machine("m", '{"StartAt": "A", ')


def test_unfilled_placeholder_is_an_error(rig: Rig) -> None:
    with pytest.raises(AslDefinitionError, match=r"\$\{Queue\}"):
        rig.sfn.create_state_machine("m", BASE)
    assert placeholders(str(BASE).replace("'", '"')) == ["Queue"]


def test_duplicate_names_across_branches_are_rejected(rig: Rig) -> None:
    branch = {"StartAt": "Same", "States": {"Same": {"Type": "Succeed"}}}
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": [branch, branch], "End": True}},
    }
    with pytest.raises(AslDefinitionError, match="unique"):
        rig.sfn.create_state_machine("m", definition)


def test_the_base_definition_is_accepted(rig: Rig) -> None:
    assert rig.sfn.create_state_machine("m", BASE, {"Queue": "q"}).endswith(":stateMachine:m")
