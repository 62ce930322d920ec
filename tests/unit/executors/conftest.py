"""Executor tests run on the in-memory store here, and on DynamoDB (moto) in tests/integration."""

from __future__ import annotations

import pytest

from journeys.store.memory import InMemoryStore
from journeys.store.repository import Store
from tests.unit.executors.world import NOW, World, make_world


@pytest.fixture
def store() -> Store:
    return InMemoryStore(clock=lambda: NOW)


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)
