"""What a conformance run does: which journey, which account, how each node's token is answered.

Both drivers (local runtime and moto) answer the same node the same way, and both check the
messages the compiled ASL sends against the wire contracts in `journeys.messages`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from journeys import messages
from journeys.compiler import CompiledJourney, compile_journey, state_names
from journeys.definition.validate import validate_definition, validate_file
from journeys.model.dataset import DataSet, load_dataset
from journeys.splitview import encode, split_view

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "journeys"
DATA = ROOT / "examples" / "data" / "small.yaml"
TABLE = "journeys-test"


@dataclass(frozen=True)
class Answer:
    """How a node's task token is answered: success (with output), failure, or left to time out."""

    kind: Literal["success", "failure", "timeout"] = "success"
    output: Any = field(default_factory=lambda: {"applied": 1, "skipped": 0, "failed": 0})
    error: str = "Journeys.Forced"
    cause: str = "forced by the scenario"


@dataclass(frozen=True)
class Scenario:
    id: str
    journey: str  # file name in examples/journeys, or a key of FIXTURES
    account: str
    answers: dict[str, Answer] = field(default_factory=dict)

    def answer(self, node_id: str) -> Answer:
        return self.answers.get(node_id, Answer())


@dataclass
class Trace:
    """What one execution did, in a form both runtimes can produce."""

    status: str
    output: Any
    error: str | None
    entered: list[str]
    sent: list[dict[str, Any]] = field(default_factory=list)


# Journeys written for the conformance suite, in the DESIGN section 3 format, covering what
# the examples do not: every condition operator, unmatched accounts leaving, a listen without a
# timeout path, and a wait until a date.
FIXTURES: dict[str, dict[str, Any]] = {
    "operators": {
        "id": "operators",
        "name": "Every operator",
        "audience": {"accountList": "strategic-accounts"},
        "start": "route",
        "nodes": {
            "route": {
                "type": "split",
                "by": "accounts",
                "paths": [
                    {
                        "label": "Gold VIPs in the US",
                        "when": {
                            "all": [
                                {"attribute": "tier", "op": "eq", "value": "gold"},
                                {"attribute": "vip", "op": "eq", "value": True},
                                {"attribute": "country", "op": "in", "value": ["US", "CA"]},
                            ]
                        },
                        "next": "gold",
                    },
                    {
                        "label": "Mid-size named G or health",
                        "when": {
                            "any": [
                                {"attribute": "name", "op": "startsWith", "value": "Glob"},
                                {"attribute": "industry", "op": "contains", "value": "ealth"},
                            ]
                        },
                        "next": "mid",
                    },
                    {
                        "label": "Small, not customers, with revenue",
                        "when": {
                            "all": [
                                {"attribute": "employees", "op": "lt", "value": 500},
                                {"attribute": "employees", "op": "gte", "value": 150},
                                {"attribute": "revenue", "op": "lte", "value": 1.5e7},
                                {"attribute": "revenue", "op": "gt", "value": 0},
                                {"attribute": "lifecycle", "op": "ne", "value": "customer"},
                                {"attribute": "missing", "op": "exists", "value": False},
                                {"attribute": "tier", "op": "exists"},
                            ]
                        },
                        "next": "small",
                    },
                ],
            },
            "gold": {
                "type": "action",
                "on": "accounts",
                "action": "add_to_account_list",
                "params": {"list": "installed-base"},
                "next": "done",
            },
            "mid": {
                "type": "action",
                "on": "accounts",
                "action": "add_to_account_list",
                "params": {"list": "expansion-targets"},
                "next": "done",
            },
            "small": {
                "type": "action",
                "on": "accounts",
                "action": "change_account_data_value",
                "params": {"attribute": "tier", "value": "silver"},
                "next": "done",
            },
            "done": {"type": "end"},
        },
    },
    "buying-groups": {
        "id": "buying-groups",
        "name": "Buying-group facts",
        "audience": {"accountList": "strategic-accounts"},
        "start": "groups",
        "nodes": {
            "groups": {
                "type": "split",
                "by": "accounts",
                "paths": [
                    {
                        "label": "Two roles filled and considering",
                        "when": {
                            "all": [
                                {
                                    "buyingGroup": "analytics",
                                    "fact": "stage",
                                    "op": "eq",
                                    "value": "Consideration",
                                },
                                {
                                    "buyingGroup": "analytics",
                                    "fact": "membersInRole",
                                    "role": "Influencer",
                                    "op": "gte",
                                    "value": 1,
                                },
                            ]
                        },
                        "next": "alert",
                    },
                    {
                        "label": "No practitioner yet",
                        "when": {
                            "all": [
                                {"buyingGroup": "analytics", "fact": "exists", "value": True},
                                {
                                    "buyingGroup": "analytics",
                                    "fact": "membersInRole",
                                    "role": "Practitioner",
                                    "op": "lt",
                                    "value": 1,
                                },
                            ]
                        },
                        "next": "listen",
                    },
                    {"label": "Everyone else", "otherwise": True, "next": "until"},
                ],
            },
            "alert": {
                "type": "action",
                "on": "accounts",
                "action": "send_sales_alert",
                "params": {"solutionInterest": "analytics", "sendTo": ["owner"]},
                "next": "done",
            },
            "listen": {
                "type": "listen",
                "event": {
                    "on": "accounts",
                    "type": "buying_group_stage_changed",
                    "filters": {"solutionInterest": "analytics"},
                },
                "timeout": {"duration": "30d"},
                "next": "alert-late",
            },
            "alert-late": {
                "type": "action",
                "on": "accounts",
                "action": "send_sales_alert",
                "params": {"solutionInterest": "analytics", "sendTo": ["owner"]},
                "next": "done",
            },
            "until": {"type": "wait", "until": "2027-03-01T09:00:00Z", "next": "done"},
            "done": {"type": "end"},
        },
    },
}


