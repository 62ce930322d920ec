"""Payload templates: Parameters and ResultSelector, with `key.$` fields bound to paths/intrinsics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import AslDefinitionError
from .intrinsics import Arg, EvalEnv, evaluate, is_intrinsic, parse_intrinsic
from .paths import parse_path


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled payload template; `evaluate` resolves it against state data and context."""

    node: Any

    def evaluate(self, env: EvalEnv) -> Any:
        return _resolve(self.node, env)


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


def _resolve(node: Any, env: EvalEnv) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, _Bound):
        return evaluate(node.arg, env)
    if isinstance(node, dict):
        return {key: _resolve(item, env) for key, item in node.items()}
    if isinstance(node, list):
        return [_resolve(item, env) for item in node]
    return node


def compile_template(value: Any, where: str) -> Template:
    """Compile a Parameters/ResultSelector value; bad paths or intrinsics are definition errors."""
    return Template(_fold(_compile(value, where)))
