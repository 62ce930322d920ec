"""`replaced` is `model_copy(update=...)` for frozen models, sharing what does not change."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from journeys.model.common import FrozenDict, replaced
from journeys.model.profiles import Account, Person

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
# what the store changes with it: extras (any scalar) and named fields with a value of their type
changes_of = st.dictionaries(
    st.sampled_from(["title", "status", "region", "leadSource"]), scalars, max_size=3
) | (st.dictionaries(st.sampled_from(["firstName", "lastName"]), st.text(max_size=5), min_size=1, max_size=2))
people = st.builds(
    lambda extra, scores: Person.model_validate(
        {"id": "p1", "account": "a1", "email": "ada@example.com", **extra, "scores": scores}
    ),
    st.dictionaries(st.sampled_from(["status", "region", "firstName"]), st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.floats(allow_nan=False), max_size=2),
)


def same(a: Any, b: Any) -> None:
    assert a == b
    assert a.model_fields_set == b.model_fields_set
    assert a.__pydantic_extra__ == b.__pydantic_extra__
    assert a.model_dump(mode="json") == b.model_dump(mode="json")


@given(people, changes_of)
def test_a_person_replaced_equals_its_model_copy(person: Person, changes: dict[str, Any]) -> None:
    same(replaced(person, changes), person.model_copy(update=changes))


@given(people, st.dictionaries(st.text(max_size=3), st.floats(allow_nan=False), max_size=3))
def test_new_scores_replace_like_model_copy_and_leave_the_original_as_it_was(
    person: Person, scores: dict[str, float]
) -> None:
    before = person.model_dump(mode="json")
    update = {"scores": FrozenDict(scores)}
    same(replaced(person, update), person.model_copy(update=update))
    assert person.model_dump(mode="json") == before


def test_what_does_not_change_is_shared_and_what_changes_is_not() -> None:
    person = Person.model_validate({"id": "p1", "account": "a1", "status": "new", "region": "EU"})
    copy = replaced(person, {"status": "engaged"})
    assert copy.__dict__ is person.__dict__ and copy.model_fields_set is person.model_fields_set
    assert copy.__pydantic_extra__ is not person.__pydantic_extra__
    assert (person.status, copy.status, copy.region) == ("new", "engaged", "EU")  # type: ignore[attr-defined]
    named = replaced(person, {"email": "ada@example.com"})
    assert named.__dict__ is not person.__dict__ and "email" not in person.model_fields_set
    account = Account.model_validate({"id": "a1", "name": "Acme"})
    assert replaced(account, {"tier": "gold"}).model_dump()["tier"] == "gold"


class Mutable(BaseModel):
    name: str


def test_a_model_that_is_not_frozen_is_refused() -> None:
    with pytest.raises(TypeError, match="not frozen"):
        replaced(Mutable(name="a"), {"name": "b"})


def test_people_with_the_same_fields_share_one_fields_set_and_so_do_their_copies() -> None:
    # Given two people validated with the same names set, and one with another
    ada = Person.model_validate({"id": "p1", "account": "a1", "email": "ada@example.com", "status": "new"})
    bob = Person.model_validate({"id": "p2", "account": "a1", "email": "bob@example.com", "status": "old"})
    cy = Person.model_validate({"id": "p3", "account": "a1"})
    # Then the first two share one set object, equal to what each was given
    assert ada.model_fields_set is bob.model_fields_set
    assert ada.model_fields_set == {"id", "account", "email", "status"} and cy.model_fields_set == {
        "id",
        "account",
    }
    # When both get the same new attribute, their copies share the larger set too
    ada2, bob2 = replaced(ada, {"region": "EU"}), replaced(bob, {"region": "US"})
    assert ada2.model_fields_set is bob2.model_fields_set
    assert ada2.model_fields_set == {"id", "account", "email", "status", "region"}
    # And the originals' set is unchanged
    assert ada.model_fields_set == {"id", "account", "email", "status"}
    with pytest.raises(ValidationError, match="frozen"):
        ada.email = "eve@example.com"
