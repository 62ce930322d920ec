"""The boto3 adapters against moto: SES v2, SNS, EventBridge, Step Functions, S3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from journeys.catalog.events import JourneyEvent
from journeys.connectors.destinations import ActivationRecord, S3ExportConnector
from journeys.connectors.messaging import (
    EventBridgePublisher,
    EventPublishError,
    SesEmailSender,
    SnsSmsSender,
)
from journeys.executors import DeliveryRejected, OutboundEmail, OutboundSms, PermanentActionError
from journeys.handlers.stepfunctions import (
    StepFunctionsExecutionStarter,
    StepFunctionsTaskResponder,
    TaskTokenGone,
    execution_arn,
)
from journeys.model.lists import Destination, ExternalAudience
from journeys.store.memory import InMemoryStore
from tests.support.moto import fake_credentials
from tests.unit.executors.world import journey_record

REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fake_credentials(monkeypatch, REGION)
    with mock_aws():
        yield


def test_ses_sends_with_configuration_set(aws: None) -> None:
    client = boto3.client("sesv2", region_name=REGION)
    client.create_email_identity(EmailIdentity="journeys@example.com")
    client.create_configuration_set(ConfigurationSetName="journeys")
    sender = SesEmailSender("journeys", client=client)
    message_id = sender.send(
        OutboundEmail(
            to=["ana@acme.example"],
            sender="journeys@example.com",
            subject="Hi Ana",
            html="<p>Hi</p>",
            text="Hi",
            tags={"journey": "onboarding", "node": "n 1"},
        )
    )
    assert message_id
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert sent.destinations["ToAddresses"] == ["ana@acme.example"]
    assert sent.subject == "Hi Ana"


def test_ses_rejection_is_a_delivery_rejection(aws: None) -> None:
    client = boto3.client("sesv2", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("send_email", "MessageRejected", "Email address is not verified.")
        stub.add_client_error("send_email", "TooManyRequestsException", "slow down")
        sender = SesEmailSender(client=client)
        email = OutboundEmail(to=["x@y.example"], sender="a@b.example", subject="s", html="h")
        with pytest.raises(DeliveryRejected):
            sender.send(email)
        with pytest.raises(Exception, match="TooManyRequests"):
            sender.send(email)


def test_sns_sms(aws: None) -> None:
    client = boto3.client("sns", region_name=REGION)
    SnsSmsSender(client=client).send(OutboundSms(to="+15551230001", text="Hi Ana"))
    messages = list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())
    assert messages == [("+15551230001", "Hi Ana")]


def _events(n: int) -> list[JourneyEvent]:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    return [
        JourneyEvent(on="people", type="score_changed", accountId="acme", personId=f"p-{k}", occurredAt=at)
        for k in range(n)
    ]


class _PartialFailures:
    """An EventBridge client (moto underneath) that refuses given positions of given calls."""

    def __init__(self, client: Any, refuse: dict[int, set[int]]) -> None:
        self.client = client
        self.refuse = refuse
        self.calls: list[list[str]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        call = len(self.calls)
        self.calls.append([json.loads(e["Detail"])["personId"] for e in Entries])
        refused = self.refuse.get(call, set())
        accepted = [e for k, e in enumerate(Entries) if k not in refused]
        ok = self.client.put_events(Entries=accepted)["Entries"] if accepted else []
        results = iter(ok)
        return {
            "FailedEntryCount": len(refused),
            "Entries": [
                {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
                if k in refused
                else next(results)
                for k in range(len(Entries))
            ],
        }


def test_eventbridge_chunks_of_ten_and_retries_refused_entries(aws: None) -> None:
    client = _PartialFailures(boto3.client("events", region_name=REGION), {0: {1, 7}})
    slept: list[float] = []
    EventBridgePublisher(client=client, sleep=slept.append).publish(_events(23))
    assert [len(c) for c in client.calls] == [10, 2, 10, 3]
    assert client.calls[1] == ["p-1", "p-7"]
    delivered = [
        p for n, c in enumerate(client.calls) for k, p in enumerate(c) if k not in client.refuse.get(n, set())
    ]
    assert sorted(delivered) == sorted(f"p-{k}" for k in range(23))
    assert slept == [0.2]


def test_eventbridge_gives_up_after_attempts(aws: None) -> None:
    client = _PartialFailures(boto3.client("events", region_name=REGION), {n: {0} for n in range(4)})
    with pytest.raises(EventPublishError):
        EventBridgePublisher(client=client, sleep=lambda _s: None).publish(_events(1))
    assert len(client.calls) == 4


def test_task_responder_and_gone_tokens(aws: None) -> None:
    client = boto3.client("stepfunctions", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response("send_task_success", {}, {"taskToken": "t1", "output": '{"applied":2}'})
        stub.add_client_error("send_task_success", "TaskTimedOut", "gone")
        stub.add_client_error("send_task_failure", "InvalidToken", "gone")
        stub.add_client_error("send_task_success", "ThrottlingException", "slow down")
        stub.add_response("send_task_failure", {}, {"taskToken": "t5", "error": "E" * 256, "cause": "c"})
        responder = StepFunctionsTaskResponder(client)
        responder.send_task_success("t1", {"applied": 2})
        with pytest.raises(TaskTokenGone):
            responder.send_task_success("t2", {})
        with pytest.raises(TaskTokenGone):
            responder.send_task_failure("t3", "Action.InvalidInputs", "bad")
        with pytest.raises(ClientError, match="Throttling"):
            responder.send_task_success("t4", {})
        responder.send_task_failure("t5", "E" * 300, "c")  # error names are cut to 256 characters
        stub.assert_no_pending_responses()


def test_execution_starter_names_executions_by_entry(aws: None) -> None:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    machine = sfn.create_state_machine(name="renewal-v1", definition=definition, roleArn=role)[
        "stateMachineArn"
    ]
    journey = journey_record({"id": "renewal", "name": "Renewal", "status": "live", "liveVersion": 1})
    journey.versions[0].stateMachineArn = machine
    store = InMemoryStore()
    store.save_journey(journey, None)
    starter = StepFunctionsExecutionStarter(store, sfn)
    payload = {"journeyId": "renewal", "journeyVersion": 1, "accountId": "acme"}
    arn = starter.start_entry("renewal", 1, "renewal-abc", payload)
    assert arn.endswith(":renewal-abc")
    assert json.loads(sfn.describe_execution(executionArn=arn)["input"]) == payload
    assert starter.start_entry("renewal", 1, "renewal-abc", payload) == arn  # same name: same execution
    starter.stop_entry(arn, "removed by test")
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"
    starter.stop_entry(execution_arn(machine, "never-started"), "nothing to stop")  # no error
    with pytest.raises(PermanentActionError):
        starter.start_entry("renewal", 2, "renewal-v2-abc", payload)


def test_s3_export_is_json_lines_with_a_content_key(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="exports")
    destination = Destination(id="s3", name="Exports", kind="s3", bucket="exports", prefix="audiences/")
    audience = ExternalAudience(id="aud-q3", name="Q3", destination="s3")
    records = [ActivationRecord(personId="p-1", accountId="acme", email="a@x.example", emailSha256="00")]
    connector = S3ExportConnector(s3)
    connector.deliver(destination, audience, records)
    connector.deliver(destination, audience, records)  # the same records again: the same object
    [obj] = s3.list_objects_v2(Bucket="exports")["Contents"]
    assert obj["Key"].startswith("audiences/aud-q3/") and obj["Key"].endswith(".jsonl")
    body = s3.get_object(Bucket="exports", Key=obj["Key"])["Body"].read().decode()
    assert [json.loads(line)["personId"] for line in body.splitlines()] == ["p-1"]
