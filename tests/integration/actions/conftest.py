"""Fault-test rig: moto DynamoDB (table from template.yaml), SES v2, SNS, EventBridge, Step Functions.

The pipeline runs with the real boto3 adapters; SQS delivery is simulated by calling the handler
with the same records again, as Lambda does after a failure or a crash.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.ses.models import ses_backends

from journeys.connectors.messaging import EventBridgePublisher, SesEmailSender, SnsSmsSender
from journeys.executors import ExecutionContext, FixedClock, RecordingJourneyStarter
from journeys.executors.base import ReferenceData
from journeys.handlers.actions import ActionPipeline
from journeys.handlers.stepfunctions import StepFunctionsTaskResponder
from journeys.model.dataset import DataSet
from journeys.store.dynamodb import DynamoStore
from journeys.store.repository import Store
from tests.support.moto import fake_credentials, serialize_moto
from tests.support.tables import create_table
from tests.unit.executors.world import DATA, NOW, seed_world

TABLE = "JourneysTable"
REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account
SENDER = "journeys@example.com"
COHORT = 12  # people of the account `big`


def big_dataset() -> dict[str, Any]:
    data = copy.deepcopy(DATA)
    data["accounts"].append(
        {"id": "big", "name": "Big Co", "owner": {"name": "Sam", "email": "sam@big.example"}}
    )
    data["people"] += [
        {
            "id": f"b-{k:02d}",
            "account": "big",
            "email": f"b{k:02d}@big.example",
            "phone": f"+1555000{k:04d}",
            "firstName": f"B{k}",
        }
        for k in range(COHORT)
    ]
    return data


class RecordingSfn:
    """The moto Step Functions client, keeping every task answer for exact assertions."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.successes: list[tuple[str, str]] = []
        self.failures: list[tuple[str, str]] = []

    def send_task_success(self, taskToken: str, output: str) -> Any:
        self.successes.append((taskToken, output))
        return self.client.send_task_success(taskToken=taskToken, output=output)

    def send_task_failure(self, taskToken: str, error: str, cause: str) -> Any:
        self.failures.append((taskToken, error))
        return self.client.send_task_failure(taskToken=taskToken, error=error, cause=cause)

    def answers(self, token: str) -> list[str]:
        return [output for t, output in self.successes if t == token]


@dataclass
class Rig:
    store: Store
    dynamodb: Any
    ses: Any
    sfn: RecordingSfn
    ctx: ExecutionContext
    pipelines: dict[str, ActionPipeline] = field(default_factory=dict)

    def pipeline(self, action: str) -> ActionPipeline:
        if action not in self.pipelines:
            self.pipelines[action] = ActionPipeline(action, self.ctx, StepFunctionsTaskResponder(self.sfn))
        return self.pipelines[action]

    def sent_emails(self) -> list[Any]:
        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


@pytest.fixture
def rig(monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    fake_credentials(monkeypatch, REGION)
    # The store writes ledger rows from a few threads: serialise requests inside moto.
    serialize_moto(monkeypatch)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, TABLE)
        store = DynamoStore(TABLE, dynamodb, clock=lambda: NOW, sleep=lambda _s: None)
        data = big_dataset()
        seed_world(store, data)
        ses = boto3.client("sesv2", region_name=REGION)
        ses.create_email_identity(EmailIdentity=SENDER)
        ctx = ExecutionContext(
            store=store,
            clock=FixedClock(NOW),
            email=SesEmailSender(client=ses),
            sms=SnsSmsSender(client=boto3.client("sns", region_name=REGION)),
            events=EventBridgePublisher(
                client=boto3.client("events", region_name=REGION), sleep=lambda _s: None
            ),
            journeys=RecordingJourneyStarter(),
            reference=ReferenceData.from_dataset(DataSet.model_validate(data)),
            email_from=SENDER,
        )
        sfn = RecordingSfn(boto3.client("stepfunctions", region_name=REGION))
        yield Rig(store=store, dynamodb=dynamodb, ses=ses, sfn=sfn, ctx=ctx)
