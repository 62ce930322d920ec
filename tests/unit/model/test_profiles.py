"""Person attributes: the plain-value path agrees with pydantic's JSON dump for any person."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

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
