"""Payload templates: Parameters and ResultSelector, with `key.$` fields bound to paths/intrinsics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import AslDefinitionError
from .intrinsics import Arg, Call, EvalEnv, evaluate, is_intrinsic, parse_intrinsic
from .paths import Path, parse_path

# (data, context, new_uuid) -> value: a template (or one of its nodes) turned into a function.
Evaluator = Callable[[Any, Any, Callable[[], str]], Any]


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled payload template; `evaluate` resolves it against state data and context."""

    node: Any
    # `node` turned into one generated function at definition time (see `_evaluator`): a
    # transition then builds the payload in a single call, without walking the node.
    run: Evaluator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "run", _evaluator(self.node))

    def evaluate(self, env: EvalEnv) -> Any:
        return self.run(env.data, env.context, env.new_uuid)


@dataclass(frozen=True, slots=True)
class _Bound:
    arg: Arg


@dataclass(frozen=True, slots=True)
class _Const:
    """A subtree without any `.$` field: returned as is (values are never mutated in place)."""

    value: Any


def _has_binding(node: Any) -> bool:
    if isinstance(node, _Bound):
        return True
    if isinstance(node, dict):
        return any(_has_binding(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_binding(v) for v in node)
    return False


def _fold(node: Any) -> Any:
    """Replace binding-free subtrees by constants, so evaluation only walks what varies."""
    if not _has_binding(node):
        return _Const(_unwrap(node))
    if isinstance(node, dict):
        return {k: _fold(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_fold(v) for v in node]
    return node


def _unwrap(node: Any) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, dict):
        return {k: _unwrap(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unwrap(v) for v in node]
    return node


def _compile(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise AslDefinitionError(where, "payload keys must be strings")
            if key.endswith(".$"):
                field = f"{where}.{key}"
                if not isinstance(item, str):
                    raise AslDefinitionError(
                        field, "a '.$' field must hold a path or intrinsic function string"
                    )
                bound: Arg = parse_intrinsic(item, field) if is_intrinsic(item) else parse_path(item, field)
                name = key[:-2]
                if name in value:
                    raise AslDefinitionError(field, f"both {name!r} and {key!r} are set")
                out[name] = _Bound(bound)
            else:
                out[key] = _compile(item, f"{where}.{key}")
        return out
    if isinstance(value, list):
        return [_compile(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return value


# Nesting kept in one generated expression; deeper subtrees get their own function (the
# parser limits nested brackets).
_MAX_INLINE_DEPTH = 16


def _call_evaluator(call: Call) -> Evaluator:
    def run(data: Any, context: Any, new_uuid: Callable[[], str]) -> Any:
        return evaluate(call, EvalEnv(data, context, new_uuid))

    return run


def _expression(node: Any, names: dict[str, Any], depth: int) -> str:
    """Python source building the folded `node` from `d` (data), `c` (context), `u` (new_uuid).

    Every key, constant and function is referenced by a generated name bound in `names`: no
    text from the definition ever becomes source.
    """

    def bind(value: Any) -> str:
        name = f"_{len(names)}"
        names[name] = value
        return name

    if isinstance(node, _Const):
        return bind(node.value)
    if isinstance(node, _Bound):
        arg = node.arg
        if isinstance(arg, Path):
            return _read_expression(arg, bind)
        if isinstance(arg, Call):
            return f"{bind(_call_evaluator(arg))}(d, c, u)"
        return bind(arg.value)
    if isinstance(node, dict | list) and depth >= _MAX_INLINE_DEPTH:
        return f"{bind(_evaluator(node))}(d, c, u)"
    if isinstance(node, dict):
        members = [f"{bind(key)}: {_expression(item, names, depth + 1)}" for key, item in node.items()]
        return "{" + ", ".join(members) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_expression(item, names, depth + 1) for item in node) + "]"
    return bind(node)


def _read_expression(path: Path, bind: Callable[[Any], str]) -> str:
    """Source reading `path`: field paths inline, so the common case makes no call.

    The inline walk only takes plain dicts whose every field is present, exactly where
    `path.read` would succeed; anything else (a missing field, an index, another type) calls
    `path.read`, which gives the value or raises the usual error.
    """
    read = f"{bind(path.read)}(d, c)"
    root = "c" if path.context else "d"
    if not path.steps:
        return root
    if not all(isinstance(step, str) for step in path.steps):
        return read
    tests: list[str] = []
    value = root
    for i, step in enumerate(path.steps):
        key = bind(step)
        if i:  # name the intermediate value, to test it without reading it twice
            temp = f"_t{len(tests)}"
            tests.append(f"({temp} := {value}).__class__ is dict and {key} in {temp}")
            value = temp
        else:
            tests.append(f"{value}.__class__ is dict and {key} in {value}")
        value = f"{value}[{key}]"
    return f"({value} if {' and '.join(tests)} else {read})"


def _evaluator(node: Any) -> Evaluator:
    """A function producing what the folded `node` resolves to, generated once per template.

    One dict/list display per template instead of a walk over its nodes on every transition.
    Same results, same evaluation order (members left to right, so the same error wins and
    States.UUID draws in the same order) and the same sharing of constants as walking the node.
    """
    names: dict[str, Any] = {}
    source = f"def evaluate(d, c, u):\n    return {_expression(node, names, 0)}\n"
    exec(compile(source, "<payload template>", "exec"), names)  # noqa: S102 - generated names only
    function: Evaluator = names["evaluate"]
    return function


def compile_template(value: Any, where: str) -> Template:
    """Compile a Parameters/ResultSelector value; bad paths or intrinsics are definition errors."""
    return Template(_fold(_compile(value, where)))
