"""Person attributes: the plain-value path agrees with pydantic's JSON dump for any person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from journeys.model.common import FrozenDict, Scalar
from journeys.model.profiles import Person

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.dates(min_value=date(2000, 1, 1)),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_extras = st.dictionaries(st.from_regex(r"x[a-z]{1,6}", fullmatch=True), _values, max_size=5)


@given(
    extras=_extras,
    first=st.one_of(st.none(), st.text(max_size=8)),
    lead=st.one_of(st.none(), st.integers(1, 10**9)),
)
def test_attributes_match_the_json_dump(
    extras: dict[str, object], first: str | None, lead: int | None
) -> None:
    person = Person.model_validate(
        {
            "id": "p1",
            "account": "a1",
            "firstName": first,
            "marketoLeadId": lead,
            "scores": {"S": 2.5},
            **extras,
        }
    )

    fast = person.attributes()

    assert fast == person.attributes_by_dump()
    assert list(fast) == list(person.attributes_by_dump())
    assert "scores" not in fast


def test_plain_values_are_taken_as_they_are_and_others_go_through_json() -> None:
    person = Person.model_validate({"id": "p1", "account": "a1", "since": date(2026, 1, 2), "tier": "gold"})

    assert person.attributes()["since"] == "2026-01-02"
    assert person.attributes()["tier"] == "gold"
    assert Person.model_validate({"id": "p", "account": "a", "x": float("inf")}).attributes()["x"] is None


class Text(str):
    """A str subclass: not plain data as it is."""


# Whatever a person holds: `model_construct` and `model_copy(update=...)` (how the stores write a
# change) skip validation, so any value can reach `attributes()`.
_any_value = st.one_of(
    _values,
    st.floats(),
    st.text(max_size=3).map(Text),
    st.just(FrozenDict({"S": 1.0})),
    st.decimals(allow_nan=False, places=2, max_value=10**6, min_value=-(10**6)),
)
_names = st.sampled_from(["id", "email", "firstName", "scores", "marketoLeadId", "xa", "xb", "scores2"])


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic's dump warns about the odd values
@settings(max_examples=300)
@given(
    fields=st.dictionaries(_names, _any_value, max_size=5),
    extras=st.dictionaries(_names, _any_value, max_size=3),
)
# Scores that are plain data are kept in place; others are left out, wherever they are.
@example(fields={"scores": 2.5, "xa": "a"}, extras={})
@example(fields={"scores": float("nan"), "xa": "a"}, extras={})
@example(fields={"scores": None}, extras={"xa": 1.5})
@example(fields={"xa": "a"}, extras={"xa": FrozenDict()})
@example(fields={"scores": FrozenDict()}, extras={"scores": "x"})
def test_attributes_match_building_them_key_by_key(
    fields: dict[str, object], extras: dict[str, object]
) -> None:
    person = Person.model_construct(id="p1", account="a1")
    # Fields and extras as drawn, a name in both included (only possible this way).
    object.__setattr__(person, "__dict__", {**person.__dict__, **fields})
    object.__setattr__(person, "__pydantic_extra__", extras)

    def outcome(attributes: Callable[[], dict[str, Scalar]]) -> tuple[str, object]:
        try:
            found = attributes()
        except Exception as exc:  # the JSON dump refuses some values: the same way for both
            return "error", repr(exc)
        return "ok", (found, list(found), [type(v) for v in found.values()])

    assert outcome(person.attributes) == outcome(person._attributes_key_by_key)


@pytest.mark.parametrize(
    "extra",
    [{"tier": "gold"}, {"since": date(2026, 1, 2)}, {"scores": "x"}],
    ids=["plain", "dumped", "field-and-extra"],
)
def test_attributes_are_a_new_dict_each_call(extra: dict[str, object]) -> None:
    person = Person.model_validate({"id": "p1", "account": "a1", "firstName": "Ann"})
    object.__setattr__(person, "__pydantic_extra__", extra)
    before = dict(person.__dict__)

    first = person.attributes()
    first["firstName"] = "changed"
    first["added"] = 1

    assert person.attributes()["firstName"] == "Ann" and "added" not in person.attributes()
    assert person.__dict__ == before and person.__pydantic_extra__ == extra
