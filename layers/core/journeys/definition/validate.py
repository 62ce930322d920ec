"""Validate a journey definition: structure, graph rules, action inputs, events, references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from journeys.catalog.actions import ACTIONS, get_action
from journeys.catalog.events import EVENT_TYPES, get_event_type
from journeys.catalog.refs import ref_kind
from journeys.definition.graph import check_graph
from journeys.definition.model import (
    AccountListAudience,
    ActionNode,
    BuyingGroupCondition,
    Journey,
    ListenNode,
    Node,
    SplitNode,
)
from journeys.definition.parse import JOURNEY, parse_journey
from journeys.definition.references import ReferenceContext, Unresolved, resolve
from journeys.issues import Issue, from_pydantic, sort_issues
from journeys.model.dataset import DataSet
from journeys.sources import SourceError, load_document, parse_text


class ValidationReport(BaseModel):
    journey: Journey | None
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.issues and self.journey is not None


def validate_file(path: str | Path, data: DataSet | None = None) -> ValidationReport:
    try:
        raw = load_document(Path(path))
    except SourceError as exc:
        return ValidationReport(journey=None, issues=[Issue(node=JOURNEY, field="(file)", message=str(exc))])
    return validate_definition(raw, data)


def validate_text(text: str, data: DataSet | None = None) -> ValidationReport:
    try:
        raw = parse_text(text)
    except SourceError as exc:
        return ValidationReport(journey=None, issues=[Issue(node=JOURNEY, field="(file)", message=str(exc))])
    return validate_definition(raw, data)


def validate_definition(raw: Any, data: DataSet | None = None) -> ValidationReport:
    """Every issue, each naming node, field and reason. References are checked only with data."""
    parsed = parse_journey(raw)
    issues = list(parsed.issues)
    issues += check_graph(parsed.nodes, parsed.node_ids, parsed.start)
    params: dict[str, BaseModel] = {}
    for node_id, node in parsed.nodes.items():
        issues += _check_node(node_id, node, params, parsed.nodes)
    if data is not None:
        ctx = ReferenceContext(data, journey_id=raw.get("id") if isinstance(raw, dict) else None)
        for node_id, node in parsed.nodes.items():
            issues += _check_references(node_id, node, params.get(node_id), ctx)
        if parsed.journey is not None:
            issues += _check_audience(parsed.journey, ctx)
    issues = sort_issues(issues)
    return ValidationReport(journey=parsed.journey if not issues else None, issues=issues)


def _check_node(
    node_id: str, node: Node, params: dict[str, BaseModel], nodes: dict[str, Node]
) -> list[Issue]:
    if isinstance(node, ActionNode):
        spec = get_action(node.action)
        if spec is None:
            return [
                Issue(
                    node=node_id,
                    field="action",
                    message=f"unknown action '{node.action}' (see `journeys actions`; {len(ACTIONS)} known)",
                )
            ]
        issues = []
        if spec.target != node.on:
            issues.append(
                Issue(
                    node=node_id,
                    field="on",
                    message=f"action '{spec.id}' applies to {spec.target}, not {node.on}",
                )
            )
        try:
            params[node_id] = spec.inputs.model_validate(node.params)
        except ValidationError as exc:
            issues += from_pydantic(exc, node=node_id, prefix=("params",))
        return issues
    if isinstance(node, ListenNode):
        if node.timeout is not None and node.timeout.until is not None:
            # TimeoutSeconds is fixed when the state machine is created: a date cannot be compiled.
            return [
                Issue(
                    node=node_id,
                    field="timeout.until",
                    message="a listen timeout takes a duration, not a date",
                )
            ]
        event = get_event_type(node.event.on, node.event.type)
        if event is None:
            known = ", ".join(e.type for e in EVENT_TYPES.values() if e.on == node.event.on)
            return [
                Issue(
                    node=node_id,
                    field="event.type",
                    message=f"unknown {node.event.on} event '{node.event.type}' (known: {known})",
                )
            ]
        try:
            params[node_id] = event.filters.model_validate(node.event.filters)
        except ValidationError as exc:
            return from_pydantic(exc, node=node_id, prefix=("event", "filters"))
        return _check_message_filter(node_id, node, nodes)
    return []


# Which action sends what the email and SMS events of a listen node can point back at.
_SENDERS = {"email_opened": "send_email", "email_clicked": "send_email", "sms_clicked": "send_sms"}


def _check_message_filter(node_id: str, node: ListenNode, nodes: dict[str, Node]) -> list[Issue]:
    """`filters.node` names the node whose message the person opened or clicked: it must send one."""
    target = node.event.filters.get("node")
    sender = _SENDERS.get(node.event.type)
    if target is None or sender is None:
        return []
    found = nodes.get(str(target))
    if not isinstance(found, ActionNode) or found.action != sender:
        return [Issue(node=node_id, field="event.filters.node",
                      message=f"'{target}' is not a {sender} node of this journey")]  # fmt: skip
    return []


def _check_references(
    node_id: str, node: Node, model: BaseModel | None, ctx: ReferenceContext
) -> list[Issue]:
    issues: list[Issue] = []
    if model is not None:
        prefix = "params" if isinstance(node, ActionNode) else "event.filters"
        issues += _walk_refs(node_id, prefix, model, ctx)
    if isinstance(node, SplitNode) and node.by == "accounts":
        for i, path in enumerate(node.paths):
            for j, cond in enumerate(path.when.items if path.when else []):
                if isinstance(cond, BuyingGroupCondition):
                    field = f"paths[{i}].when.{path.when.mode if path.when else 'all'}[{j}]"
                    issues += _check_bg_condition(node_id, field, cond, ctx)
    return issues


def _walk_refs(node_id: str, prefix: str, model: BaseModel, ctx: ReferenceContext) -> list[Issue]:
    issues = []
    siblings = model.model_dump(by_alias=True)
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = field.alias or name
        kind = ref_kind(field.json_schema_extra)
        if kind is not None and value is not None:
            reason = ctx.check(kind, value, siblings)
            if reason:
                issues.append(Issue(node=node_id, field=f"{prefix}.{key}", message=reason))
        elif isinstance(value, BaseModel):
            issues += _walk_refs(node_id, f"{prefix}.{key}", value, ctx)
    return issues


def _check_bg_condition(
    node_id: str, field: str, cond: BuyingGroupCondition, ctx: ReferenceContext
) -> list[Issue]:
    try:
        interest = resolve(ctx.data.solutionInterests, cond.buyingGroup, "solution interest")
    except Unresolved as exc:
        return [Issue(node=node_id, field=f"{field}.buyingGroup", message=str(exc))]
    if cond.fact == "membersInRole" and cond.role and interest.role(cond.role) is None:
        return [
            Issue(
                node=node_id, field=f"{field}.role", message=f"'{cond.role}' is not a role of '{interest.id}'"
            )
        ]
    if cond.fact == "stage":
        stages = interest.stages.stages() if interest.stages else []
        values = cond.value if isinstance(cond.value, list) else [cond.value]
        bad = [v for v in values if v not in stages]
        if bad and cond.op in ("eq", "ne", "in"):
            return [
                Issue(
                    node=node_id,
                    field=f"{field}.value",
                    message=f"{bad[0]!r} is not a stage of '{interest.id}'",
                )
            ]
    return []


def _check_audience(journey: Journey, ctx: ReferenceContext) -> list[Issue]:
    audience = journey.audience
    if isinstance(audience, AccountListAudience):
        try:
            lst = resolve(ctx.data.accountLists, audience.accountList, "account list")
        except Unresolved as exc:
            return [Issue(node=JOURNEY, field="audience.accountList", message=str(exc))]
        if lst.status != "live":
            return [
                Issue(
                    node=JOURNEY,
                    field="audience.accountList",
                    message=f"account list '{lst.id}' is {lst.status}; an audience must be a live list",
                )
            ]
    return []


__all__ = ["ValidationReport", "ref_kind", "validate_definition", "validate_file", "validate_text"]