@dataclass(frozen=True)
class Loaded:
    journey_id: str
    compiled: CompiledJourney


def load_journey(name: str) -> Loaded:
    report = validate_definition(FIXTURES[name]) if name in FIXTURES else validate_file(EXAMPLES / name)
    assert report.journey is not None, report.issues
    return Loaded(report.journey.id, compile_journey(report.journey))


def data_set() -> DataSet:
    return load_dataset(DATA)


def account_items(data: DataSet) -> dict[str, dict[str, Any]]:
    """Typed DynamoDB account items (key + splitView), as the store would hold them."""
    interests = {s.id: s for s in data.solutionInterests}
    items: dict[str, dict[str, Any]] = {}
    for account in data.accounts:
        view = encode(split_view(account, data.buyingGroups, interests))
        items[account.id] = {**messages.account_key(account.id), messages.SPLIT_VIEW_ATTRIBUTE: {"S": view}}
    return items


def execution_input(journey_id: str, account: str) -> str:
    return messages.ExecutionInput(
        journeyId=journey_id, journeyVersion=3, accountId=account
    ).model_dump_json()


def cohort_result(payload: Any) -> dict[str, Any]:
    """The cohort function's answer: one ref per path, checked against the wire contract."""
    request = messages.CohortSplitRequest.model_validate(payload)
    refs = [f"cohort:{request.entryId}:{request.nodeId}:{i}" for i in range(len(request.paths))]
    return messages.CohortSplitResult(cohorts=refs, sizes=[1] * len(refs)).model_dump()


def sent_record(kind: str, body: Any) -> dict[str, Any]:
    """A sent message/registration without the parts that differ by runtime (token, clock)."""
    if kind == "action":
        message = messages.NodeEntryMessage.model_validate(body).model_dump()
    else:
        message = messages.ListenRegistration.model_validate(body).model_dump()
        message.pop("enteredAt")
    message.pop("taskToken")
    return {"kind": kind, **message}


def scopes(definition: dict[str, Any]) -> dict[str, str]:
    """State name -> the scope it runs in (the machine, or one Parallel branch)."""
    out: dict[str, str] = {}

    def walk(scope: dict[str, Any], label: str) -> None:
        for name, state in scope["States"].items():
            out[name] = label
            for i, branch in enumerate(state.get("Branches", [])):
                walk(branch, f"{name}[{i}]")

    walk(definition, "machine")
    assert set(out) == set(state_names(definition))
    return out


def by_scope(entered: list[str], definition: dict[str, Any]) -> dict[str, list[str]]:
    """Entered states per scope: branches run concurrently on moto, so only per-scope order is defined."""
    where = scopes(definition)
    out: dict[str, list[str]] = {}
    for name in entered:
        out.setdefault(where[name], []).append(name)
    return out


def normalised_output(output: Any) -> Any:
    return json.loads(json.dumps(output)) if output is not None else None
