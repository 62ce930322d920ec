"""The boto3 adapters of the API's ports against moto: publishing state machines, reference data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from journeys.api.aws import SfnStateMachines, machine_name, reference_loader
from journeys.runtime.stepfunctions.errors import AslDefinitionError

REGION = "us-east-1"
PREFIX = "arn:aws:states:us-east-1:123456789012:stateMachine:stack-"
ROLE = "arn:aws:iam::123456789012:role/journeys-execution"
ASL: dict[str, Any] = {
    "StartAt": "Send",
    "States": {"Send": {"Type": "Pass", "Parameters": {"QueueUrl": "${SendEmailQueueUrl}"}, "End": True}},
}


@pytest.fixture
def sfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("stepfunctions", region_name=REGION)


def _machines(sfn: Any, substitutions: dict[str, str] | None = None) -> SfnStateMachines:
    values = substitutions if substitutions is not None else {"SendEmailQueueUrl": "https://sqs.example/q"}
    return SfnStateMachines(client=sfn, role_arn=ROLE, arn_prefix=PREFIX, substitutions=lambda: values)


def test_deploy_creates_then_updates_and_publishes_versions_with_substitutions(sfn: Any) -> None:
    machines = _machines(sfn)
    assert machines.deploy("welcome", ASL, 1) == f"{PREFIX}welcome:1"
    assert machines.deploy("welcome", ASL, 2) == f"{PREFIX}welcome:2"
    described = sfn.describe_state_machine(stateMachineArn=f"{PREFIX}welcome")
    assert described["roleArn"] == ROLE and described["type"] == "STANDARD"
    definition = json.loads(described["definition"])
    assert definition["States"]["Send"]["Parameters"]["QueueUrl"] == "https://sqs.example/q"
    tags = sfn.list_tags_for_resource(resourceArn=f"{PREFIX}welcome")["tags"]
    assert {"key": "journey", "value": "welcome"} in tags


def test_deploy_refuses_a_definition_with_an_unfilled_placeholder(sfn: Any) -> None:
    with pytest.raises(AslDefinitionError):
        _machines(sfn, substitutions={}).deploy("welcome", ASL, 1)
    assert sfn.list_state_machines()["stateMachines"] == []


def test_machine_names_stay_under_the_stack_prefix_and_80_characters() -> None:
    assert machine_name(PREFIX, "welcome") == "stack-welcome"
    long = machine_name(PREFIX, "x" * 200)
    assert len(long) == 80 and long.startswith("stack-")


def test_reference_data_comes_from_the_parameter_or_is_empty() -> None:
    data = {
        "scores": ["Person Score"],
        "destinations": [{"id": "li", "name": "LI", "url": "https://h.example"}],
    }
    assert reference_loader("/rd", fetch=lambda name: data)().scores == ["Person Score"]
    assert reference_loader(None)().scores == []

    def missing(name: str) -> Any:
        raise KeyError(name)

    assert reference_loader("/rd", fetch=missing)().destinations == []
