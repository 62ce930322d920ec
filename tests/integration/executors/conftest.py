"""The executor tests again, on the DynamoDB store (moto, table built from template.yaml).

moto costs about a second per test to create and seed the table, so the module creates and
seeds it once and every test starts from a copy of that seeded table (moto's own objects).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends

from journeys.store.dynamodb import DynamoStore
from journeys.store.repository import Store
from tests.support.moto import fake_credentials
from tests.support.tables import create_table
from tests.unit.executors.world import NOW, World, make_world, seed_world

TABLE = "JourneysTable"
REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account


@pytest.fixture(scope="module")
def seeded_table() -> Iterator[tuple[Any, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        fake_credentials(mp, REGION)
        with mock_aws():
            client = boto3.client("dynamodb", region_name=REGION)
            create_table(client, TABLE)
            seed_world(DynamoStore(TABLE, client, clock=lambda: NOW))
            backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
            yield client, copy.deepcopy(backend.tables[TABLE])


@pytest.fixture
def store(seeded_table: tuple[Any, Any]) -> Store:
    client, snapshot = seeded_table
    dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[TABLE] = copy.deepcopy(snapshot)
    return DynamoStore(TABLE, client, clock=lambda: NOW, sleep=lambda _s: None)


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store, seeded=True)
