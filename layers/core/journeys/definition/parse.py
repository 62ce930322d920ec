"""Parse a journey document node by node, so every issue names its node and field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from journeys.definition.model import MAX_NODES, NODE_TYPES, Journey, Node, NodeId
from journeys.issues import Issue, from_pydantic

JOURNEY = "(journey)"


class Parsed(BaseModel):
    """What parsing produced: the journey when every part parsed, and always the parsed nodes."""

    journey: Journey | None
    nodes: dict[str, Node]
    node_ids: set[str]  # every key of `nodes`, parsed or not (so references to bad nodes do not cascade)
    start: str | None
    issues: list[Issue]


_NODE_ID: TypeAdapter[str] = TypeAdapter(NodeId)


def parse_journey(raw: Any) -> Parsed:
    issues: list[Issue] = []
    if not isinstance(raw, dict):
        kind = type(raw).__name__ if raw is not None else "nothing"
        issue = Issue(node=JOURNEY, field="(root)", message=f"a journey must be a mapping, got {kind}")
        return Parsed(journey=None, nodes={}, node_ids=set(), start=None, issues=[issue])
    raw_nodes = raw.get("nodes")
    nodes: dict[str, Node] = {}
    node_ids: set[str] = set()
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        issues.append(
            Issue(node=JOURNEY, field="nodes", message="must be a non-empty mapping of node id to node")
        )
        raw_nodes = {}
    elif len(raw_nodes) > MAX_NODES:
        issues.append(
            Issue(node=JOURNEY, field="nodes", message=f"at most {MAX_NODES} nodes (got {len(raw_nodes)})")
        )
        return Parsed(journey=None, nodes={}, node_ids=set(), start=None, issues=issues)
    for key, value in raw_nodes.items():
        node_id = str(key)
        node_ids.add(node_id)
        try:
            _NODE_ID.validate_python(key)
        except ValidationError:
            issues.append(
                Issue(
                    node=node_id,
                    field="(id)",
                    message="a node id is letters, digits, '-', '_' or '.', "
                    "at most 80 characters, given as a string",
                )
            )
            continue
        parsed = _parse_node(node_id, value, issues)
        if parsed is not None:
            nodes[node_id] = parsed
    header = {k: v for k, v in raw.items() if k != "nodes"}
    journey = None
    try:
        journey = Journey.model_validate({**header, "nodes": nodes or {"_": {"type": "end"}}})
    except ValidationError as exc:
        issues.extend(i for i in from_pydantic(exc, node=JOURNEY) if not i.field.startswith("nodes"))
    start = raw.get("start") if isinstance(raw.get("start"), str) else None
    if journey is not None and (len(nodes) != len(raw_nodes) or not nodes):
        journey = None
    return Parsed(journey=journey, nodes=nodes, node_ids=node_ids, start=start, issues=issues)


def _parse_node(node_id: str, value: Any, issues: list[Issue]) -> Node | None:
    if not isinstance(value, dict):
        issues.append(Issue(node=node_id, field="(node)", message="a node must be a mapping"))
        return None
    node_type = value.get("type")
    model = NODE_TYPES.get(node_type) if isinstance(node_type, str) else None
    if model is None:
        known = ", ".join(NODE_TYPES)
        issues.append(
            Issue(node=node_id, field="type", message=f"unknown node type {node_type!r} (known: {known})")
        )
        return None
    try:
        return model.model_validate(value)  # type: ignore[return-value]
    except ValidationError as exc:
        issues.extend(from_pydantic(exc, node=node_id))
        return None
