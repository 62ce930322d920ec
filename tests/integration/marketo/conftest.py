"""moto-backed AWS for the Marketo connector's integration tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support.tables import create_table


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


class AtomicCalls:
    """A DynamoDB client whose calls are each atomic, as they are in DynamoDB.

    moto evaluates a ConditionExpression and applies the update without a lock, so two threads
    can both pass the same condition; real DynamoDB serialises writes to an item. Calls from
    different threads still interleave freely between calls, which is what the limiter must
    survive.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.exceptions = client.exceptions

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        wrapped: Callable[..., Any] = call
        return wrapped


@pytest.fixture
def ddb(aws: None) -> Any:
    return AtomicCalls(boto3.client("dynamodb", region_name="us-east-1"))


@pytest.fixture
def table(ddb: Any) -> str:
    return create_table(ddb, "JourneysTable")
