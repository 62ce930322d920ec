"""Journeys in the DESIGN section 3 format, built in code for the compiler tests."""

from __future__ import annotations

from typing import Any

from journeys.definition.model import Journey
from journeys.definition.validate import validate_definition


def journey(nodes: dict[str, Any], start: str, **extra: Any) -> Journey:
    raw = {"id": "test-journey", "name": "Test journey", "audience": {"accountList": "all"}, "start": start}
    report = validate_definition({**raw, **extra, "nodes": nodes})
    assert report.journey is not None, [str(i) for i in report.issues]
    return report.journey


def action(name: str, nxt: str, on: str = "people", **params: Any) -> dict[str, Any]:
    return {"type": "action", "on": on, "action": name, "params": params, "next": nxt}
