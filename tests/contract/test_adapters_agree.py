"""Property: any sequence of list, score, count and ledger operations gives the same answers and
the same final state on both adapters."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeys.model.lists import AccountList
from journeys.outcomes import ActionResult
from journeys.store.dynamodb import DynamoStore
from journeys.store.memory import InMemoryStore
from journeys.store.repository import Store
from tests.contract.builders import person
from tests.contract.conftest import TABLE

ACCOUNTS = st.sampled_from(["a", "b", "c"])
PEOPLE = st.sampled_from(["p1", "p2"])
OPERATIONS = st.one_of(
    st.tuples(st.just("add"), ACCOUNTS),
    st.tuples(st.just("remove"), ACCOUNTS),
    st.tuples(st.just("score"), PEOPLE, st.sampled_from(["+", "-", "=", "=-"]), st.integers(0, 50)),
    st.tuples(st.just("count"), st.sampled_from(["waiting", "applied"]), st.integers(-3, 3)),
    st.tuples(st.just("claim"), PEOPLE),
    st.tuples(st.just("record"), PEOPLE, st.sampled_from(["applied", "skipped"])),
)
_runs = itertools.count()


def _apply(store: Store, run: str, op: tuple[Any, ...]) -> object:
    kind = op[0]
    if kind == "add":
        return store.add_to_account_list(run, op[1])
    if kind == "remove":
        return store.remove_from_account_list(run, op[1])
    if kind == "score":
        return store.change_score(f"{run}-{op[1]}", "S", f"{op[2]}{op[3]}")
    if kind == "count":
        store.add_counts(run, "node", {op[1]: op[2]})
        return None
    if kind == "claim":
        return store.ledger_claim(run, "node", op[1])
    result = ActionResult.applied(op[1]) if op[2] == "applied" else ActionResult.skipped(op[1], "why")
    store.ledger_record(run, "node", [result])
    return None


def _state(store: Store, run: str) -> object:
    listed = store.get_account_list(run)
    ledger = store.ledger_get(run, "node", ["p1", "p2"])
    return (
        listed.members if listed else None,
        [p.scores for p in store.get_people([f"{run}-p1", f"{run}-p2"])],
        store.node_counts(run),
        {s: (row.outcome, row.reason) for s, row in ledger.items()},
    )


@settings(
    max_examples=12,
    deadline=None,
    # One moto table serves every example: each example works under its own ids.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(OPERATIONS, max_size=12))
def test_both_adapters_agree(dynamo_client: Any, operations: list[tuple[Any, ...]]) -> None:
    run = f"run{next(_runs)}"
    stores: list[Store] = [InMemoryStore(), DynamoStore(TABLE, dynamo_client)]
    for store in stores:
        store.put_account_list(AccountList(id=run, name="L", members=["b"]))
        for pid in ("p1", "p2"):
            store.put_person(person(f"{run}-{pid}", scores={"S": 5}))

    answers = [[_apply(store, run, op) for op in operations] for store in stores]

    assert answers[0] == answers[1]
    assert _state(stores[0], run) == _state(stores[1], run)
