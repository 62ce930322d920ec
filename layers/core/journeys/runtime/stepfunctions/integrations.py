"""Ready-made integration handlers: in-memory SQS queues, Python "Lambda" functions, getItem.

Each is a callable `(TaskCall) -> result`, registered with `LocalStepFunctions.register_integration`.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import TaskFailure
from .records import TaskCall

# Built once: `json.dumps` with non-default options builds an encoder on every call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """One message a state machine sent to a queue (body as text, like SQS)."""

    queue_url: str
    body: str
    task_token: str | None
    execution_arn: str
    state_name: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(slots=True)
class SqsQueues:
    """`sqs:sendMessage[.waitForTaskToken]`: keeps messages per queue URL for consumers to drain."""

    queues: dict[str, deque[QueuedMessage]] = field(default_factory=dict)
    sent: int = 0

    def __call__(self, call: TaskCall) -> Any:
        params = call.parameters
        if (
            not isinstance(params, dict)
            or not isinstance(params.get("QueueUrl"), str)
            or "MessageBody" not in params
        ):
            raise TaskFailure("SQS.AmazonSQSException", "sendMessage needs QueueUrl and MessageBody")
        body = params["MessageBody"]
        # Step Functions serialises a JSON MessageBody to text, as SQS only carries strings.
        text = body if isinstance(body, str) else _COMPACT_JSON.encode(body)
        message = QueuedMessage(
            params["QueueUrl"], text, call.task_token, call.execution_arn, call.state_name
        )
        self.queues.setdefault(message.queue_url, deque()).append(message)
        self.sent += 1
        return {"MessageId": f"local-{self.sent}", "MD5OfMessageBody": ""}

    def receive(self, queue_url: str, max_messages: int = 10) -> list[QueuedMessage]:
        """Take up to `max_messages` from a queue (they are gone: no visibility timeout locally)."""
        queue = self.queues.get(queue_url)
        out: list[QueuedMessage] = []
        while queue and len(out) < max_messages:
            out.append(queue.popleft())
        return out

    def depth(self, queue_url: str | None = None) -> int:
        if queue_url is not None:
            return len(self.queues.get(queue_url, ()))
        return sum(len(q) for q in self.queues.values())


LambdaFunction = Callable[[Any, TaskCall], Any]


@dataclass(slots=True)
class LambdaFunctions:
    """`lambda:invoke[.waitForTaskToken]`: Python callables by FunctionName (ARN or name).

    The callable gets (payload, call) and returns the function's result; the task result is
    shaped like Step Functions' `lambda:invoke` output (`Payload`, `StatusCode`, ...). Raising
    TaskFailure mimics a function error (`errorType` becomes the error name).
    """

    functions: dict[str, LambdaFunction] = field(default_factory=dict)
    invocations: int = 0

    def register(self, function_name: str, function: LambdaFunction) -> None:
        self.functions[function_name] = function

    def __call__(self, call: TaskCall) -> Any:
        params = call.parameters
        name = params.get("FunctionName") if isinstance(params, dict) else None
        function = self.functions.get(name) if isinstance(name, str) else None
        if function is None:
            raise TaskFailure("Lambda.ResourceNotFoundException", f"Function not found: {name}")
        self.invocations += 1
        try:
            payload = function(params.get("Payload"), call)
        except TaskFailure:
            raise
        except Exception as exc:
            # A function error: Step Functions names it by the function's `errorType` and gives
            # the error payload, as JSON text, as the cause.
            raise TaskFailure(type(exc).__name__, _COMPACT_JSON.encode(function_error(exc))) from exc
        return {
            "ExecutedVersion": "$LATEST",
            "Payload": payload,
            "SdkHttpMetadata": {"HttpStatusCode": 200},
            "StatusCode": 200,
        }


def function_error(exc: Exception) -> dict[str, Any]:
    """The payload Lambda returns for an unhandled Python exception (without its stack trace)."""
    return {"errorMessage": str(exc), "errorType": type(exc).__name__}


ItemReader = Callable[[str, dict[str, Any]], dict[str, Any] | None]


@dataclass(slots=True)
class DynamoDbGetItem:
    """`dynamodb:getItem`: reads typed items through `read(table, key)`; no item -> `{}` like DynamoDB."""

    read: ItemReader
    reads: int = 0

    def __call__(self, call: TaskCall) -> Any:
        params = call.parameters
        if not isinstance(params, dict) or not isinstance(params.get("TableName"), str):
            raise TaskFailure("DynamoDB.AmazonDynamoDBException", "getItem needs TableName and Key")
        key = params.get("Key")
        if not isinstance(key, dict):
            raise TaskFailure("DynamoDB.AmazonDynamoDBException", "getItem needs TableName and Key")
        self.reads += 1
        item = self.read(params["TableName"], key)
        return {} if item is None else {"Item": item}
