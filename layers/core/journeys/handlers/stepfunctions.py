"""Step Functions implementations of the shared ports (`journeys.ports`): answering task tokens,
starting and stopping entries of other journeys."""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import ClientError

from journeys.executors.base import PermanentActionError
from journeys.outcomes import OutcomeCounts
from journeys.ports import TaskResponder, TaskTokenGone
from journeys.store.repository import Store

logger = logging.getLogger(__name__)

# The task no longer waits for an answer: answered before (a redelivered message), timed out, or
# its execution ended. Answering again cannot help: `TaskTokenGone`, which the pipeline logs.
GONE_TOKEN_CODES = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})
MAX_ERROR = 256
MAX_CAUSE = 32_768


class RecordingTaskResponder:
    """A `journeys.ports.TaskResponder` that keeps every answer (tests; the embedded runtime has its own)."""

    def __init__(self) -> None:
        self.successes: dict[str, list[OutcomeCounts]] = {}
        self.failures: dict[str, list[tuple[str, str]]] = {}

    def send_task_success(self, token: str, output: dict[str, Any]) -> None:
        self.successes.setdefault(token, []).append(OutcomeCounts.model_validate(output))

    def send_task_failure(self, token: str, error: str, cause: str) -> None:
        self.failures.setdefault(token, []).append((error, cause))


class _Client:
    def __init__(self, client: Any | None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("stepfunctions")
        return self._client


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class StepFunctionsTaskResponder(_Client):
    """`SendTaskSuccess` / `SendTaskFailure`; a token that no longer waits raises `TaskTokenGone`."""

    def send_task_success(self, token: str, output: dict[str, Any]) -> None:
        try:
            self.client.send_task_success(taskToken=token, output=json.dumps(output, separators=(",", ":")))
        except ClientError as exc:
            raise _gone_or(exc) from exc

    def send_task_failure(self, token: str, error: str, cause: str) -> None:
        try:
            self.client.send_task_failure(taskToken=token, error=error[:MAX_ERROR], cause=cause[:MAX_CAUSE])
        except ClientError as exc:
            raise _gone_or(exc) from exc


def _gone_or(exc: ClientError) -> Exception:
    return TaskTokenGone(_code(exc)) if _code(exc) in GONE_TOKEN_CODES else exc


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN of execution `name` of a state machine, from its ARN or one of its version ARNs.

    arn:aws:states:<region>:<account>:stateMachine:<machine>[:<version>] gives
    arn:aws:states:<region>:<account>:execution:<machine>:<name> (executions carry no version)."""
    parts = state_machine_arn.split(":")
    machine = parts[:7]
    machine[5] = "execution"
    return ":".join([*machine, name])


class StepFunctionsExecutionStarter(_Client):
    """`journeys.ports.ExecutionStarter` on Step Functions: `StartExecution` named by the entry id
    (a repeat is the same execution), `StopExecution` to remove an account from a journey."""

    def __init__(self, store: Store, client: Any | None = None) -> None:
        super().__init__(client)
        self._store = store

    def start_entry(
        self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
    ) -> str:
        journey = self._store.get_journey(journey_id)
        machine = next(
            (v.stateMachineArn for v in (journey.versions if journey else []) if v.version == version), None
        )
        if not machine:
            raise PermanentActionError(
                "Action.TargetNotDeployed", f"journey '{journey_id}' version {version} has no state machine"
            )
        try:
            response = self.client.start_execution(
                stateMachineArn=machine,
                name=entry_id,
                input=json.dumps(execution_input, separators=(",", ":")),
            )
        except ClientError as exc:
            if _code(exc) != "ExecutionAlreadyExists":
                raise
            # Started by an earlier attempt (and perhaps already finished): that is our entry.
            return execution_arn(machine, entry_id)
        return str(response["executionArn"])

    def stop_entry(self, execution_arn: str, cause: str) -> None:
        try:
            self.client.stop_execution(
                executionArn=execution_arn, error="Journeys.Removed", cause=cause[:MAX_CAUSE]
            )
        except ClientError as exc:
            if _code(exc) != "ExecutionDoesNotExist":
                raise


__all__ = [
    "RecordingTaskResponder",
    "StepFunctionsExecutionStarter",
    "StepFunctionsTaskResponder",
    "TaskResponder",
    "TaskTokenGone",
    "execution_arn",
]
