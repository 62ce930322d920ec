"""Run a compiled journey on moto's Step Functions executor (an independent interpreter).

moto really sleeps in Wait states and between retries, so both are patched out; a "timeout"
answer interrupts the task's callback endpoint, which moto turns into States.Timeout exactly as
when TimeoutSeconds elapses. Lambda functions are Python callables behind moto's Lambda API.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any
from unittest import mock

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.config import DefaultConfig
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from journeys import messages
from journeys.runtime.stepfunctions import substitute
from journeys.runtime.stepfunctions.integrations import function_error

from .scenarios import TABLE, Answer, Loaded, Scenario, Trace, cohort_result, execution_input, sent_record

REGION = "us-east-1"
ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/journeys-sfn"
CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
DEADLINE_SECONDS = 20.0
Function = Callable[[Any], Any]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@contextmanager
def moto_stepfunctions(functions: dict[str, Function]) -> Iterator[None]:
    """moto with the executor on, no real sleeping, and Lambda invocations routed to `functions`."""

    def invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        name = function_name.rsplit(":", 1)[-1]
        payload = json.loads(body) if body else None
        try:
            result = functions[name](payload)
        except Exception as exc:
            # An unhandled function error, as Lambda reports it (Step Functions reads errorType).
            response_headers["x-amz-function-error"] = "Unhandled"
            result = function_error(exc)
        return json.dumps(result).encode()

    no_sleep = SimpleNamespace(sleep=lambda seconds: None, time=time.time)
    with (
        mock_aws(config=CONFIG),
        mock.patch.object(WaitFunction, "_wait_interval", lambda self, env, wait_seconds: None),
        mock.patch.object(retrier_decl, "time", no_sleep),
        mock.patch.object(LambdaSimpleBackend, "invoke", invoke),
    ):
        yield


def _time_out(token: str) -> None:
    """Make a waiting task fail with States.Timeout, as moto does when TimeoutSeconds elapses."""
    backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][REGION]
    for execution in backend._get_executions():
        endpoint = execution.exec_worker.env.callback_pool_manager.get(token)
        if endpoint is not None:
            endpoint.interrupt_all()
            return
    raise AssertionError(f"no waiting task for token {token}")


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


class MotoWorld:
    """One moto account set up for the journeys: table + account items, lambdas, and per journey
    its queues and state machine. Create inside `moto_stepfunctions(world.functions)`.
    """

    def __init__(self, items: dict[str, dict[str, Any]]) -> None:
        self.items = items
        self.registrations: list[dict[str, Any]] = []
        self.functions: dict[str, Function] = {"cohorts": cohort_result, "listener": self._listener}
        self._machines: dict[str, tuple[str, list[str]]] = {}

    def _listener(self, payload: Any) -> Any:
        self.registrations.append(payload)
        return {"registered": True}

    def deploy(self) -> None:
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        lam = boto3.client("lambda", region_name=REGION)
        boto3.client("iam", region_name=REGION).create_role(
            RoleName="journeys-sfn",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for item in self.items.values():
            dynamodb.put_item(TableName=TABLE, Item=item)
        self.arns: dict[str, str] = {}
        for name in ("cohorts", "listener"):
            self.arns[name] = lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": _zip()},
            )["FunctionArn"]

    def function(self, name: str, function: Function) -> str:
        """Route Lambda `name` to `function` (creating the Lambda once); returns its ARN."""
        self.functions[name] = function
        if name not in self.arns:
            self.arns[name] = boto3.client("lambda", region_name=REGION).create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": _zip()},
            )["FunctionArn"]
        return self.arns[name]

    def machine(self, loaded: Loaded) -> tuple[str, list[str]]:
        """The journey's state machine and queue URLs, created on first use."""
        if loaded.journey_id not in self._machines:
            values = {
                messages.TABLE_PLACEHOLDER: TABLE,
                messages.COHORT_FUNCTION_PLACEHOLDER: self.arns["cohorts"],
                messages.LISTENER_FUNCTION_PLACEHOLDER: self.arns["listener"],
            }
            for placeholder in loaded.compiled.placeholders:
                if placeholder not in values:
                    name = f"{loaded.journey_id}-{placeholder.removesuffix('QueueUrl')}"[:80]
                    values[placeholder] = self.sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = self.sfn.create_state_machine(
                name=loaded.journey_id,
                definition=substitute(loaded.compiled.text, values),
                roleArn=ROLE,
                type="STANDARD",
            )["stateMachineArn"]
            self._machines[loaded.journey_id] = (
                arn,
                [v for k, v in values.items() if k.endswith("QueueUrl")],
            )
        return self._machines[loaded.journey_id]

    def start(self, loaded: Loaded, name: str, account: str) -> str:
        machine, _ = self.machine(loaded)
        arn: str = self.sfn.start_execution(
            stateMachineArn=machine, name=name, input=execution_input(loaded.journey_id, account)
        )["executionArn"]
        return arn

    def pump(self, loaded: Loaded, answer: Callable[[str, dict[str, Any]], None]) -> None:
        """Hand every message and listener registration of this journey to `answer`."""
        _, queues = self.machine(loaded)
        for url in queues:
            for message in self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                answer("action", json.loads(message["Body"]))
        while self.registrations:
            answer("listen", self.registrations.pop(0))

    def respond(self, token: str, decision: Answer) -> None:
        try:
            if decision.kind == "success":
                self.sfn.send_task_success(taskToken=token, output=json.dumps(decision.output))
            elif decision.kind == "failure":
                self.sfn.send_task_failure(taskToken=token, error=decision.error, cause=decision.cause)
            else:
                _time_out(token)
        except ClientError as exc:
            # A sibling branch failed first and cancelled this task.
            if exc.response["Error"]["Code"] not in {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}:
                raise

    def status(self, arn: str) -> dict[str, Any]:
        info: dict[str, Any] = self.sfn.describe_execution(executionArn=arn)
        return info

    def trace(self, loaded: Loaded, scenario: Scenario) -> Trace:
        """Run one scenario to its end and describe what happened."""
        arn = self.start(loaded, scenario.id, scenario.account)
        sent: list[dict[str, Any]] = []

        def answer(kind: str, body: dict[str, Any]) -> None:
            if body["entryId"] != scenario.id:
                return  # a message of an earlier scenario's cancelled branch
            sent.append(sent_record(kind, body))
            self.respond(body["taskToken"], scenario.answer(body["nodeId"]))

        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            self.pump(loaded, answer)
            info = self.status(arn)
            if info["status"] != "RUNNING":
                break
            assert time.monotonic() < deadline, "moto execution did not finish"
            time.sleep(0.002)
        entered = [
            e["stateEnteredEventDetails"]["name"]
            for e in _history(self.sfn, arn)
            if e["type"].endswith("StateEntered")
        ]
        output = json.loads(info["output"]) if info.get("output") else None
        return Trace(info["status"], output, info.get("error"), entered, sent)


@contextmanager
def moto_world(items: dict[str, dict[str, Any]]) -> Iterator[MotoWorld]:
    world = MotoWorld(items)
    with moto_stepfunctions(world.functions):
        world.deploy()
        yield world
