"""The fast path of `render` gives jinja's exact output and errors, for every template and context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from journeys.templating import (
    PlainContext,
    TemplateError,
    _fast_plan,
    _render_fast,
    _render_with_jinja,
    plain_context,
    render,
)

T = TypeVar("T")

CTX = plain_context(
    {"person": {"firstName": "Ann", "score": 3.0, "vip": True, "title": None}, "account": {"name": "Acme"}}
)


def _outcome(fn: Callable[[], str]) -> tuple[str, str]:
    try:
        return "ok", fn()
    except TemplateError as exc:
        return "error", str(exc)


def _assert_same_as_jinja(source: str, context: PlainContext, html: bool) -> None:
    expected = _outcome(lambda: _render_with_jinja(source, context, html=html))
    assert _outcome(lambda: render(source, context, html=html)) == expected
    plan = _fast_plan(source, html)
    if plan is not None:
        try:
            fast = _render_fast(plan, context, html)
        except ValueError:  # str() of a huge int: render hands it to jinja
            fast = None
        if fast is not None:  # None hands the render to jinja
            assert ("ok", fast) == expected


def _uses_fast_path(source: str, context: PlainContext, html: bool) -> bool:
    plan = _fast_plan(source, html)
    return plan is not None and _render_fast(plan, context, html) is not None


def _weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Like st.one_of, with weights (st.one_of draws each distinct strategy alike)."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(
        lambda s: s
    )


# Names include dict and str methods (jinja's getattr prefers those to keys), jinja's special
# `self` and names only special inside loops and macros.
NAMES = ["person", "a", "firstName", "items", "get", "upper", "loop", "x"]
names = st.sampled_from([*NAMES[:3] * 3, *NAMES])  # fewer method names than fields
random_paths = st.lists(st.sampled_from([*NAMES, "self"]), min_size=1, max_size=3).map(".".join)

scalars = _weighted(
    (3, st.text(alphabet="Ab <>&\"'\n", max_size=8)),
    (2, st.sampled_from(["<b>", "Tom & Jerry", '"quoted"', "it's", "<&>\"'"])),
    (1, st.none()),
    (1, st.booleans()),
    (1, st.integers(-(10**6), 10**6)),
    (1, st.floats(allow_nan=True, allow_infinity=True)),
)
values = st.recursive(
    scalars,
    lambda inner: _weighted(
        (3, st.dictionaries(names, inner, min_size=1, max_size=5)), (1, st.lists(inner, max_size=2))
    ),
    max_leaves=12,
)
contexts = st.dictionaries(names, values, min_size=1, max_size=6).map(plain_context)

# Mostly plain text; braces, `#` and `%` next to a tag now and then make syntax errors.
literals = st.one_of(
    st.text(alphabet="ab <>&\"'\n\t-", max_size=12),
    st.text(alphabet="a {}#%-\n", max_size=4),
)
comments = st.text(alphabet="ab <>&{}\n", max_size=8)


def _templates(paths: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    fields = st.one_of(
        st.builds("{{{{ {} }}}}".format, paths),
        st.builds("{{{{{}}}}}".format, paths),
        st.builds("{{{{- {} -}}}}".format, paths),
        st.builds("{{{{- {} }}}}".format, paths),
        st.builds("{{{{ {} -}}}}".format, paths),
    )
    others = st.one_of(
        st.builds("{{# {} #}}".format, comments),
        st.builds("{{#- {} -#}}".format, comments),
        st.builds("{{% raw %}}{{{{ {} }}}}{{% endraw %}}".format, paths),
        st.just("{{ self }}"),
    )
    slow = st.one_of(
        st.builds("{{{{ {}|upper }}}}".format, paths),
        st.builds("{{{{ {}['a'] }}}}".format, paths),
        st.builds("{{% if {} %}}yes{{% else %}}no{{% endif %}}".format, paths),
        st.just("{{ 'const' }}"),
        st.just("{{ a.__class__ }}"),
    )
    pieces = _weighted((3, fields), (2, literals), (1, others), (1, slow))
    return st.lists(pieces, min_size=1, max_size=6).map("".join)


def _leaf_paths(value: Any, prefix: str = "") -> list[str]:
    """The dotted paths of the context's scalars."""
    out = []
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(item, dict):
            out += _leaf_paths(item, path)
        elif not isinstance(item, list):
            out.append(path)
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, PlainContext]:
    """A context, and a template whose fields mostly name what the context holds."""
    context = draw(contexts)
    odd_key: Any = draw(st.sampled_from([None] * 8 + ["self", 1]))
    if odd_key is not None:
        context[odd_key] = "me"  # jinja's render(**context) refuses `self` and non-str keys
    known = _leaf_paths(context)
    paths = _weighted((4, st.sampled_from(known)), (1, random_paths)) if known else random_paths
    return draw(_templates(paths)), context


