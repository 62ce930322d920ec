from __future__ import annotations

import pytest

from journeys.model.dataset import DataSet
from journeys.store.memory import InMemoryStore
from tests.support.world import small_data, small_store


@pytest.fixture
def data() -> DataSet:
    return small_data()


@pytest.fixture
def store(data: DataSet) -> InMemoryStore:
    return small_store(data)
