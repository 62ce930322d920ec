"""Fixtures: an embedded Marketo on a virtual clock, and a client wired to it."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from journeys.connectors.marketo import MarketoClient, RetryPolicy, UnlimitedRateLimiter, VirtualClock
from journeys.connectors.marketo.embedded import EmbeddedMarketo


def seeded(clock: VirtualClock, **kwargs: object) -> EmbeddedMarketo:
    marketo = EmbeddedMarketo(clock=clock, check_responses=True, **kwargs)  # type: ignore[arg-type]
    return marketo.seed(
        workspaces=["Default", "EMEA"],
        partitions=["Default", "EMEA"],
        leads=[
            {"id": 1001, "email": "ana@acme.example", "partition": "Default"},
            {"id": 1002, "email": "bo@acme.example", "partition": "Default"},
            {"id": 1003, "email": "cy@globex.example", "partition": "EMEA"},
        ],
        lists=[
            {"id": 501, "name": "Nurture", "workspace": "Default", "members": [1001]},
            {"id": 502, "name": "EMEA events", "workspace": "EMEA", "members": []},
        ],
        campaigns=[
            {"id": 9001, "name": "Expansion follow-up", "workspace": "Default", "requestable": True},
            {"id": 9002, "name": "Monthly batch", "workspace": "Default", "requestable": False},
            {"id": 9003, "name": "EMEA welcome", "workspace": "EMEA", "requestable": True},
        ],
    )


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def marketo(clock: VirtualClock) -> Iterator[EmbeddedMarketo]:
    instance = seeded(clock)
    yield instance
    # Every test doubles as a contract check: nothing the client sent may stray from Swagger.
    assert instance.contract_violations == []
    assert instance.response_problems == []


@pytest.fixture
def client(marketo: EmbeddedMarketo, clock: VirtualClock) -> Iterator[MarketoClient]:
    with MarketoClient(
        marketo.settings(),
        transport=marketo.transport(),
        clock=clock,
        limiter=UnlimitedRateLimiter(),
        retry=RetryPolicy(),
        rng=random.Random(7),
    ) as c:
        yield c
