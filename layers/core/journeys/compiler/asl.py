"""Compile a validated journey into a Step Functions Standard state machine (ASL, JSONPath).

State data is the execution input (`messages.ExecutionInput`) plus, after a split by accounts,
the account's split view at `$.account.view`, and, inside a split by people, the path cohort.
Every ARN and queue URL is a `${...}` placeholder filled by DefinitionSubstitutions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from journeys import messages
from journeys.catalog import get_action
from journeys.compiler.choices import conditions_rule
from journeys.compiler.errors import CompileError
from journeys.compiler.introspect import placeholders
from journeys.compiler.names import StateNames
from journeys.definition.graph import people_split_merge
from journeys.definition.model import (
    ActionNode,
    EndNode,
    Journey,
    ListenNode,
    MergeNode,
    Node,
    SplitNode,
    WaitNode,
)
from journeys.issues import Issue
from journeys.runtime.stepfunctions.substitutions import PLACEHOLDER

SQS_SEND = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
DYNAMODB_GET = "arn:aws:states:::dynamodb:getItem"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"

# An action answers when its function has processed the batch; a throttled Marketo action may
# wait for the next day's quota, so two days before the entry gives up on the node.
ACTION_TIMEOUT_SECONDS = 2 * 86400
# A listen without a timeout waits as long as an execution may live (Standard: one year).
LISTEN_MAX_SECONDS = 365 * 86400

# Transient errors only, with the names Step Functions emits for each integration: client-side
# or throttling failures. Not States.Timeout (the action may have run) nor States.TaskFailed.
SQS_TRANSIENT = ["SQS.SdkClientException", "SQS.AmazonSQSException"]
LAMBDA_TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
DYNAMODB_TRANSIENT = [
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.RequestLimitExceeded",
    "DynamoDB.ThrottlingException",
    "DynamoDB.InternalServerError",
]
ACTION_FAILED = "Journeys.ActionFailed"
SPLIT_FAILED = "Journeys.SplitFailed"
LISTEN_FAILED = "Journeys.ListenFailed"

# The entry's identity, carried unchanged through the machine (merges restore exactly this).
_ENTRY = {
    "journeyId.$": "$.journeyId",
    "journeyVersion.$": "$.journeyVersion",
    "accountId.$": "$.accountId",
    "cohort.$": "$.cohort",
}
_ENTRY_NO_COHORT = {k: v for k, v in _ENTRY.items() if k != "cohort.$"}

State = dict[str, Any]


@dataclass(frozen=True)
class CompiledJourney:
    """The ASL as a dict and as deterministic JSON text, its placeholders, node -> state names."""

    definition: dict[str, Any]
    text: str
    placeholders: list[str]
    node_states: dict[str, list[str]]


def to_json_text(definition: dict[str, Any]) -> str:
    """Deterministic JSON: same dict, byte-identical text."""
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def _retry(errors: list[str]) -> list[dict[str, Any]]:
    return [{"ErrorEquals": list(errors), "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]


def _catch_all(fail_state: str) -> dict[str, Any]:
    return {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": fail_state}


def _fail(error: str, node_id: str) -> State:
    # The original error and cause stay in the execution's failure cause, for the tracker.
    return {
        "Type": "Fail",
        "Comment": f"node {node_id}",
        "Error": error,
        "CausePath": f"States.Format('node {_intrinsic_text(node_id)}: {{}}: {{}}', $.error.Error, $.error.Cause)",
    }


def _intrinsic_text(text: str) -> str:
    """Escape text for an intrinsic string literal (quotes, braces, backslashes)."""
    out = text
    for ch in "\\'{}":
        out = out.replace(ch, "\\" + ch)
    return out


def _account_key() -> dict[str, Any]:
    """messages.account_key with the account id bound from the state data."""
    sentinel = "\x00"
    key = messages.account_key(sentinel)
    out: dict[str, Any] = {}
    for attribute, typed in key.items():
        ((kind, value),) = typed.items()
        if sentinel in value:
            before, after = value.split(sentinel)
            fmt = f"{_intrinsic_text(before)}{{}}{_intrinsic_text(after)}"
            out[attribute] = {f"{kind}.$": f"States.Format('{fmt}', $.accountId)"}
        else:
            out[attribute] = {kind: value}
    return out


def _dollar_keys(value: Any, where: str) -> list[str]:
    """Keys ending in `.$` would be read as paths by Step Functions: they cannot be literal params."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}"
            if str(key).endswith(".$"):
                found.append(here)
            found += _dollar_keys(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _dollar_keys(item, f"{where}[{i}]")
    return found


@dataclass
class _Scope:
    """The states of the machine, or of one Parallel branch; `stop` is the merge ending a branch."""

    states: dict[str, State] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    stop: str | None = None


class _Compiler:
    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.nodes: dict[str, Node] = dict(journey.nodes)
        self.names = StateNames()
        self.issues: list[Issue] = []
        self.node_states: dict[str, list[str]] = {}

    # -- naming ------------------------------------------------------------------------------------

    def _title(self, node_id: str) -> str:
        node = self.nodes[node_id]
        if isinstance(node, ActionNode):
            spec = get_action(node.action)
            return f"{spec.label if spec else node.action}: {node_id}"
        if isinstance(node, WaitNode):
            if node.until is not None:
                return f"Wait until {node.until.astimezone(UTC):%Y-%m-%d %H:%M}Z: {node_id}"
            return f"Wait {node.duration}: {node_id}"
        if isinstance(node, SplitNode):
            return f"{'Read account' if node.by == 'accounts' else 'Prepare split by people'}: {node_id}"
        if isinstance(node, ListenNode):
            return f"Listen for {node.event.type}: {node_id}"
        if isinstance(node, MergeNode):
            return f"Merge: {node_id}"
        return f"End: {node_id}"

    def _name(self, text: str, node_id: str) -> str:
        name = self.names.take(text)
        self.node_states.setdefault(node_id, []).append(name)
        return name

    def entry(self, scope: _Scope, node_id: str, todo: list[str]) -> str:
        """The state that enters `node_id` in `scope` (named on first use, compiled later)."""
        if node_id not in scope.names:
            scope.names[node_id] = self._name(self._title(node_id), node_id)
            todo.append(node_id)
        return scope.names[node_id]

    # -- scopes ------------------------------------------------------------------------------------

    def scope(self, start: str, stop: str | None = None) -> tuple[str, dict[str, State]]:
        scope = _Scope(stop=stop)
        todo: list[str] = []
        first = self.entry(scope, start, todo)
        self.drain(scope, todo)
        return first, scope.states

    def drain(self, scope: _Scope, todo: list[str]) -> None:
        """Compile named-but-not-compiled nodes depth-first, so the JSON reads in journey order."""
        while todo:
            found: list[str] = []
            self.compile_node(scope, todo.pop(0), found)
            todo[:0] = found

    def goto(self, scope: _Scope, node_id: str, todo: list[str]) -> dict[str, Any]:
        """`Next` to a node, or `End` when the node is the merge that closes this branch."""
        if scope.stop is not None and node_id == scope.stop:
            return {"End": True}
        return {"Next": self.entry(scope, node_id, todo)}

    def compile_node(self, scope: _Scope, node_id: str, todo: list[str]) -> None:
        node = self.nodes[node_id]
        name = scope.names[node_id]
        if isinstance(node, ActionNode):
            self.action(scope, node_id, node, name, todo)
        elif isinstance(node, WaitNode):
            wait: State = {"Type": "Wait", "Comment": f"node {node_id}"}
            if node.until is not None:
                wait["Timestamp"] = node.until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                wait["Seconds"] = node.seconds
            scope.states[name] = {**wait, **self.goto(scope, node.next, todo)}
        elif isinstance(node, SplitNode) and node.by == "accounts":
            self.split_accounts(scope, node_id, node, name, todo)
        elif isinstance(node, SplitNode):
            self.split_people(scope, node_id, node, name, todo)
        elif isinstance(node, ListenNode):
            self.listen(scope, node_id, node, name, todo)
        elif isinstance(node, MergeNode):
            scope.states[name] = {
                "Type": "Pass",
                "Comment": f"node {node_id}: the entry continues with its own cohort",
                "Parameters": dict(_ENTRY),
                **self.goto(scope, node.next, todo),
            }
        elif isinstance(node, EndNode):
            scope.states[name] = {"Type": "Succeed", "Comment": f"node {node_id}"}

    # -- node types --------------------------------------------------------------------------------

    def action(self, scope: _Scope, node_id: str, node: ActionNode, name: str, todo: list[str]) -> None:
        spec = get_action(node.action)
        if spec is None:
            self.issues.append(Issue(node=node_id, field="action", message=f"unknown action {node.action!r}"))
            return
        for where in _dollar_keys(node.params, "params"):
            self.issues.append(
                Issue(node=node_id, field=where, message="a key ending in '.$' cannot be sent literally")
            )
        body = {
            "taskToken.$": "$$.Task.Token",
            "journeyId.$": "$.journeyId",
            "journeyVersion.$": "$.journeyVersion",
            "entryId.$": "$$.Execution.Name",
            "nodeId": node_id,
            "accountId.$": "$.accountId",
            "cohort.$": "$.cohort",
            "target": node.on,
            "action": node.action,
            "params": node.params,
        }
        failed = self._name(f"Action failed: {node_id}", node_id)
        scope.states[name] = {
            "Type": "Task",
            "Comment": f"node {node_id}: {node.action} on {node.on}",
            "Resource": SQS_SEND,
            "Parameters": {"QueueUrl": f"${{{spec.queue_placeholder}}}", "MessageBody": body},
            "TimeoutSeconds": ACTION_TIMEOUT_SECONDS,
            "ResultPath": None,
            "Retry": _retry(SQS_TRANSIENT),
            "Catch": [_catch_all(failed)],
            **self.goto(scope, node.next, todo),
        }
        scope.states[failed] = _fail(ACTION_FAILED, node_id)

    def split_accounts(
        self, scope: _Scope, node_id: str, node: SplitNode, name: str, todo: list[str]
    ) -> None:
        choice = self._name(f"Split by accounts: {node_id}", node_id)
        failed = self._name(f"Split failed: {node_id}", node_id)
        scope.states[name] = {
            "Type": "Task",
            "Comment": f"node {node_id}: read the account's split view",
            "Resource": DYNAMODB_GET,
            "Parameters": {
                "TableName": f"${{{messages.TABLE_PLACEHOLDER}}}",
                "Key": _account_key(),
                "ProjectionExpression": messages.SPLIT_VIEW_ATTRIBUTE,
            },
            "ResultSelector": {"view.$": f"States.StringToJson($.Item.{messages.SPLIT_VIEW_ATTRIBUTE}.S)"},
            "ResultPath": "$.account",
            "Retry": _retry(DYNAMODB_TRANSIENT),
            "Catch": [_catch_all(failed)],
            "Next": choice,
        }
        scope.states[failed] = _fail(SPLIT_FAILED, node_id)
        choices: list[dict[str, Any]] = []
        default: str | None = None
        for path in node.paths:
            if path.otherwise:
                default = self.goto(scope, path.next, todo).get("Next")
            elif path.when is not None:
                choices.append(
                    {**conditions_rule(path.when), "Next": self.goto(scope, path.next, todo)["Next"]}
                )
        if default is None:
            # Unmatched accounts leave the journey (DESIGN 3).
            default = self._name(f"Leave journey: no path of {node_id} matched", node_id)
            scope.states[default] = {"Type": "Succeed", "Comment": f"node {node_id}: no path matched"}
        labels = "; ".join(f"{i + 1}. {p.label}" for i, p in enumerate(node.paths))
        state: State = {"Type": "Choice", "Comment": f"node {node_id}: {labels}", "Default": default}
        if choices:
            state["Choices"] = choices
        else:
            # Only an otherwise path: a Choice needs a rule, so pass straight through instead.
            state = {"Type": "Pass", "Comment": f"node {node_id}: {labels}", "Next": default}
        scope.states[choice] = state

    def split_people(self, scope: _Scope, node_id: str, node: SplitNode, name: str, todo: list[str]) -> None:
        merge = people_split_merge(node, self.nodes)
        if merge is None:
            self.issues.append(
                Issue(node=node_id, field="paths", message="a split by people must close with a merge")
            )
            return
        partition = self._name(f"Partition people: {node_id}", node_id)
        parallel = self._name(f"Split by people: {node_id}", node_id)
        failed = self._name(f"Split failed: {node_id}", node_id)
        paths = [
            None if p.otherwise or p.when is None else p.when.model_dump(mode="json", exclude_none=True)
            for p in node.paths
        ]
        # The conditions travel as a Pass `Result`, not inline in Parameters: the `null` that marks
        # `otherwise` (messages.CohortSplitRequest) is valid ASL but asl-validator 4.0.0 refuses
        # null array items in a payload template, and an intrinsic literal would need `\{`
        # escapes that moto's executor does not unescape.
        scope.states[name] = {
            "Type": "Pass",
            "Comment": f"node {node_id}: the path conditions, in order (null: otherwise)",
            "Result": {"paths": paths},
            "ResultPath": "$.split",
            "Next": partition,
        }
        scope.states[partition] = {
            "Type": "Task",
            "Comment": f"node {node_id}: one stored cohort per path, passed by reference",
            "Resource": LAMBDA_INVOKE,
            "Parameters": {
                "FunctionName": f"${{{messages.COHORT_FUNCTION_PLACEHOLDER}}}",
                "Payload": {
                    "journeyId.$": "$.journeyId",
                    "entryId.$": "$$.Execution.Name",
                    "nodeId": node_id,
                    "accountId.$": "$.accountId",
                    "cohort.$": "$.cohort",
                    "paths.$": "$.split.paths",
                },
            },
            "ResultSelector": {"cohorts.$": "$.Payload.cohorts", "sizes.$": "$.Payload.sizes"},
            "ResultPath": "$.split",
            "Retry": _retry(LAMBDA_TRANSIENT),
            "Catch": [_catch_all(failed)],
            "Next": parallel,
        }
        scope.states[failed] = _fail(SPLIT_FAILED, node_id)
        branches = []
        for index, path in enumerate(node.paths):
            enter = self._name(f"Path {index + 1} of {node_id}: {path.label}", node_id)
            branch = _Scope(stop=merge)
            inner: list[str] = []
            step = self.goto(branch, path.next, inner)
            self.drain(branch, inner)
            branch_states = {
                enter: {
                    "Type": "Pass",
                    "Comment": f"node {node_id}: the people of path {index + 1}",
                    "Parameters": {**_ENTRY_NO_COHORT, "cohort.$": f"$.split.cohorts[{index}]"},
                    **step,
                },
                **branch.states,
            }
            branches.append({"StartAt": enter, "States": branch_states})
        scope.states[parallel] = {
            "Type": "Parallel",
            "Comment": f"node {node_id}: one branch per path, closed by {merge}",
            "Branches": branches,
            "ResultPath": None,
            "Next": self.entry(scope, merge, todo),
        }

    def listen(self, scope: _Scope, node_id: str, node: ListenNode, name: str, todo: list[str]) -> None:
        timeout = LISTEN_MAX_SECONDS
        if node.timeout is not None:
            if node.timeout.until is not None:
                self.issues.append(
                    Issue(
                        node=node_id,
                        field="timeout.until",
                        message="a listen timeout must be a duration in compiled journeys "
                        "(TimeoutSeconds is fixed when the state machine is created)",
                    )
                )
                return
            timeout = node.timeout.seconds
        failed = self._name(f"Listen failed: {node_id}", node_id)
        target = node.timeout.next if node.timeout is not None else None
        if target is not None:
            on_timeout = self.goto(scope, target, todo)["Next"]
        else:
            on_timeout = self._name(f"Leave journey: {node_id} timed out", node_id)
        payload = {
            "taskToken.$": "$$.Task.Token",
            "journeyId.$": "$.journeyId",
            "entryId.$": "$$.Execution.Name",
            "nodeId": node_id,
            "accountId.$": "$.accountId",
            "cohort.$": "$.cohort",
            "on": node.event.on,
            "eventType": node.event.type,
            "filters": node.event.filters,
            "enteredAt.$": "$$.State.EnteredTime",
        }
        scope.states[name] = {
            "Type": "Task",
            "Comment": f"node {node_id}: wait for {node.event.on} event {node.event.type}",
            "Resource": LAMBDA_CALLBACK,
            "Parameters": {
                "FunctionName": f"${{{messages.LISTENER_FUNCTION_PLACEHOLDER}}}",
                "Payload": payload,
            },
            "TimeoutSeconds": timeout,
            "ResultPath": None,
            "Retry": _retry(LAMBDA_TRANSIENT),
            "Catch": [
                {"ErrorEquals": ["States.Timeout"], "ResultPath": None, "Next": on_timeout},
                _catch_all(failed),
            ],
            **self.goto(scope, node.next, todo),
        }
        scope.states[failed] = _fail(LISTEN_FAILED, node_id)
        if target is None:
            scope.states[on_timeout] = {
                "Type": "Succeed",
                "Comment": f"node {node_id}: no event before the timeout",
            }


def _placeholder_like(value: Any, where: str) -> list[str]:
    """Fields holding `${...}`: DefinitionSubstitutions would take user text for a placeholder."""
    if isinstance(value, str):
        return [where] if PLACEHOLDER.search(value) else []
    if isinstance(value, dict):
        return [
            w for k, v in value.items() for w in _placeholder_like(v, f"{where}.{k}" if where else str(k))
        ]
    if isinstance(value, list):
        return [w for i, v in enumerate(value) for w in _placeholder_like(v, f"{where}[{i}]")]
    return []


def _user_text_issues(journey: Journey) -> list[Issue]:
    reserved = "'${...}' is reserved for deployment placeholders"
    issues = [
        Issue(node="(journey)", field=at, message=reserved)
        for at in _placeholder_like({"name": journey.name}, "")
    ]
    for node_id, node in journey.nodes.items():
        for at in _placeholder_like(node.model_dump(mode="json", exclude_none=True), ""):
            issues.append(Issue(node=node_id, field=at, message=reserved))
    return issues


def compile_journey(journey: Journey) -> CompiledJourney:
    """Compile a validated journey; raises CompileError for what ASL cannot express."""
    compiler = _Compiler(journey)
    start, states = compiler.scope(journey.start)
    compiler.issues += _user_text_issues(journey)
    if compiler.issues:
        raise CompileError(compiler.issues)
    definition = {
        "Comment": f"Account journey {journey.id}: {journey.name}",
        "StartAt": start,
        "States": states,
    }
    text = to_json_text(definition)
    return CompiledJourney(definition, text, placeholders(definition), compiler.node_states)
