"""An entry's path through its journey, read from the execution history (boto3's shape).

Used by the tracker on AWS (GetExecutionHistory) and by the embedded runtime's report alike.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class PathStep(BaseModel):
    node: str
    enteredAt: str
    states: list[str] = Field(default_factory=list)
    output: dict[str, Any] | None = None  # an action's outcome counts, a listen's event
    timedOut: bool = False
    error: str | None = None
    left: bool = False  # the entry left the journey here (no path matched, or a timeout without a path)


def node_of_state(node_states: dict[str, list[str]]) -> dict[str, str]:
    return {state: node for node, states in node_states.items() for state in states}


def _when(event: dict[str, Any]) -> str:
    stamp = event.get("timestamp")
    return stamp.isoformat() if isinstance(stamp, datetime) else str(stamp)


def _json(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def entry_path(history: list[dict[str, Any]], states_to_nodes: dict[str, str]) -> list[PathStep]:
    """One step per node visit, in order, with what happened there.

    Task events are tied to their state through `previousEventId` (causal in Step Functions
    histories), so branches of a Parallel that interleave still attribute outcomes correctly.
    """
    steps: list[PathStep] = []
    step_of_event: dict[int, PathStep] = {}
    for event in history:
        kind = event.get("type", "")
        event_id = int(event.get("id", 0))
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            node = states_to_nodes.get(name)
            if node is None:
                continue
            same_visit = steps and steps[-1].node == node and steps[-1].states[-1:] != [name]
            if not same_visit:
                steps.append(PathStep(node=node, enteredAt=_when(event)))
            steps[-1].states.append(name)
            steps[-1].left = steps[-1].left or name.startswith("Leave journey")
            step_of_event[event_id] = steps[-1]
            continue
        step = step_of_event.get(int(event.get("previousEventId", -1)))
        if step is None:
            continue
        step_of_event[event_id] = step
        if kind == "TaskSucceeded":
            output = _json(event.get("taskSucceededEventDetails", {}).get("output"))
            if isinstance(output, dict):
                payload = output.get("Payload", output)
                step.output = payload if isinstance(payload, dict) else output
        elif kind == "TaskTimedOut":
            step.timedOut = True
        elif kind == "TaskFailed":
            details = event.get("taskFailedEventDetails") or {}
            step.error = str(details.get("error") or "failed")
    return steps
