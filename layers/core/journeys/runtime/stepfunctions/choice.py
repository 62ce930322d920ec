"""Choice rules: data-test expressions (`Variable` + one comparison) and And / Or / Not."""

from __future__ import annotations

import operator
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import AslDefinitionError, StatesRuntimeError
from .paths import Path, parse_path

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO-8601 timestamp as ASL accepts it (with a zone), or None."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _coerce(kind: str, value: Any) -> Any:
    """Value as the comparison family sees it, or None when its type does not fit (-> false)."""
    if kind == "String":
        return value if isinstance(value, str) else None
    if kind == "Numeric":
        return value if _is_number(value) else None
    if kind == "Boolean":
        return value if isinstance(value, bool) else None
    return parse_timestamp(value)


def _wildcard(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}


class Rule(ABC):
    """A boolean rule evaluated against state data and the context object."""

    @abstractmethod
    def test(self, data: Any, context: Any) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Not(Rule):
    rule: Rule

    def test(self, data: Any, context: Any) -> bool:
        return not self.rule.test(data, context)


@dataclass(frozen=True, slots=True)
class _All(Rule):
    rules: tuple[Rule, ...]

    def test(self, data: Any, context: Any) -> bool:
        return all(rule.test(data, context) for rule in self.rules)


@dataclass(frozen=True, slots=True)
class _Any(Rule):
    rules: tuple[Rule, ...]

    def test(self, data: Any, context: Any) -> bool:
        return any(rule.test(data, context) for rule in self.rules)


@dataclass(frozen=True, slots=True)
class _Compare(Rule):
    variable: Path
    kind: str  # String | Numeric | Boolean | Timestamp
    op: Callable[[Any, Any], bool]
    expected: Any  # literal, or a Path for the `...Path` variants
    operator_name: str

    def test(self, data: Any, context: Any) -> bool:
        actual = _read_variable(self.variable, data, context)
        expected = self.expected.read(data, context) if isinstance(self.expected, Path) else self.expected
        left, right = _coerce(self.kind, actual), _coerce(self.kind, expected)
        if left is None or right is None:
            return False
        return bool(self.op(left, right))


@dataclass(frozen=True, slots=True)
class _Matches(Rule):
    variable: Path
    pattern: re.Pattern[str]

    def test(self, data: Any, context: Any) -> bool:
        actual = _read_variable(self.variable, data, context)
        return isinstance(actual, str) and self.pattern.fullmatch(actual) is not None


@dataclass(frozen=True, slots=True)
class _TypeTest(Rule):
    variable: Path
    check: Callable[[Any], bool] | None  # None: IsPresent
    expected: bool

    def test(self, data: Any, context: Any) -> bool:
        if self.check is None:
            return self.variable.exists(data, context) == self.expected
        return self.check(_read_variable(self.variable, data, context)) == self.expected


def _read_variable(variable: Path, data: Any, context: Any) -> Any:
    try:
        return variable.read(data, context)
    except StatesRuntimeError:
        # Same wording as Step Functions: a missing Variable is a runtime failure, not `false`.
        raise StatesRuntimeError(
            f"Invalid path '{variable.text}': The choice state's condition path references an invalid value."
        ) from None


def _comparison(variable: Path, name: str, value: Any, where: str) -> Rule:
    if name in _TYPE_TESTS or name == "IsPresent":
        if not isinstance(value, bool):
            raise AslDefinitionError(where, f"{name} takes true or false")
        return _TypeTest(variable, _TYPE_TESTS.get(name), value)
    if name == "StringMatches":
        if not isinstance(value, str):
            raise AslDefinitionError(where, "StringMatches takes a string pattern")
        return _Matches(variable, _wildcard(value))
    by_path = name.endswith("Path")
    base = name[:-4] if by_path else name
    for kind in ("String", "Numeric", "Boolean", "Timestamp"):
        if base.startswith(kind) and base[len(kind) :] in _ORDER:
            suffix = base[len(kind) :]
            if kind == "Boolean" and suffix != "Equals":
                break
            if by_path:
                return _Compare(variable, kind, _ORDER[suffix], parse_path(value, where), name)
            if _coerce(kind, value) is None:
                raise AslDefinitionError(where, f"{name} needs a {kind.lower()} value, got {value!r}")
            return _Compare(variable, kind, _ORDER[suffix], value, name)
    raise AslDefinitionError(where, f"unsupported choice comparison operator {name!r}")


def parse_rule(raw: Any, where: str, *, top_level: bool) -> Rule:
    """Parse a choice rule; a top-level rule also carries `Next` (checked by the caller)."""
    if not isinstance(raw, dict):
        raise AslDefinitionError(where, "a choice rule must be an object")
    allowed_extra = {"Next", "Comment"} if top_level else {"Comment"}
    keys = set(raw) - allowed_extra
    for combinator, build in (("And", _All), ("Or", _Any)):
        if combinator in keys:
            if keys != {combinator}:
                raise AslDefinitionError(
                    where, f"{combinator} cannot be combined with {sorted(keys - {combinator})}"
                )
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise AslDefinitionError(f"{where}.{combinator}", "must be a non-empty list of rules")
            return build(
                tuple(
                    parse_rule(r, f"{where}.{combinator}[{i}]", top_level=False) for i, r in enumerate(items)
                )
            )
    if "Not" in keys:
        if keys != {"Not"}:
            raise AslDefinitionError(where, f"Not cannot be combined with {sorted(keys - {'Not'})}")
        return _Not(parse_rule(raw["Not"], f"{where}.Not", top_level=False))
    if "Variable" not in keys:
        raise AslDefinitionError(where, f"a choice rule needs Variable, And, Or or Not (got {sorted(keys)})")
    operators = keys - {"Variable"}
    if len(operators) != 1:
        raise AslDefinitionError(
            where, f"a choice rule needs exactly one comparison operator, got {sorted(operators)}"
        )
    name = operators.pop()
    variable = parse_path(raw["Variable"], f"{where}.Variable")
    return _comparison(variable, name, raw[name], f"{where}.{name}")
