"""A journey as a Mermaid flowchart (`journeys diagram`)."""

from __future__ import annotations

import re

from journeys.catalog import get_action
from journeys.definition.durations import format_seconds
from journeys.definition.model import (
    AccountListAudience,
    ActionNode,
    EndNode,
    Journey,
    ListenNode,
    MergeNode,
    SplitNode,
    WaitNode,
)

_SAFE = re.compile(r"[^A-Za-z0-9_]")


def _id(node_id: str) -> str:
    return "n_" + _SAFE.sub("_", node_id)


def _text(value: str) -> str:
    # Mermaid labels are quoted; its entity codes keep quotes and brackets from breaking them.
    return value.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(journey: Journey) -> str:
    lines = ["flowchart TD"]
    audience = journey.audience
    who = f"list {audience.accountList}" if isinstance(audience, AccountListAudience) else "segment"
    lines.append(f'  audience(["Audience: {_text(who)}"]) --> {_id(journey.start)}')
    for node_id, node in journey.nodes.items():
        nid = _id(node_id)
        title = _text(node.label or node_id)
        if isinstance(node, ActionNode):
            spec = get_action(node.action)
            label = spec.label if spec else node.action
            lines.append(f'  {nid}["{_text(label)}<br/><small>{title} · {node.on}</small>"]')
            lines.append(f"  {nid} --> {_id(node.next)}")
        elif isinstance(node, SplitNode):
            lines.append(f'  {nid}{{"Split by {node.by}<br/><small>{title}</small>"}}')
            for path in node.paths:
                lines.append(f'  {nid} -->|"{_text(path.label)}"| {_id(path.next)}')
        elif isinstance(node, WaitNode):
            how = format_seconds(node.seconds) if node.duration else f"until {node.until:%Y-%m-%d %H:%M}"
            lines.append(f'  {nid}[/"Wait {how}<br/><small>{title}</small>"/]')
            lines.append(f"  {nid} --> {_id(node.next)}")
        elif isinstance(node, ListenNode):
            lines.append(f'  {nid}(["Listen: {node.event.on} {node.event.type}<br/><small>{title}</small>"])')
            lines.append(f'  {nid} -->|"event"| {_id(node.next)}')
            if node.timeout:
                after = format_seconds(node.timeout.seconds) if node.timeout.duration else "date"
                target = _id(node.timeout.next) if node.timeout.next else f"{nid}_exit"
                if not node.timeout.next:
                    lines.append(f'  {nid}_exit((("Leave")))')
                lines.append(f'  {nid} -->|"timeout after {after}"| {target}')
        elif isinstance(node, MergeNode):
            lines.append(f'  {nid}(("Merge"))')
            lines.append(f"  {nid} --> {_id(node.next)}")
        elif isinstance(node, EndNode):
            lines.append(f'  {nid}((("End")))')
    return "\n".join(lines) + "\n"
