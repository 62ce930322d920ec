"""`TimelineEntry.with_subject` makes what the constructor makes of the same fields."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from journeys.model.lists import MAX_DESCRIPTION, MAX_ID, TimelineEntry


class SubStr(str):
    """A str subclass: `Id` turns it into a plain str."""


_ids = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters=" \t\n\r\x0b\x0c"), min_size=1, max_size=12
)
_subjects = st.one_of(
    _ids,  # a person's id: the fast path
    st.text(max_size=8),  # whitespace, unicode, empty
    st.text(st.characters(categories=["Cs", "Ll", "Zs", "Cc"]), max_size=4),  # `Id` refuses lone surrogates
    st.builds(
        lambda pad, core: pad + core + pad, st.sampled_from([" ", "\t", "\x1c", "\x85", "\u3000"]), _ids
    ),
    st.sampled_from(["x" * MAX_ID, "y" * (MAX_ID + 1), "é" * MAX_ID]),
    _ids.map(SubStr),
    st.sampled_from([None, 5]),
)
_fields = st.fixed_dictionaries(
    {
        "on": st.sampled_from(["account", "person"]),
        "subject": _ids,
        "type": st.sampled_from(["email", "milestone", "web"]),
        "at": st.text(max_size=8),
    },
    optional={
        "description": st.one_of(st.none(), st.text(max_size=MAX_DESCRIPTION)),
        "journey": st.one_of(st.none(), st.text(max_size=6)),
        "node": st.one_of(st.none(), st.text(max_size=6)),
    },
)


@settings(max_examples=300)
@given(fields=_fields, subject=_subjects)
def test_with_subject_is_what_the_constructor_makes(fields: dict[str, Any], subject: Any) -> None:
    # Given a valid moment (made from some of its fields), and another subject
    first = TimelineEntry.model_validate(fields)
    try:
        want = TimelineEntry.model_validate({**fields, "subject": subject})
    except ValidationError as refused:
        # Then the subject is refused as the constructor refuses it
        with pytest.raises(ValidationError) as caught:
            first.with_subject(subject)
        assert caught.value.errors() == refused.errors()
        return

    # Or the moment is the constructor's, field for field
    made = first.with_subject(subject)
    assert type(made) is TimelineEntry
    assert made == want
    assert list(made.__dict__.items()) == list(want.__dict__.items())
    assert type(made.subject) is str
    assert made.model_fields_set == want.model_fields_set
    assert (made.__pydantic_extra__, made.__pydantic_private__) == (None, None)
    assert repr(made) == repr(want)
    # And the first moment is left as it was
    assert first == TimelineEntry.model_validate(fields)


def test_with_subject_shares_nothing_that_changes() -> None:
    first = TimelineEntry(on="person", subject="p-1", type="web", at="2026-01-01T00:00:00.000000Z")

    second = first.with_subject("p-2")
    moved = second.model_copy(update={"description": "later"})

    assert (first.subject, second.subject, moved.description) == ("p-1", "p-2", "later")
    assert first.model_fields_set == second.model_fields_set == {"on", "subject", "type", "at"}
    assert second.description is None
