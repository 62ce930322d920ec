"""Ports to Step Functions that orchestration code needs; boto3 and the embedded runtime implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class TaskTokenGone(Exception):
    """The token's task is no longer waiting (timed out, execution ended): nothing to answer."""


class TaskResponder(Protocol):
    """Answers task tokens (SendTaskSuccess / SendTaskFailure)."""

    def send_task_success(self, token: str, output: dict[str, Any]) -> None:
        """Raises TaskTokenGone when the task no longer waits."""
        ...

    def send_task_failure(self, token: str, error: str, cause: str) -> None: ...


class ExecutionStarter(Protocol):
    """Starts and stops executions of a journey's published state machine (one per entry)."""

    def start_entry(
        self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
    ) -> str | None:
        """Start (idempotent by entry id); return the execution ARN (None: nothing runs here, e.g. a
        journey the embedded runtime only knows by name)."""
        ...

    def stop_entry(self, execution_arn: str, cause: str) -> None: ...
