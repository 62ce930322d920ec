"""Sandboxed templates for emails, SMS and alerts: only the fields they are given, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment


class TemplateError(ValueError):
    """A template that does not parse or cannot render."""


@lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    # No loader: a template cannot include or import files. The sandbox blocks attribute
    # access to internals and calls of unsafe callables; globals are emptied so nothing but
    # the given fields is reachable.
    env = ImmutableSandboxedEnvironment(autoescape=False, undefined=Undefined)
    env.globals.clear()
    return env


@lru_cache(maxsize=1)
def _html_environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=Undefined)
    env.globals.clear()
    return env


def check_template(source: str) -> None:
    try:
        _environment().parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template error at line {exc.lineno}: {exc.message}") from exc


@lru_cache(maxsize=4096)
def _compiled(source: str, html: bool) -> Any:
    env = _html_environment() if html else _environment()
    return env.from_string(source)


class PlainContext(dict[str, Any]):
    """A context already reduced to plain data: several renders (subject, html, text) share it."""


def plain_context(context: Mapping[str, Any]) -> PlainContext:
    return PlainContext(_plain(context))


def render(source: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    """Render with plain data only (dicts of scalars); missing fields render empty."""
    data = context if isinstance(context, PlainContext) else _plain(context)
    try:
        return str(_compiled(source, html).render(**data))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template error at line {exc.lineno}: {exc.message}") from exc
    except Exception as exc:  # the sandbox raises SecurityError and others on misuse
        raise TemplateError(f"template cannot render: {exc}") from exc


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """Copy to dicts/lists/scalars so a template sees data, never objects with methods."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _SCALARS else _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    return str(value)


__all__ = ["PlainContext", "StrictUndefined", "TemplateError", "check_template", "plain_context", "render"]
