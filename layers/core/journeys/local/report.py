"""The run report: per-node counts, per-entry paths, what was sent and changed, usage and cost.

`report.json` is `RunReport.model_dump_json()`; its JSON Schema is `RunReport.model_json_schema()`
(committed as docs/report.schema.json, with a drift test).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from journeys.catalog import get_action
from journeys.definition.model import ActionNode, Journey, ListenNode, SplitNode, WaitNode
from journeys.local.changes import Changes, diff
from journeys.local.cost import CostProjection, Usage
from journeys.local.run import RunResult
from journeys.orchestration.paths import PathStep, entry_path, node_of_state


class NodeReport(BaseModel):
    node: str
    type: str
    label: str
    accountsEntered: int = 0
    accountsWaiting: int = 0
    accountsLeft: int = 0
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    skippedByReason: dict[str, int] = Field(default_factory=dict)
    timedOut: int = 0


class EntryReport(BaseModel):
    entryId: str
    account: str
    status: str
    path: list[PathStep]


class RunReport(BaseModel):
    journey: dict[str, str]
    startedAt: str
    endedAt: str
    wallSeconds: float
    accounts: dict[str, Any]  # entered, skipped by reason
    nodes: list[NodeReport]
    entries: list[EntryReport]
    sent: dict[str, int]
    changes: Changes
    events: dict[str, int]
    usage: Usage
    cost: CostProjection
    deadLetters: list[dict[str, Any]]


def _label(journey: Journey, node_id: str) -> str:
    node = journey.nodes[node_id]
    if isinstance(node, ActionNode):
        spec = get_action(node.action)
        return f"{spec.label if spec else node.action} ({node.on})"
    if isinstance(node, SplitNode):
        return f"Split by {node.by}"
    if isinstance(node, WaitNode):
        return f"Wait {node.duration}" if node.duration else f"Wait until {node.until:%Y-%m-%d %H:%M}"
    if isinstance(node, ListenNode):
        return f"Listen for {node.event.on} {node.event.type}"
    return node.type.capitalize()


def build_report(result: RunResult) -> RunReport:
    journey = result.journey
    engine = result.engine
    compiled = engine.compiled[journey.id]
    states = node_of_state(compiled.node_states)
    nodes = {
        n: NodeReport(node=n, type=journey.nodes[n].type, label=_label(journey, n)) for n in journey.nodes
    }
    entries: list[EntryReport] = []
    for execution in engine.sfn.list_executions(engine.machines[journey.id]):
        path = entry_path(engine.sfn.get_execution_history(execution.execution_arn), states)
        entry = engine.store.get_entry(execution.name)
        account = entry.accountId if entry else str(execution.input.get("accountId", "?"))
        entries.append(EntryReport(entryId=execution.name, account=account, status=execution.status.lower(),
                                   path=path))  # fmt: skip
        for step in path:
            report = nodes[step.node]
            report.accountsEntered += 1
            report.accountsLeft += step.left
            report.timedOut += step.timedOut
        if execution.status == "RUNNING" and path:
            nodes[path[-1].node].accountsWaiting += 1
    for node_id, counts in engine.store.node_counts(journey.id).items():
        if node_id in nodes:
            report = nodes[node_id]
            report.applied, report.skipped, report.failed = counts.applied, counts.skipped, counts.failed
            report.skippedByReason = dict(sorted(counts.skippedByReason.items()))
    return RunReport(
        journey={"id": journey.id, "name": journey.name},
        startedAt=result.started_at.isoformat(),
        endedAt=result.ended_at.isoformat(),
        wallSeconds=round(result.wall_seconds, 3),
        accounts={
            "entered": len(result.entered.started),
            "skipped": dict(Counter(result.entered.skipped.values())),
        },
        nodes=list(nodes.values()),
        entries=sorted(entries, key=lambda e: e.account),
        sent={k: len(v) for k, v in result.outbox_json.items()},
        changes=diff(result.data_before, result.data_after),
        events=dict(sorted(Counter(f"{e.on}:{e.type}" for e in result.events).items())),
        usage=result.usage,
        cost=result.cost,
        deadLetters=engine.counters.dead_letters,
    )
