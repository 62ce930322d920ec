"""`new_email` and `new_sms` build exactly what validating `OutboundEmail`/`OutboundSms` builds."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from journeys.executors.ports import OutboundEmail, OutboundSms, new_email, new_sms, str_dict


class Text(str):
    """A str subclass: validation turns it into a plain str, so the fast path must not keep it."""


class Items(list[Any]):
    """A list subclass, which validation copies into a plain list."""


class Tags(dict[Any, Any]):
    """A dict subclass, which validation copies into a plain dict."""


# Valid strings (any code point, surrogates and NUL included), and the near misses validation
# converts (a str subclass, a tuple) or refuses.
_strs = st.text(st.characters(codec=None, categories=None), max_size=6)
_subclassed = _strs.map(Text)
_odd = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=False, max_value=5),
    st.booleans(),
    st.none(),
    st.binary(max_size=3),
    st.just(["x"]),
)
_str_lists = st.lists(_strs, min_size=1, max_size=3)
_str_dicts = st.dictionaries(_strs, _strs, max_size=4)


def _among_valid(odd: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """A list of valid strings with one odd value somewhere in it."""
    return st.tuples(_str_lists, st.integers(0, 3), odd).map(lambda t: [*t[0][: t[1]], t[2], *t[0][t[1] :]])


def _in_dict(key: st.SearchStrategy[Any], value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[Any, Any]]:
    """A dict of valid strings with one more item, odd in its key or its value."""
    return st.tuples(_str_dicts, key, value).map(lambda t: {**t[0], t[1]: t[2]})


EMAIL = {
    "to": _str_lists,
    "sender": _strs,
    "subject": _strs,
    "html": _strs,
    "text": st.one_of(st.none(), _strs),
    "tags": _str_dicts,
}
SMS = {"to": _strs, "text": _strs, "tags": _str_dicts}
# One field at a time is swapped for a near miss, so that each refusal of the fast path is drawn.
_ODD_SCALARS = [("subclass", _subclassed), ("other", _odd)]
_ODD_TAGS = [
    ("tags:subclass-key", _in_dict(_subclassed, _strs)),
    ("tags:subclass-value", _in_dict(_strs, _subclassed)),
    ("tags:other-key", _in_dict(st.integers(0, 2), _strs)),
    ("tags:other-value", _in_dict(_strs, _odd)),
    ("tags:pairs", _str_dicts.map(lambda d: list(d.items()))),
    ("tags:subclass", _str_dicts.map(Tags)),
    ("tags:other", _odd),
]
ODD_EMAIL = [
    ("to:subclass-address", _among_valid(_subclassed)),
    ("to:other-address", _among_valid(_odd)),
    ("to:empty", st.just([])),
    ("to:tuple", _str_lists.map(tuple)),
    ("to:subclass", _str_lists.map(Items)),
    ("to:scalar", st.one_of(_strs, _subclassed, _odd)),
    *[(f"{field}:{kind}", odd) for field in ("sender", "subject", "html") for kind, odd in _ODD_SCALARS],
    ("text:subclass", _subclassed),
    ("text:other", _odd.filter(lambda v: v is not None)),
    *_ODD_TAGS,
]
ODD_SMS = [*[(f"{field}:{kind}", odd) for field in ("to", "text") for kind, odd in _ODD_SCALARS], *_ODD_TAGS]


def _draw(
    data: st.DataObject,
    valid: dict[str, st.SearchStrategy[Any]],
    odd: tuple[str, st.SearchStrategy[Any]] | None,
) -> dict[str, Any]:
    fields = {name: data.draw(strategy, label=name) for name, strategy in valid.items()}
    if odd is not None:
        fields[odd[0].split(":")[0]] = data.draw(odd[1], label=odd[0])
    return fields


def _outcome(build: Callable[[], BaseModel]) -> tuple[str, Any]:
    """Everything a model holds (slots, exact value types, dumps), or the validation errors."""
    try:
        model = build()
    except ValidationError as exc:
        return "invalid", exc.errors(include_url=False)
    data = dict(model.__dict__)
    return "ok", (
        type(model),
        data,
        {k: type(v) for k, v in data.items()},
        [type(a) for a in data["to"]] if isinstance(data.get("to"), list) else None,
        {(type(k), type(v)) for k, v in data["tags"].items()},
        model.model_fields_set,
        model.__pydantic_extra__,
        model.__pydantic_private__,
        model.model_dump(),
        repr(model),
    )


@pytest.mark.parametrize("odd", [None, *ODD_EMAIL], ids=lambda case: case[0] if case else "valid")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_new_email_is_the_validated_model(
    odd: tuple[str, st.SearchStrategy[Any]] | None, data: st.DataObject
) -> None:
    fields = _draw(data, EMAIL, odd)
    expected = _outcome(lambda: OutboundEmail(**fields))
    # Each build gets its own list and dict: new_email keeps what it is given.
    assert _outcome(lambda: new_email(**_copies(fields))) == expected
    if str_dict(fields["tags"]):  # what an executor vouches for with tags_checked
        assert _outcome(lambda: new_email(**_copies(fields), tags_checked=True)) == expected


@pytest.mark.parametrize("odd", [None, *ODD_SMS], ids=lambda case: case[0] if case else "valid")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_new_sms_is_the_validated_model(
    odd: tuple[str, st.SearchStrategy[Any]] | None, data: st.DataObject
) -> None:
    fields = _draw(data, SMS, odd)
    expected = _outcome(lambda: OutboundSms(**fields))
    assert _outcome(lambda: new_sms(**_copies(fields))) == expected
    if str_dict(fields["tags"]):
        assert _outcome(lambda: new_sms(**_copies(fields), tags_checked=True)) == expected


def _copies(fields: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of each value, of its own type (`Items.copy()` would be a plain list)."""
    return {k: copy.copy(v) for k, v in fields.items()}


