"""Evaluate split and segment conditions on plain records (the same semantics the compiled Choice has).

A record is a dict: attributes at the top level, nested dicts reached by dotted paths
(`scores.Person Score`, `buyingGroups.analytics.stage`).
"""

from __future__ import annotations

from typing import Any

from journeys.definition.model import AttributeCondition, BuyingGroupCondition, Condition, Conditions

_MISSING = object()


def lookup(record: dict[str, Any], path: str) -> Any:
    """Value at a dotted path; a key that itself holds dots (a score name) is tried whole first."""
    if path in record:
        return record[path]
    head, _, rest = path.partition(".")
    value = record.get(head, _MISSING)
    if not rest:
        return value
    if isinstance(value, dict):
        return lookup(value, rest)
    return _MISSING


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(actual: Any, expected: Any) -> bool:
    """Equality as a Choice rule sees it: a boolean never equals a number (`True == 1` in Python)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual is expected
    return bool(actual == expected)


def compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        present = actual is not _MISSING and actual is not None
        return present if expected in (None, True) else not present
    if actual is _MISSING or actual is None:
        return op == "ne"
    if op == "eq":
        return _same(actual, expected)
    if op == "ne":
        return not _same(actual, expected)
    if op == "in":
        return any(_same(actual, item) for item in expected)
    if op == "contains":
        if isinstance(actual, list):
            return expected in actual
        return isinstance(actual, str) and str(expected) in actual
    if op == "startsWith":
        return isinstance(actual, str) and actual.startswith(str(expected))
    # Ordering only between two numbers or two strings, as Numeric*/String* Choice rules do.
    if not (
        (_number(actual) and _number(expected)) or (isinstance(actual, str) and isinstance(expected, str))
    ):
        return False
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    raise ValueError(f"unknown operator {op!r}")


def condition_path(cond: Condition) -> str:
    """Where a condition reads from in a record (buying-group facts live under `buyingGroups`)."""
    if isinstance(cond, AttributeCondition):
        return cond.attribute
    if cond.fact == "membersInRole":
        return f"buyingGroups.{cond.buyingGroup}.membersInRole.{cond.role}"
    return f"buyingGroups.{cond.buyingGroup}.{cond.fact}"


def holds(cond: Condition, record: dict[str, Any]) -> bool:
    if isinstance(cond, BuyingGroupCondition) and cond.fact == "exists":
        present = isinstance(lookup(record, f"buyingGroups.{cond.buyingGroup}"), dict)
        return present == bool(cond.value)
    actual = lookup(record, condition_path(cond))
    if isinstance(cond, BuyingGroupCondition) and cond.fact == "membersInRole" and actual is _MISSING:
        actual = 0
    return compare(cond.op, actual, cond.value)


def evaluate(conditions: Conditions, record: dict[str, Any]) -> bool:
    results = (holds(c, record) for c in conditions.items)
    return all(results) if conditions.mode == "all" else any(results)


def first_matching_path(paths: list[Conditions | None], record: dict[str, Any]) -> int | None:
    """Index of the first path whose conditions hold (None marks `otherwise`); None if none."""
    for i, when in enumerate(paths):
        if when is None or evaluate(when, record):
            return i
    return None
