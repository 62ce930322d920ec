"""Split conditions as Choice rules, with the semantics of `journeys.conditions` (the reference).

The account's split view sits at `$.account.view`. Every comparison is guarded by `IsPresent`,
`IsNull` and a type test, so a missing or mistyped attribute gives the same answer as the
reference evaluator instead of a `States.Runtime` failure.
"""

from __future__ import annotations

import re
from typing import Any

from journeys.conditions import compare
from journeys.definition.model import AttributeCondition, Condition, Conditions

VIEW = "$.account.view"
_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Rule = dict[str, Any]


def json_path(base: str, segments: list[str]) -> str:
    """`base.a['b c']`: dotted where safe, bracket-quoted otherwise."""
    out = base
    for seg in segments:
        if _SAFE.match(seg):
            out += f".{seg}"
        else:
            escaped = seg.replace("\\", "\\\\").replace("'", "\\'")
            out += f"['{escaped}']"
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _present(var: str, yes: bool = True) -> Rule:
    return {"Variable": var, "IsPresent": yes}


def _null(var: str, yes: bool) -> Rule:
    return {"Variable": var, "IsNull": yes}


def _flat(kind: str, rules: list[Rule]) -> Rule:
    """And/Or of rules, nested ones of the same kind spliced in (same order, easier to read)."""
    flat: list[Rule] = []
    for rule in rules:
        flat += rule[kind] if set(rule) == {kind} else [rule]
    return flat[0] if len(flat) == 1 else {kind: flat}


def _and(rules: list[Rule]) -> Rule:
    return _flat("And", rules)


def _or(rules: list[Rule]) -> Rule:
    return _flat("Or", rules)


def _not(rule: Rule) -> Rule:
    return {"Not": rule}


def _escape_wildcard(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


def _equals(var: str, value: Any) -> Rule:
    """`actual == value` for a present, non-null actual (a type mismatch is simply false)."""
    if isinstance(value, bool):
        return _and([{"Variable": var, "IsBoolean": True}, {"Variable": var, "BooleanEquals": value}])
    if _is_number(value):
        return _and([{"Variable": var, "IsNumeric": True}, {"Variable": var, "NumericEquals": value}])
    if isinstance(value, str):
        return _and([{"Variable": var, "IsString": True}, {"Variable": var, "StringEquals": value}])
    return _null(var, True)


_ORDER = {"gt": "GreaterThan", "gte": "GreaterThanEquals", "lt": "LessThan", "lte": "LessThanEquals"}


def _holds_present(op: str, var: str, value: Any) -> Rule:
    """The condition on a value known to be present (null included, as the reference treats it)."""
    if op == "exists":
        return _null(var, value is False)
    if op == "ne":
        return _or([_null(var, True), _not(_equals(var, value))])
    if op == "eq":
        typed = _equals(var, value)
    elif op == "in":
        typed = _or([_equals(var, v) for v in value])
    elif op == "contains":
        typed = {"Variable": var, "StringMatches": f"*{_escape_wildcard(str(value))}*"}
    elif op == "startsWith":
        typed = {"Variable": var, "StringMatches": f"{_escape_wildcard(str(value))}*"}
    elif op in _ORDER:
        kind = "Numeric" if _is_number(value) else "String"
        test = "IsNumeric" if kind == "Numeric" else "IsString"
        typed = _and([{"Variable": var, test: True}, {"Variable": var, f"{kind}{_ORDER[op]}": value}])
    else:
        raise ValueError(f"unknown operator {op!r}")
    # StringMatches on a non-string is false in SFN, but keep the guard explicit and uniform.
    if op in {"contains", "startsWith"}:
        typed = _and([{"Variable": var, "IsString": True}, typed])
    return _and([_null(var, False), typed])


def _first_present(candidates: list[str], present_rule: Any, missing_holds: bool) -> Rule:
    """The condition at the first candidate path that exists, else the missing-value answer."""
    options: list[Rule] = []
    for i, var in enumerate(candidates):
        earlier_absent = [_present(c, False) for c in candidates[:i]]
        options.append(_and([*earlier_absent, _present(var), present_rule(var)]))
    if missing_holds:
        options.append(_and([_present(c, False) for c in candidates]))
    return _or(options)


def _attribute_candidates(attribute: str) -> list[str]:
    """Paths `journeys.conditions.lookup` tries, in order: a dotted key whole first, then split."""
    segments = attribute.split(".")
    return [json_path(VIEW, [*segments[:k], ".".join(segments[k:])]) for k in range(len(segments))]


def condition_rule(cond: Condition) -> Rule:
    """One condition as a Choice rule (without Next)."""
    if isinstance(cond, AttributeCondition):
        missing = cond.value is False if cond.op == "exists" else cond.op == "ne"
        return _first_present(
            _attribute_candidates(cond.attribute), lambda v: _holds_present(cond.op, v, cond.value), missing
        )
    group = json_path(VIEW, ["buyingGroups", cond.buyingGroup])
    if cond.fact == "exists":
        return _present(group, bool(cond.value))
    if cond.fact == "membersInRole":
        var = json_path(group, ["membersInRole", cond.role or ""])
        # No member in that role: the count is 0, as in the reference evaluator.
        return _first_present(
            [var], lambda v: _holds_present(cond.op, v, cond.value), compare(cond.op, 0, cond.value)
        )
    missing = cond.value is False if cond.op == "exists" else cond.op == "ne"
    return _first_present(
        [json_path(group, [cond.fact])], lambda v: _holds_present(cond.op, v, cond.value), missing
    )


def conditions_rule(conditions: Conditions) -> Rule:
    rules = [condition_rule(c) for c in conditions.items]
    return _and(rules) if conditions.mode == "all" else _or(rules)