def test_the_fast_path_is_taken_for_exact_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparisons above would also hold if both always validated: prove the fast one does not.
    expected_email = OutboundEmail(
        to=["a@b.example"], sender="s@x.example", subject="S", html="H", text=None, tags={}
    )
    expected_sms = OutboundSms(to="+15550000000", text="T", tags={"person": "p"})
    monkeypatch.setattr(OutboundEmail, "__init__", _refuse)
    monkeypatch.setattr(OutboundSms, "__init__", _refuse)

    email = new_email(to=["a@b.example"], sender="s@x.example", subject="S", html="H", text=None, tags={})
    sms = new_sms(to="+15550000000", text="T", tags={"person": "p"}, tags_checked=True)

    assert email == expected_email and email.model_fields_set == expected_email.model_fields_set
    assert email.kind == "email"
    assert sms == expected_sms and sms.model_fields_set == expected_sms.model_fields_set
    with pytest.raises(AssertionError, match="validated"):
        new_sms(to="+15550000000", text=Text("T"), tags={})


def _refuse(self: BaseModel, **data: Any) -> None:
    raise AssertionError("validated")


def test_messages_are_frozen_so_they_may_share_a_fields_set() -> None:
    fields: dict[str, Any] = {"sender": "s@x.example", "subject": "S", "html": "H", "text": None}
    first = new_email(to=["a@b.example"], tags={}, **fields)
    second = new_email(to=["a@b.example"], tags={}, **fields)
    sms = new_sms(to="+15550000000", text="T", tags={})
    with pytest.raises(ValidationError, match="frozen"):
        first.kind = "sales_alert"
    with pytest.raises(ValidationError, match="frozen"):
        sms.text = "changed"
    assert first.kind == "email" and sms.text == "T"
    assert second.model_fields_set == {"to", "sender", "subject", "html", "text", "tags"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [({}, True), ({"a": "b"}, True), ({"a": Text("b")}, False), ({Text("a"): "b"}, False), ({1: "b"}, False)],
)
def test_str_dict(value: dict[Any, Any], expected: bool) -> None:
    assert str_dict(value) is expected
    assert str_dict(list(value.items())) is False