@settings(max_examples=500, deadline=None)
@given(case=cases(), html=st.booleans())
def test_render_matches_jinja(case: tuple[str, PlainContext], html: bool) -> None:
    source, context = case
    _assert_same_as_jinja(source, context, html)


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize(
    ("source", "text", "escaped"),
    [
        ("Hi {{ person.firstName }}", "Hi Ann", "Hi Ann"),
        ("{{ person.title }}", "None", "None"),  # None is not Undefined
        ("{{ person.score }}|{{ person.vip }}", "3.0|True", "3.0|True"),
        ("[{{ person.nickname }}]", "[]", "[]"),  # a missing final key renders empty
        ("[{{ nobody }}]", "[]", "[]"),
        ("<b>{{ v }}</b>", "<b><&>\"'</b>", "<b>&lt;&amp;&gt;&#34;&#39;</b>"),  # literal text never escaped
        ("Hi {{ person.firstName }}\n", "Hi Ann", "Hi Ann"),  # one trailing newline dropped
        ("Hi\n\n", "Hi\n", "Hi\n"),
        ("a {#- note -#} b {{- person.firstName -}} !", "abAnn!", "abAnn!"),
        ("{% raw %}{{ person }}{% endraw %}", "{{ person }}", "{{ person }}"),
        ("", "", ""),
    ],
)
def test_fast_path_cases(source: str, text: str, escaped: str, html: bool) -> None:
    context = PlainContext(CTX, v="<&>\"'")
    assert _uses_fast_path(source, context, html)
    assert render(source, context, html=html) == (escaped if html else text)
    _assert_same_as_jinja(source, context, html)


def test_nested_plain_contexts_take_the_fast_path() -> None:
    # As the messaging executors build them: a PlainContext holding PlainContexts.
    context = PlainContext({"account": plain_context({"name": "Acme"})})
    assert _uses_fast_path("{{ account.name }}", context, True)
    assert render("{{ account.name }}", context, html=True) == "Acme"


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize(
    "source",
    [
        "{{ person.items }}",  # the dict method, not a key
        "{{ person.get }}",
        "{{ person.firstName.upper }}",  # a str method
        "[{{ person.firstName.nothing }}]",  # a scalar's missing attribute: Undefined
        "{{ person }}",  # a dict prints as a dict
        "{{ self }}",  # jinja's TemplateReference
        "{{ person.firstName|upper }}",
        "{% if person.vip %}VIP{% endif %}",
    ],
)
def test_jinja_renders_what_the_fast_path_does_not(source: str, html: bool) -> None:
    assert not _uses_fast_path(source, CTX, html)
    _assert_same_as_jinja(source, CTX, html)


def test_person_items_is_the_dict_method() -> None:
    context = plain_context({"person": {"items": "key"}})
    assert render("{{ person.items }}", context).startswith("<built-in method items of dict object")
    assert render("{{ person.items }}", context, html=True).startswith(
        "&lt;built-in method items of dict object"
    )


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize(
    ("source", "context", "message"),
    [
        ("{{ person.company.name }}", CTX, "has no attribute 'company'"),  # missing intermediate
        ("{{ nobody.name }}", CTX, "'nobody' is undefined"),
        ("{{ person.firstName }}", PlainContext(CTX, self="me"), "multiple values for argument 'self'"),
        ("{{ person.firstName }}", PlainContext({1: "x", "person": {}}), "keywords must be strings"),  # type: ignore[dict-item]
        ("{{ big }}", PlainContext(big=10**5000), "Exceeds the limit"),
        ("Hi {{ person", CTX, "template error at line 1"),
    ],
)
def test_errors_are_jinja_errors(source: str, context: PlainContext, message: str, html: bool) -> None:
    with pytest.raises(TemplateError, match=message):
        render(source, context, html=html)
    _assert_same_as_jinja(source, context, html)


def test_any_mapping_context() -> None:
    context: dict[str, Any] = {"person": {"firstName": "<Ann>"}}
    assert render("{{ person.firstName }}", context, html=True) == "&lt;Ann&gt;"


@settings(max_examples=300)
@given(value=st.text(st.characters(codec=None, categories=None)) | st.text(alphabet="<>&\"'a;#"))
def test_html_fields_are_escaped_as_markupsafe_escapes(value: str) -> None:
    # The fast path escapes a str itself (markupsafe's `escape` builds two Markup objects).
    context = PlainContext(v=value)
    assert _uses_fast_path("{{ v }}", context, True)
    assert render("[{{ v }}]", context, html=True) == f"[{escape(value)}]"
    assert render("[{{ v }}]", context) == f"[{value}]"
