"""Questions about a compiled ASL: which `${...}` placeholders it needs, which error names it uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from journeys.runtime.stepfunctions.substitutions import placeholders as _text_placeholders


def _text(asl: dict[str, Any] | str) -> str:
    return asl if isinstance(asl, str) else json.dumps(asl)


def placeholders(asl: dict[str, Any] | str) -> list[str]:
    """Sorted distinct `${Name}` placeholders (what DefinitionSubstitutions must fill)."""
    return _text_placeholders(_text(asl))


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition.get("States", {}).values():
        yield state
        for branch in state.get("Branches", []):
            yield from _states(branch)


def error_names(asl: dict[str, Any] | str) -> list[str]:
    """Sorted distinct names in every Retry/Catch `ErrorEquals`, branches included."""
    definition = json.loads(asl) if isinstance(asl, str) else asl
    names: set[str] = set()
    for state in _states(definition):
        for handler in (*state.get("Retry", []), *state.get("Catch", [])):
            names.update(handler.get("ErrorEquals", []))
    return sorted(names)


def state_names(asl: dict[str, Any] | str) -> list[str]:
    """Every state name, branches included, in definition order."""
    definition = json.loads(asl) if isinstance(asl, str) else asl
    out: list[str] = []

    def walk(scope: dict[str, Any]) -> None:
        for name, state in scope.get("States", {}).items():
            out.append(name)
            for branch in state.get("Branches", []):
                walk(branch)

    walk(definition)
    return out
