"""Intrinsic functions (`States.Format(...)` and friends), parsed at definition time.

Only the functions this runtime implements are accepted; any other name is a definition error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import AslDefinitionError, TaskFailure
from .paths import Path, parse_path

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_NAME = re.compile(r"States\.[A-Za-z]+")


# Built once: `json.dumps` with non-default options builds an encoder on every call.
_JSON_TEXT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def to_json_text(value: Any) -> str:
    """JSON as Step Functions writes it: compact, key order kept."""
    return _JSON_TEXT.encode(value)


# The scanner `json.loads` ends up calling: a default JSONDecoder's (set by its __init__,
# which typeshed does not declare).
_JSON_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"  # what JSON allows around a value


def parse_json(text: str) -> Any:
    """`json.loads(text)`: the same value, or the same error.

    Every task answer (and execution input) is parsed, and for a small answer `json.loads`
    spends more in its Python layers (type checks, two whitespace regex scans) than in the
    scan. Text without surrounding whitespace is scanned directly; anything else, including
    every error, goes through `json.loads` itself.
    """
    if text.__class__ is str and text and text[0] not in _JSON_SPACE and text[0] != "\ufeff":
        try:
            value, end = _JSON_SCAN(text, 0)
        except StopIteration:
            pass
        else:
            if end == len(text):
                return value
    return json.loads(text)


def _intrinsic_error(cause: str) -> TaskFailure:
    return TaskFailure("States.IntrinsicFailure", cause)


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any
    # For string literals: the text as written, escapes kept, so States.Format can tell an
    # escaped `\{` from a `{}` placeholder while every other function sees the unescaped value.
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Arg, ...]


Arg = Literal | Path | Call


@dataclass(frozen=True, slots=True)
class EvalEnv:
    """What an intrinsic needs besides its arguments: the data, the context, a UUID source."""

    data: Any
    context: Any
    new_uuid: Callable[[], str]


def _format(env: EvalEnv, args: list[Any], template_raw: str | None = None) -> Any:
    if not args or not isinstance(args[0], str):
        raise _intrinsic_error("States.Format needs a template string as its first argument")
    template, values = (template_raw if template_raw is not None else args[0]), args[1:]
    out: list[str] = []
    used = 0
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "\\" and i + 1 < len(template):
            out.append(template[i + 1])
            i += 2
            continue
        if template.startswith("{}", i):
            if used >= len(values):
                raise _intrinsic_error("States.Format has more placeholders than arguments")
            value = values[used]
            if isinstance(value, dict | list):
                raise _intrinsic_error("States.Format arguments must be strings, numbers, booleans or null")
            out.append(value if isinstance(value, str) else to_json_text(value))
            used += 1
            i += 2
            continue
        out.append(ch)
        i += 1
    if used != len(values):
        raise _intrinsic_error("States.Format has more arguments than placeholders")
    return "".join(out)


def _string_to_json(env: EvalEnv, args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], str):
        raise _intrinsic_error("States.StringToJson takes one string argument")
    try:
        return json.loads(args[0])
    except json.JSONDecodeError as exc:
        raise _intrinsic_error(f"States.StringToJson: invalid JSON ({exc.msg})") from exc


def _json_to_string(env: EvalEnv, args: list[Any]) -> Any:
    if len(args) != 1:
        raise _intrinsic_error("States.JsonToString takes one argument")
    return to_json_text(args[0])


def _array(env: EvalEnv, args: list[Any]) -> Any:
    return list(args)


def _uuid(env: EvalEnv, args: list[Any]) -> Any:
    if args:
        raise _intrinsic_error("States.UUID takes no argument")
    return env.new_uuid()


def _array_length(env: EvalEnv, args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], list):
        raise _intrinsic_error("States.ArrayLength takes one array argument")
    return len(args[0])


def _array_get_item(env: EvalEnv, args: list[Any]) -> Any:
    if len(args) != 2 or not isinstance(args[0], list) or not isinstance(args[1], int):
        raise _intrinsic_error("States.ArrayGetItem takes an array and an index")
    if not 0 <= args[1] < len(args[0]):
        raise _intrinsic_error("States.ArrayGetItem index out of range")
    return args[0][args[1]]


def _array_contains(env: EvalEnv, args: list[Any]) -> Any:
    if len(args) != 2 or not isinstance(args[0], list):
        raise _intrinsic_error("States.ArrayContains takes an array and a value")
    return args[1] in args[0]


def _math_add(env: EvalEnv, args: list[Any]) -> Any:
    if len(args) != 2 or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        raise _intrinsic_error("States.MathAdd takes two integers")
    return args[0] + args[1]


FUNCTIONS: dict[str, Callable[[EvalEnv, list[Any]], Any]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.UUID": _uuid,
    "States.ArrayLength": _array_length,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayContains": _array_contains,
    "States.MathAdd": _math_add,
}


def is_intrinsic(text: str) -> bool:
    """Whether a `.$` value is an intrinsic call rather than a path."""
    return text.startswith("States.")


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.pos = 0

    def fail(self, message: str) -> AslDefinitionError:
        return AslDefinitionError(self.where, f"{message} in intrinsic {self.text!r} at position {self.pos}")

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def call(self) -> Call:
        m = _NAME.match(self.text, self.pos)
        if not m:
            raise self.fail("expected a function name")
        name = m.group(0)
        if name not in FUNCTIONS:
            raise AslDefinitionError(
                self.where,
                f"unsupported intrinsic function {name} (supported: {', '.join(sorted(FUNCTIONS))})",
            )
        self.pos = m.end()
        if self.text[self.pos : self.pos + 1] != "(":
            raise self.fail("expected '('")
        self.pos += 1
        args: list[Arg] = []
        self.skip_spaces()
        if self.text[self.pos : self.pos + 1] == ")":
            self.pos += 1
            return Call(name, ())
        while True:
            self.skip_spaces()
            args.append(self.arg())
            self.skip_spaces()
            ch = self.text[self.pos : self.pos + 1]
            self.pos += 1
            if ch == ")":
                return Call(name, tuple(args))
            if ch != ",":
                self.pos -= 1
                raise self.fail("expected ',' or ')'")

    def arg(self) -> Arg:
        rest = self.text[self.pos :]
        if rest.startswith("'"):
            return self.string()
        if rest.startswith("States."):
            return self.call()
        if rest.startswith("$"):
            end = self.pos
            depth = 0
            quote = False
            while end < len(self.text):
                ch = self.text[end]
                if ch == "'" and self.text[end - 1] != "\\":
                    quote = not quote
                elif not quote and ch == "[":
                    depth += 1
                elif not quote and ch == "]":
                    depth -= 1
                elif not quote and depth == 0 and ch in ",)":
                    break
                end += 1
            path = parse_path(self.text[self.pos : end].strip(), self.where)
            self.pos = end
            return path
        for word, value in (("null", None), ("true", True), ("false", False)):
            if rest.startswith(word):
                self.pos += len(word)
                return Literal(value)
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return Literal(json.loads(m.group(0)))
        raise self.fail("expected an argument (string, number, null, path or function)")

    def string(self) -> Literal:
        self.pos += 1
        start = self.pos
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if ch == "'":
                self.pos += 1
                return Literal("".join(out), self.text[start : self.pos - 1])
            out.append(ch)
            self.pos += 1
        raise self.fail("unterminated string")


def parse_intrinsic(text: str, where: str) -> Call:
    """Parse one intrinsic call expression (the value of a `.$` field)."""
    parser = _Parser(text.strip(), where)
    call = parser.call()
    parser.skip_spaces()
    if parser.pos != len(parser.text):
        raise parser.fail("unexpected text after the call")
    return call


def evaluate(arg: Arg, env: EvalEnv) -> Any:
    """Evaluate a parsed argument or call."""
    if isinstance(arg, Literal):
        return arg.value
    if isinstance(arg, Path):
        return arg.read(env.data, env.context)
    values = [evaluate(a, env) for a in arg.args]
    if arg.name == "States.Format" and arg.args and isinstance(arg.args[0], Literal):
        return _format(env, values, arg.args[0].raw)
    return FUNCTIONS[arg.name](env, values)
