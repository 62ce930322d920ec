"""One contract suite, two adapters: every test here runs on InMemoryStore and on DynamoStore (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from journeys.model.buying_groups import SolutionInterest
from journeys.store.dynamodb import DynamoStore
from journeys.store.memory import InMemoryStore
from journeys.store.repository import Store
from tests.support.moto import fake_credentials, serialize_moto
from tests.support.tables import create_table

TABLE = "JourneysTable"

INTEREST = SolutionInterest.model_validate(
    {
        "id": "analytics",
        "name": "Analytics",
        "roles": [{"name": "Decision Maker", "required": 1}, {"name": "Influencer", "required": 2}],
        "stages": {
            "entry": ["Awareness"],
            "success": "Won",
            "failure": ["Lost"],
            "transitions": {"Awareness": ["Consideration", "Lost"], "Consideration": ["Won", "Lost"]},
        },
    }
)


@pytest.fixture
def dynamo_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto DynamoDB with the template's JourneysTable, fresh for each test.

    Everything is function-scoped on purpose: a moto mock held open across tests would stop
    other suites' own `mock_aws()` from resetting state."""
    # Fake credentials and region: nothing can reach a real account, and no profile is read.
    fake_credentials(monkeypatch)
    serialize_moto(monkeypatch)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        yield client


def make_store(kind: str, request: pytest.FixtureRequest) -> Store:
    if kind == "memory":
        return InMemoryStore()
    client = request.getfixturevalue("dynamo_client")
    # No real sleeping between batch retries: the tests count attempts, not seconds.
    return DynamoStore(TABLE, client, sleep=lambda _seconds: None)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    """A fresh, empty store of each adapter."""
    return make_store(request.param, request)


@pytest.fixture
def interest() -> SolutionInterest:
    return INTEREST.model_copy(deep=True)
