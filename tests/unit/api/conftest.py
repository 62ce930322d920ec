"""An API over in-memory adapters, and a caller that speaks API Gateway HTTP API v2 events."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from journeys.api.app import build_app
from journeys.api.deps import ApiDependencies
from journeys.api.local import http_event, local_dependencies
from journeys.api.ports import InMemoryStateMachines
from journeys.model.dataset import DataSet
from tests.infra.journeys import ENTERPRISE

DATA: dict[str, Any] = {
    "attributes": {"account": {"tier": "string"}, "person": {"jobTitle": "string"}},
    "scores": ["Person Score"],
    "accounts": [
        {"id": "acme", "name": "Acme Corp", "employees": 12000},
        {"id": "globex", "name": "Globex", "employees": 40},
    ],
    "people": [{"id": "p-ana", "account": "acme", "email": "ana@acme.example", "jobTitle": "Director of IT"}],
    "solutionInterests": [
        {
            "id": "crm",
            "name": "CRM",
            "roles": [{"name": "Decision Maker", "required": 1}],
            "stages": {"entry": ["Awareness"], "success": "Won", "transitions": {"Awareness": ["Won"]}},
        }
    ],
    "accountLists": [
        {
            "id": "strategic-accounts",
            "name": "Strategic",
            "kind": "static",
            "status": "live",
            "members": ["acme"],
        },
        {"id": "draft-list", "name": "Draft list", "kind": "static", "status": "draft"},
    ],
    "destinations": [
        {"id": "linkedin", "name": "LinkedIn", "kind": "webhook", "url": "https://hooks.example/li"}
    ],
    "marketo": {
        "workspaces": ["Default", "EMEA"],
        "partitions": ["Default"],
        "lists": [{"id": 501, "name": "Nurture", "workspace": "Default"}],
        "campaigns": [
            {"id": 9001, "name": "Follow-up", "workspace": "Default", "requestable": True},
            {"id": 9002, "name": "Batch", "workspace": "Default", "requestable": False},
        ],
    },
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Api:
    app: APIGatewayHttpResolver
    deps: ApiDependencies
    machines: InMemoryStateMachines
    clock: Clock

    def call(self, method: str, path: str, body: Any = None, raw: str | None = None) -> tuple[int, Any]:
        payload = (
            raw.encode() if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        )
        headers = {"content-type": "application/json", "authorization": "Bearer t"}
        result = self.app.resolve(http_event(method, path, headers, payload), LambdaContext())
        text = result.get("body") or ""
        return int(result["statusCode"]), json.loads(text) if text else None

    def publish_enterprise(self) -> dict[str, Any]:
        status, body = self.call("POST", "/journeys", copy.deepcopy(ENTERPRISE))
        assert status == 201, body
        status, body = self.call("POST", f"/journeys/{ENTERPRISE['id']}/publish")
        assert status == 200, body
        result: dict[str, Any] = body
        return result


def make_api(compile_: Callable[..., dict[str, Any]] | None = None) -> Api:
    deps = local_dependencies(DataSet.model_validate(DATA))
    clock = Clock()
    deps.now = clock
    ids = iter(range(1, 1000))
    deps.new_id = lambda prefix: f"{prefix}-{next(ids)}"
    if compile_ is not None:
        deps.compile = compile_
    assert isinstance(deps.state_machines, InMemoryStateMachines)
    return Api(app=build_app(deps), deps=deps, machines=deps.state_machines, clock=clock)


@pytest.fixture
def api() -> Api:
    return make_api()
