"""DynamoDB-only behaviour behind the contract: batch retries, lazy client, the item layout."""

from __future__ import annotations

from typing import Any

import pytest

from journeys.messages import account_key
from journeys.outcomes import ActionResult
from journeys.store import dynamodb
from journeys.store.dynamodb import MAX_BATCH_ATTEMPTS, DynamoStore
from journeys.store.repository import StoreError
from tests.contract.builders import account, person
from tests.contract.conftest import TABLE


class ThrottledBatches:
    """A client that, like a throttled table, processes only part of each batch `times` times."""

    def __init__(self, real: Any, times: int, share: float = 0.5) -> None:
        self.real = real
        self.times = times
        self.share = share
        self.calls = {"batch_get_item": 0, "batch_write_item": 0}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls["batch_get_item"] += 1
        ((table, request),) = RequestItems.items()
        keys = request["Keys"]
        if self.times <= 0 or (len(keys) < 2 and self.share > 0):
            return dict(self.real.batch_get_item(RequestItems=RequestItems))
        self.times -= 1
        half = int(len(keys) * self.share)
        done = (
            self.real.batch_get_item(RequestItems={table: {**request, "Keys": keys[:half]}})
            if half
            else {"Responses": {table: []}}
        )
        return {"Responses": done["Responses"], "UnprocessedKeys": {table: {**request, "Keys": keys[half:]}}}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls["batch_write_item"] += 1
        ((table, requests),) = RequestItems.items()
        if self.times <= 0 or (len(requests) < 2 and self.share > 0):
            return dict(self.real.batch_write_item(RequestItems=RequestItems))
        self.times -= 1
        half = int(len(requests) * self.share)
        if half:
            self.real.batch_write_item(RequestItems={table: requests[:half]})
        return {"UnprocessedItems": {table: requests[half:]}}


@pytest.fixture
def table(dynamo_client: Any) -> str:
    return TABLE


def test_unprocessed_keys_and_items_are_retried_until_done(dynamo_client: Any, table: str) -> None:
    # Given a table that only processes half of every batch, three times in a row
    flaky = ThrottledBatches(dynamo_client, times=3)
    store = DynamoStore(table, flaky, sleep=lambda _s: None)
    ids = [f"p{n}" for n in range(40)]
    for pid in ids:
        store.put_person(person(pid))

    # When a cohort is written and people and ledger rows are read in batches
    store.put_cohort("c1", ids)
    store.ledger_record("e1", "n1", [ActionResult.applied(p) for p in ids])
    people = store.get_people(ids)
    rows = store.ledger_get("e1", "n1", ids)

    # Then nothing was lost, and the unprocessed parts were sent again
    assert store.get_cohort("c1") == ids
    assert [p.id for p in people] == ids
    assert sorted(rows) == sorted(ids)
    assert flaky.calls["batch_get_item"] > 2


def test_batch_retries_are_bounded(dynamo_client: Any, table: str) -> None:
    # A table that never processes anything: the store gives up after its bounded attempts.
    flaky = ThrottledBatches(dynamo_client, times=1000, share=0.0)
    store = DynamoStore(table, flaky, sleep=lambda _s: None)
    with pytest.raises(StoreError):
        store.get_people(["p1", "p2"])
    assert flaky.calls["batch_get_item"] == MAX_BATCH_ATTEMPTS
    with pytest.raises(StoreError):
        store.put_cohort("c1", ["p1", "p2"])
    assert flaky.calls["batch_write_item"] == MAX_BATCH_ATTEMPTS


def test_no_client_is_created_until_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[dict[str, Any]] = []

    def fake_client(service: str, **kwargs: Any) -> object:
        created.append({"service": service, **kwargs})
        return object()

    dynamodb.default_client.cache_clear()
    monkeypatch.setattr("boto3.client", fake_client)
    store = DynamoStore("JourneysTable")
    assert created == []

    first = store.client
    assert store.client is first
    assert DynamoStore("Other").client is first  # one cached client per process
    assert len(created) == 1 and created[0]["service"] == "dynamodb"
    assert created[0]["config"].retries["mode"] == "standard"
    dynamodb.default_client.cache_clear()


def test_account_item_layout_is_what_the_state_machine_reads(dynamo_client: Any, table: str) -> None:
    # The compiled split by accounts calls dynamodb:getItem with messages.account_key.
    store = DynamoStore(table, dynamo_client)
    store.put_account(account("acme", tier="gold"))
    raw = dynamo_client.get_item(TableName=table, Key=account_key("acme"))["Item"]
    assert raw["splitView"]["S"] == '{"buyingGroups":{},"id":"acme","name":"Acme","tier":"gold"}'
    assert store.get_item_split_view("acme") == {**account_key("acme"), "splitView": raw["splitView"]}


def test_numbers_keep_their_values_through_dynamodb(dynamo_client: Any, table: str) -> None:
    store = DynamoStore(table, dynamo_client)
    store.put_person(person("p1", scores={"S": 0.1}, ratio=2.75, big=10**15))
    store.change_score("p1", "S", "+2")
    got = store.get_people(["p1"])[0]
    assert got.scores == {"S": 2.1}
    assert (got.model_extra or {}) == {"ratio": 2.75, "big": 10**15}
