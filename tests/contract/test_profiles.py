"""Profiles: accounts, people, attributes, atomic scores, and the split view kept in step."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from journeys.messages import account_key
from journeys.model.buying_groups import SolutionInterest
from journeys.store.repository import NotFound, Store
from tests.contract.builders import account, group, person


def test_unknown_account_and_people(store: Store) -> None:
    assert store.get_account("nope") is None
    assert store.get_people(["nope"]) == []
    assert store.people_of_account("nope") == []
    assert list(store.iter_accounts()) == []
    with pytest.raises(NotFound):
        store.set_account_attribute("nope", "tier", "gold")
    with pytest.raises(NotFound):
        store.set_person_attribute("nope", "jobTitle", "CTO")
    with pytest.raises(NotFound):
        store.change_score("nope", "Person Score", "+1")


def test_account_round_trip_keeps_extra_attributes_and_creation_order(store: Store) -> None:
    store.put_account(account("zeta", tier="gold", employees=12000, revenue=5.0e9, vip=True))
    store.put_account(account("alpha", owner={"name": "Dana", "email": "dana@example.com"}))
    # Re-putting keeps the account's place in the order it was first put.
    store.put_account(account("zeta", tier="silver"))

    got = store.get_account("zeta")
    assert got == account("zeta", tier="silver")
    assert [a.id for a in store.iter_accounts()] == ["zeta", "alpha"]
    alpha = store.get_account("alpha")
    assert alpha is not None and alpha.owner is not None and alpha.owner.email == "dana@example.com"


def test_what_callers_hold_cannot_change_what_is_stored(store: Store) -> None:
    # Given an account and a person put in the store
    original = account("acme", tier="gold")
    store.put_account(original)
    store.put_person(person("p1", scores={"S": 1}))
    fetched = store.get_account("acme")
    people = store.get_people(["p1"])
    assert fetched is not None

    # When callers try to change what they put or got back, then they cannot (frozen objects)
    with pytest.raises(ValidationError, match="frozen"):
        original.name = "changed after put"
    with pytest.raises(ValidationError, match="frozen"):
        fetched.name = "changed after get"
    with pytest.raises(TypeError, match="read-only"):
        people[0].scores["S"] = 99

    # And the store still holds what was put
    again = store.get_account("acme")
    assert again is not None and again.name == "Acme"
    assert store.get_people(["p1"])[0].scores == {"S": 1}


def test_set_account_attribute_returns_previous_and_null_clears(store: Store) -> None:
    store.put_account(account("acme", tier="gold", employees=10))

    assert store.set_account_attribute("acme", "tier", "platinum") == "gold"
    assert store.set_account_attribute("acme", "region", "EMEA") is None
    assert store.set_account_attribute("acme", "employees", None) == 10
    assert store.set_account_attribute("acme", "tier", None) == "platinum"

    got = store.get_account("acme")
    assert got is not None
    assert got.employees is None
    assert (got.model_extra or {}) == {"region": "EMEA"}


def test_set_attribute_refuses_identity_and_invalid_values(store: Store) -> None:
    store.put_account(account("acme"))
    store.put_person(person("p1"))
    with pytest.raises(ValueError):
        store.set_account_attribute("acme", "id", "other")
    with pytest.raises(ValueError):
        store.set_account_attribute("acme", "employees", -5)
    with pytest.raises(ValueError):
        store.set_person_attribute("p1", "scores", 3)
    with pytest.raises(ValueError):
        store.set_person_attribute("p1", "email", "not-an-email")
    assert store.get_account("acme") == account("acme")


def test_people_lookup_order_and_account_index(store: Store) -> None:
    for pid, acc in [("p1", "acme"), ("p2", "acme"), ("p3", "globex")]:
        store.put_person(person(pid, acc, email=f"{pid}@example.com"))

    assert [p.id for p in store.get_people(["p3", "missing", "p1", "p3"])] == ["p3", "p1"]
    assert [p.id for p in store.people_of_account("acme")] == ["p1", "p2"]
    assert [p.id for p in store.iter_people()] == ["p1", "p2", "p3"]

    # Moving a person to another account moves it in the account index too.
    store.put_person(person("p2", "globex"))
    assert [p.id for p in store.people_of_account("acme")] == ["p1"]
    assert sorted(p.id for p in store.people_of_account("globex")) == ["p2", "p3"]


def test_get_people_reads_more_than_one_batch(store: Store) -> None:
    ids = [f"p{n:03d}" for n in range(105)]
    for pid in ids:
        store.put_person(person(pid))
    assert [p.id for p in store.get_people(list(reversed(ids)))] == list(reversed(ids))


def test_set_person_attribute_keeps_scores(store: Store) -> None:
    store.put_person(person("p1", jobTitle="Director", scores={"Person Score": 5}))
    assert store.set_person_attribute("p1", "jobTitle", "CTO") == "Director"
    assert store.set_person_attribute("p1", "newsletter", True) is None
    got = store.get_people(["p1"])[0]
    assert got.scores == {"Person Score": 5}
    assert (got.model_extra or {}) == {"jobTitle": "CTO", "newsletter": True}


@pytest.mark.parametrize(
    ("change", "expected"),
    [("+5", (10.0, 15.0)), ("-12", (10.0, -2.0)), ("=3", (10.0, 3.0)), ("=-4", (10.0, -4.0))],
)
def test_change_score_forms(store: Store, change: str, expected: tuple[float, float]) -> None:
    store.put_person(person("p1", scores={"Person Score": 10}))
    assert store.change_score("p1", "Person Score", change) == expected
    assert store.get_people(["p1"])[0].scores["Person Score"] == expected[1]


def test_change_score_starts_an_unknown_score_at_zero_and_rejects_bad_changes(store: Store) -> None:
    store.put_person(person("p1"))
    assert store.change_score("p1", "Behavior Score", "+7") == (0.0, 7.0)
    with pytest.raises(ValueError):
        store.change_score("p1", "Behavior Score", "*2")
    assert store.get_people(["p1"])[0].scores == {"Behavior Score": 7.0}


def test_concurrent_score_increments_are_never_lost(store: Store) -> None:
    # Given a person with a score of 100
    store.put_person(person("p1", scores={"Person Score": 100}))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(50):
                store.change_score("p1", "Person Score", "+1")
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            errors.append(exc)

    # When 8 threads each add 1, 50 times
    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then every one of the 400 increments counted
    assert errors == []
    assert store.get_people(["p1"])[0].scores["Person Score"] == 500


def _view(store: Store, account_id: str) -> dict[str, Any]:
    item = store.get_item_split_view(account_id)
    assert item is not None
    assert {k: item[k] for k in ("pk", "sk")} == account_key(account_id)
    decoded: dict[str, Any] = json.loads(item["splitView"]["S"])
    return decoded


def test_split_view_follows_account_and_buying_group_writes(store: Store, interest: SolutionInterest) -> None:
    # Given an account and the solution interest its buying group is about
    assert store.get_item_split_view("acme") is None
    store.put_solution_interest(interest)
    store.put_account(account("acme", employees=1200, tier="gold"))
    assert _view(store, "acme") == {
        "id": "acme",
        "name": "Acme",
        "employees": 1200,
        "tier": "gold",
        "buyingGroups": {},
    }

    # When an attribute changes and a buying group is created, then updated
    store.set_account_attribute("acme", "employees", 40)
    version = store.save_buying_group(group("acme", ("p1", "Decision Maker"), stage="Awareness"), None)
    store.save_buying_group(
        group("acme", ("p1", "Decision Maker"), ("p2", "Influencer"), stage="Consideration"), version
    )

    # Then the view holds the new attribute and the group's facts (completeness (1 + 1/2) / 2)
    view = _view(store, "acme")
    assert view["employees"] == 40
    assert view["buyingGroups"] == {
        "analytics": {
            "stage": "Consideration",
            "status": "",
            "completeness": 75,
            "membersInRole": {"Decision Maker": 1, "Influencer": 1},
        }
    }


def test_split_view_follows_a_changed_roles_template(store: Store, interest: SolutionInterest) -> None:
    store.put_solution_interest(interest)
    store.put_account(account("acme"))
    store.save_buying_group(group("acme", ("p1", "Decision Maker")), None)
    assert _view(store, "acme")["buyingGroups"]["analytics"]["completeness"] == 50

    # Only one role left, and it is filled: the group becomes complete.
    store.put_solution_interest(interest.model_copy(update={"roles": interest.roles[:1]}))
    assert _view(store, "acme")["buyingGroups"]["analytics"]["completeness"] == 100


def test_solution_interests(store: Store, interest: SolutionInterest) -> None:
    assert store.get_solution_interest("analytics") is None
    assert store.list_solution_interests() == []
    store.put_solution_interest(interest)
    assert store.get_solution_interest("analytics") == interest
    assert store.list_solution_interests() == [interest]


def _race(*actions: Callable[[], object]) -> None:
    """Run the actions at the same moment on their own threads; re-raise the first failure."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(actions))

    def run(action: Callable[[], object]) -> None:
        start.wait()
        try:
            action()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_attribute_changes_are_all_kept(store: Store) -> None:
    store.put_account(account("acme"))
    store.put_person(person("p1", scores={"S": 1}))

    _race(
        *(lambda n=n: store.set_account_attribute("acme", f"a{n}", n) for n in range(4)),
        lambda: store.set_person_attribute("p1", "jobTitle", "CTO"),
        lambda: store.change_score("p1", "S", "+1"),
    )

    got = store.get_account("acme")
    assert got is not None and (got.model_extra or {}) == {"a0": 0, "a1": 1, "a2": 2, "a3": 3}
    p1 = store.get_people(["p1"])[0]
    assert (p1.model_extra or {}) == {"jobTitle": "CTO"} and p1.scores == {"S": 2}


def test_split_view_holds_every_concurrent_write(store: Store, interest: SolutionInterest) -> None:
    # Given an account and two solution interests
    store.put_solution_interest(interest)
    store.put_solution_interest(interest.model_copy(update={"id": "crm", "name": "CRM"}))
    store.put_account(account("acme"))

    # When both groups and an attribute are written at the same moment
    _race(
        lambda: store.save_buying_group(group("acme", ("p1", "Decision Maker")), None),
        lambda: store.save_buying_group(
            group("acme", ("p2", "Influencer")).model_copy(update={"solutionInterest": "crm"}), None
        ),
        lambda: store.set_account_attribute("acme", "tier", "gold"),
    )

    # Then the view reflects all three writes
    view = _view(store, "acme")
    assert view["tier"] == "gold"
    assert sorted(view["buyingGroups"]) == ["analytics", "crm"]
