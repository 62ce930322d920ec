"""Sandboxed templates for emails, SMS and alerts: only the fields they are given, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
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

    # No instance attributes: `{{ a.b }}` on a PlainContext can only find a key or a dict
    # attribute, which the fast path relies on.
    __slots__ = ()


def plain_context(context: Mapping[str, Any]) -> PlainContext:
    return PlainContext(_plain(context))


def render(source: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    """Render with plain data only (dicts of scalars); missing fields render empty."""
    data = context if isinstance(context, PlainContext) else _plain(context)
    plan = _fast_plan(source, html)
    if plan is not None:
        try:
            text = _render_fast(plan, data, html)
        except Exception:  # e.g. str() of a huge int: jinja raises it in its own words
            text = None
        if text is not None:
            return text
    return _render_with_jinja(source, data, html=html)


def _render_with_jinja(source: str, data: Mapping[str, Any], *, html: bool = False) -> str:
    """The reference renderer: jinja over already plain data."""
    try:
        return str(_compiled(source, html).render(**data))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template error at line {exc.lineno}: {exc.message}") from exc
    except Exception as exc:  # the sandbox raises SecurityError and others on misuse
        raise TemplateError(f"template cannot render: {exc}") from exc


# Fast path. Most templates are literal text with `{{ a.b.c }}` fields; for those a plan
# replaces jinja's render, with jinja's exact semantics. Whatever the fast path does not
# reproduce exactly gives None, and jinja renders it.

# Leading text, then each field's lookup path with the text that follows it.
_Plan = tuple[str, tuple[tuple[tuple[str, ...], str], ...]]
_MISSING: Any = object()
_CONTAINERS = (dict, PlainContext)
# The sandbox's getattr tries the attribute before the key (`{{ person.items }}` is the dict
# method): a path segment naming an attribute of a container is left to jinja.
_ATTRIBUTE_PROBES: tuple[dict[str, Any], ...] = ({}, PlainContext())


@lru_cache(maxsize=4096)
def _fast_plan(source: str, html: bool) -> _Plan | None:
    """The plan if the template is only text and `{{ a.b.c }}` fields, else None."""
    env = _html_environment() if html else _environment()
    try:
        # jinja's own parser: comments, raw blocks, whitespace control, trailing newline.
        tree = env.parse(source)
    except Exception:  # jinja reports it
        return None
    head = ""
    fields: list[tuple[tuple[str, ...], str]] = []
    for node in tree.body:
        if type(node) is not nodes.Output:
            return None
        for child in node.nodes:
            if type(child) is nodes.TemplateData:
                # Literal text is never escaped.
                if fields:
                    fields[-1] = (fields[-1][0], fields[-1][1] + child.data)
                else:
                    head += child.data
                continue
            path = _lookup_path(child)
            if path is None:
                return None
            fields.append((path, ""))
    return head, tuple(fields)


def _lookup_path(node: nodes.Node) -> tuple[str, ...] | None:
    """`a.b.c` as ("a", "b", "c"); None for any other expression."""
    attrs: list[str] = []
    while type(node) is nodes.Getattr and node.ctx == "load":
        if any(hasattr(probe, node.attr) for probe in _ATTRIBUTE_PROBES):
            return None
        attrs.append(node.attr)
        node = node.node
    # `self` is jinja's TemplateReference, not a context field.
    if type(node) is not nodes.Name or node.ctx != "load" or node.name == "self":
        return None
    return (node.name, *reversed(attrs))


def _render_fast(plan: _Plan, data: Mapping[str, Any], html: bool) -> str | None:
    """The plan over plain data, or None where only jinja gives the exact output or error."""
    # jinja is called with render(**data): a non-str key or `self` (render's own parameter)
    # makes that call fail.
    if "self" in data:
        return None
    for key in data:
        if type(key) is not str:
            return None
    head, fields = plan
    out = [head]
    for path, text_after in fields:
        value: Any = data
        for name in path:
            if type(value) not in _CONTAINERS:
                return None  # a scalar's attribute, or a missing intermediate (jinja raises)
            value = value.get(name, _MISSING)
        if value is not _MISSING:  # else the default Undefined, which renders empty
            kind = type(value)
            if kind is str:
                if html:
                    # markupsafe's `escape` of a str, without building two Markup objects (its
                    # cost, per field): the replacements of markupsafe's own pure-Python escape.
                    value = (
                        value.replace("&", "&amp;")
                        .replace(">", "&gt;")
                        .replace("<", "&lt;")
                        .replace("'", "&#39;")
                        .replace('"', "&#34;")
                    )
                out.append(value)
            elif kind in _SCALARS:
                # int, float, bool and None print none of `&<>'"`: never escaped.
                out.append(str(value))
            else:
                return None
        out.append(text_after)
    return "".join(out)


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
