"""One contract suite, two adapters: every test here runs on InMemoryStore and on DynamoStore (moto)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from journeys.model.buying_groups import SolutionInterest
from journeys.store.dynamodb import DynamoStore
from journeys.store.memory import InMemoryStore
from journeys.store.repository import Store
from tests.support import tables
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


def _serialize_moto(patch: pytest.MonkeyPatch) -> None:
    """Make moto handle one request at a time, as DynamoDB applies each single-item write atomically.

    moto's backend is not thread-safe: without this, two concurrent UpdateItem calls can interleave
    inside moto and lose an update that the real service would never lose. Serializing requests
    still lets a client-side read-modify-write lose updates, so the concurrency tests keep their
    power to fail."""
    lock = threading.Lock()
    original = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    patch.setattr(BotocoreStubber, "process_request", process_request)


# Parsing template.yaml takes longer than creating a table in moto: parse it once per process.
_cached_template = functools.cache(tables.load_template)


@pytest.fixture
def dynamo_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto DynamoDB with the template's JourneysTable, fresh for each test.

    Everything is function-scoped on purpose: a moto mock held open across tests would stop
    other suites' own `mock_aws()` from resetting state."""
    # Fake credentials and region: nothing can reach a real account, and no profile is read.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    _serialize_moto(monkeypatch)
    monkeypatch.setattr(tables, "load_template", _cached_template)
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
