"""Run a compiled journey on the local runtime, answering tokens as the scenario says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from journeys import messages
from journeys.compiler import CompiledJourney
from journeys.runtime.stepfunctions import (
    DynamoDbGetItem,
    LambdaFunctions,
    LocalStepFunctions,
    SqsQueues,
    TaskCall,
    TaskDoesNotExist,
)

from .scenarios import TABLE, Loaded, Scenario, Trace, cohort_result, execution_input, sent_record

COHORT_ARN = "arn:aws:lambda:us-east-1:123456789012:function:cohorts"
LISTENER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:listener"


def substitutions(compiled: CompiledJourney) -> dict[str, str]:
    values = {
        messages.TABLE_PLACEHOLDER: TABLE,
        messages.COHORT_FUNCTION_PLACEHOLDER: COHORT_ARN,
        messages.LISTENER_FUNCTION_PLACEHOLDER: LISTENER_ARN,
    }
    return {p: values.get(p, f"local://{p}") for p in compiled.placeholders}


class LocalRig:
    """A local runtime wired like the embedded run: SQS queues, Python lambdas, account items."""

    def __init__(self, items: dict[str, dict[str, Any]], start: datetime | None = None) -> None:
        self.sfn = LocalStepFunctions(start=start or datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
        self.queues = SqsQueues()
        self.lambdas = LambdaFunctions()
        self.registrations: list[dict[str, Any]] = []
        self.items = items
        self.sfn.register_integration("arn:aws:states:::sqs:sendMessage.waitForTaskToken", self.queues)
        self.sfn.register_integration("arn:aws:states:::lambda:invoke*", self.lambdas)
        self.sfn.register_integration("arn:aws:states:::dynamodb:getItem", DynamoDbGetItem(self._read))
        self.lambdas.register(COHORT_ARN, lambda payload, call: cohort_result(payload))
        self.lambdas.register(LISTENER_ARN, self._register)

    def _read(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        assert table == TABLE
        return next((item for item in self.items.values() if all(item[k] == v for k, v in key.items())), None)

    def _register(self, payload: Any, call: TaskCall) -> Any:
        self.registrations.append(payload)
        return {"registered": True}


def run_local(loaded: Loaded, scenario: Scenario, items: dict[str, dict[str, Any]]) -> Trace:
    compiled = loaded.compiled
    rig = LocalRig(items)
    sfn = rig.sfn
    sent: list[dict[str, Any]] = []

    def answer(kind: str, body: dict[str, Any]) -> None:
        sent.append(sent_record(kind, body))
        decision = scenario.answer(body["nodeId"])
        try:
            if decision.kind == "success":
                sfn.send_task_success(body["taskToken"], json.dumps(decision.output))
            elif decision.kind == "failure":
                sfn.send_task_failure(body["taskToken"], decision.error, decision.cause)
            # "timeout": leave the token unanswered; virtual time reaches TimeoutSeconds.
        except TaskDoesNotExist:
            pass  # a sibling branch failed first and cancelled this task, as on AWS

    def pump() -> bool:
        worked = False
        for url in list(rig.queues.queues):
            for message in rig.queues.receive(url, 10):
                answer("action", message.json())
                worked = True
        while rig.registrations:
            answer("listen", rig.registrations.pop(0))
            worked = True
        return worked

    sfn.add_idle_hook(pump)
    arn = sfn.create_state_machine(loaded.journey_id, compiled.text, substitutions(compiled))
    execution = sfn.start_execution(arn, scenario.id, execution_input(loaded.journey_id, scenario.account))
    sfn.run_until_idle()
    info = sfn.describe_execution(execution)
    return Trace(info.status, info.output, info.error, sfn.entered_states(execution), sent)
