"""JSONPath subset of ASL: reference paths (`$.a.b`, `$['a b']`, `$.list[0]`) and `$$` context paths.

Paths are parsed once, when the state machine is created, so a bad path is a definition error
naming the state and field, never a surprise in the middle of an execution.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import AslDefinitionError, StatesRuntimeError

_FIELD = re.compile(r"\.([A-Za-z_][A-Za-z0-9_\-]*)")
_QUOTED = re.compile(r"\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*\"((?:[^\"\\]|\\.)*)\"\s*\]")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")

Step = str | int
Reader = Callable[[Any, Any], Any]  # (data, context) -> value


@dataclass(frozen=True, slots=True)
class Path:
    """A parsed reference path; `context` is True for `$$` (the context object).

    `read(data, context)` is the value at this path; a missing value raises ``States.Runtime``.
    """

    text: str
    context: bool
    steps: tuple[Step, ...]
    # A function specialised to this path's shape, made once when the path is parsed: paths are
    # read several times per state transition, and most are `$`, `$.field` or `$$.A.B`.
    read: Reader = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "read", _reader(self.text, self.context, self.steps))

    def exists(self, data: Any, context: Any) -> bool:
        """Whether the path selects a value (Choice `IsPresent`)."""
        try:
            self.read(data, context)
        except StatesRuntimeError:
            return False
        return True


def _not_found(text: str) -> StatesRuntimeError:
    return StatesRuntimeError(f"The JSONPath '{text}' could not be found in the input")


def _reader(text: str, context: bool, steps: tuple[Step, ...]) -> Reader:
    """`Path.read` for one path: the general walk, or a shortcut with the same results and errors."""
    if not steps:
        return (lambda data, ctx: ctx) if context else (lambda data, ctx: data)
    if len(steps) == 1 and isinstance(steps[0], str):
        key = steps[0]

        def read_field(data: Any, ctx: Any) -> Any:
            value = ctx if context else data
            if isinstance(value, dict) and key in value:
                return value[key]
            raise _not_found(text)

        return read_field
    if len(steps) == 2 and isinstance(steps[0], str) and isinstance(steps[1], str):
        first, second = steps

        def read_two_fields(data: Any, ctx: Any) -> Any:
            value = ctx if context else data
            if isinstance(value, dict) and first in value:
                value = value[first]
                if isinstance(value, dict) and second in value:
                    return value[second]
            raise _not_found(text)

        return read_two_fields

    def read(data: Any, ctx: Any) -> Any:
        value = ctx if context else data
        for step in steps:
            if isinstance(step, str):
                if not isinstance(value, dict) or step not in value:
                    raise _not_found(text)
                value = value[step]
            else:
                if not isinstance(value, list) or not -len(value) <= step < len(value):
                    raise _not_found(text)
                value = value[step]
        return value

    return read


def parse_path(text: object, where: str, *, allow_context: bool = True) -> Path:
    """Parse a reference path; raise a definition error naming `where` when it is not one."""
    if not isinstance(text, str):
        raise AslDefinitionError(where, f"a path must be a string, got {type(text).__name__}")
    context = text.startswith("$$")
    if context and not allow_context:
        raise AslDefinitionError(where, f"context paths ($$) are not allowed here: {text!r}")
    rest = text[2:] if context else text[1:] if text.startswith("$") else None
    if rest is None:
        raise AslDefinitionError(where, f"a path must start with '$': {text!r}")
    steps: list[Step] = []
    pos = 0
    while pos < len(rest):
        if m := _FIELD.match(rest, pos):
            steps.append(m.group(1))
        elif m := _QUOTED.match(rest, pos):
            raw = m.group(1) if m.group(1) is not None else m.group(2)
            steps.append(re.sub(r"\\(.)", r"\1", raw))
        elif m := _INDEX.match(rest, pos):
            steps.append(int(m.group(1)))
        else:
            raise AslDefinitionError(
                where,
                f"unsupported JSONPath {text!r} at {rest[pos:]!r} "
                "(supported: $, $.field, $['field'], $.list[0], and $$ for the context object)",
            )
        pos = m.end()
    return Path(text=text, context=context, steps=tuple(steps))


def write_result(data: Any, path: Path | None, result: Any) -> Any:
    """Apply a ResultPath: None discards the result, `$` replaces the input, else set a field."""
    if path is None:
        return data
    if not path.steps:
        return result
    root = copy.deepcopy(data) if isinstance(data, dict) else {}
    node: Any = root
    for i, step in enumerate(path.steps):
        last = i == len(path.steps) - 1
        if isinstance(step, int):
            if not isinstance(node, list) or not -len(node) <= step < len(node):
                raise _result_path_error(path)
            if last:
                node[step] = result
            else:
                node = node[step]
            continue
        if not isinstance(node, dict):
            raise _result_path_error(path)
        if last:
            node[step] = result
        else:
            child = node.get(step)
            if not isinstance(child, dict | list):
                child = {}
                node[step] = child
            node = child
    return root


def _result_path_error(path: Path) -> StatesRuntimeError:
    """The error SFN raises when a ResultPath cannot be applied to the state input."""
    return StatesRuntimeError(f"Unable to apply ResultPath '{path.text}' to the state input")
