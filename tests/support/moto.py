"""Shared moto set-up: fake credentials (nothing can reach a real account) and request serialisation."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from moto.core.botocore_stubber import BotocoreStubber

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def fake_credentials(patch: pytest.MonkeyPatch, region: str = "us-east-1") -> None:
    """Fake credentials and a region: no profile is read, no real account can be reached."""
    for name, value in {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": region}.items():
        patch.setenv(name, value)


def serialize_moto(patch: pytest.MonkeyPatch) -> None:
    """Make moto handle one request at a time, as DynamoDB applies each single-item write atomically.

    moto's backend is not thread-safe: without this, two concurrent UpdateItem calls can interleave
    inside moto and lose an update the real service would never lose. Serializing requests still
    lets a client-side read-modify-write lose updates, so concurrency tests keep their power to fail.
    """
    lock = threading.Lock()
    original = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    patch.setattr(BotocoreStubber, "process_request", process_request)
