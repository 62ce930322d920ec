"""Every request the client sends matches the official Marketo Swagger files, and the validator
that says so does catch requests that do not."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest

from journeys.connectors.marketo import MarketoClient, UnlimitedRateLimiter, VirtualClock
from journeys.connectors.marketo.contract import SwaggerContract, official_contract
from journeys.connectors.marketo.embedded import EmbeddedMarketo, Fault

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}

# The operations the client may call, as (method, Swagger path template).
CLIENT_OPERATIONS = {
    ("POST", "/identity/oauth/token"),
    ("POST", "/rest/v1/lists/{listId}/leads.json"),
    ("DELETE", "/rest/v1/lists/{listId}/leads.json"),
    ("GET", "/rest/v1/lists/{listId}/leads/ismember.json"),
    ("GET", "/rest/v1/lists.json"),
    ("POST", "/rest/v1/campaigns/{campaignId}/trigger.json"),
    ("GET", "/rest/v1/campaigns.json"),
    ("GET", "/rest/v1/leads/partitions.json"),
    ("POST", "/rest/v1/leads/partitions.json"),
    ("GET", "/rest/v1/leads.json"),
    ("GET", "/userservice/management/v1/users/workspaces.json"),
}


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


BAD_REQUESTS: list[tuple[str, str, list[tuple[str, str]], dict[str, str], bytes, str]] = [
    ("GET", "/rest/v1/nowhere.json", [], {}, b"", "unknown path"),
    ("PUT", "/rest/v1/lists.json", [], {}, b"", "method not allowed"),
    (
        "GET",
        "/rest/v1/lists.json",
        [("access_token", "t")],
        {},
        b"",
        "undeclared query parameter 'access_token'",
    ),
    ("GET", "/rest/v1/lists.json", [("batchSize", "many")], {}, b"", "not an integer"),
    (
        "GET",
        "/rest/v1/lists/abc/leads/ismember.json",
        [("id", "1")],
        {},
        b"",
        "listId='abc' is not an integer",
    ),
    ("GET", "/rest/v1/lists/1/leads/ismember.json", [("id", "99999999999")], {}, b"", "out of int32 range"),
    ("GET", "/rest/v1/campaigns.json", [("isTriggerable", "yes")], {}, b"", "not a boolean"),
    (
        "GET",
        "/rest/v1/leads.json",
        [("filterValues", "a@x.example")],
        {},
        b"",
        "missing required query parameter 'filterType'",
    ),
    ("GET", "/rest/v1/leads/partitions.json", [], JSON, _body({"input": []}), "body is not accepted"),
    ("POST", "/rest/v1/leads/partitions.json", [], JSON, b"", "required body is missing"),
    (
        "POST",
        "/rest/v1/leads/partitions.json",
        [],
        JSON,
        _body({"input": [{"id": 1}]}),
        "'partitionName' is a required",
    ),
    ("POST", "/rest/v1/leads/partitions.json", [], JSON, b"{not json", "not valid JSON"),
    ("POST", "/rest/v1/leads/partitions.json", [], {"content-type": "text/plain"}, b"{}", "content type"),
    (
        "POST",
        "/rest/v1/lists/1/leads.json",
        [],
        JSON,
        _body({"input": [{"id": "one"}]}),
        "is not of type 'integer'",
    ),
    ("POST", "/rest/v1/lists/1/leads.json", [], JSON, _body({"leads": []}), "'input' is a required property"),
    (
        "DELETE",
        "/rest/v1/lists/1/leads.json",
        [],
        JSON,
        _body({"input": [{"id": 1}]}),
        "missing required query parameter 'id'",
    ),
    ("DELETE", "/rest/v1/lists/1/leads.json", [("id", "1")], {}, b"", "required body is missing"),
    (
        "POST",
        "/rest/v1/campaigns/1/trigger.json",
        [],
        JSON,
        _body({"input": {"tokens": []}}),
        "'leads' is a required",
    ),
    (
        "POST",
        "/rest/v1/campaigns/1/trigger.json",
        [],
        JSON,
        _body({"input": {"leads": [{"id": 1}], "tokens": [{"name": "{{my.a}}"}]}}),
        "'value' is a required",
    ),
    (
        "GET",
        "/identity/oauth/token",
        [("client_id", "a"), ("grant_type", "client_credentials")],
        {},
        b"",
        "client_secret",
    ),
    (
        "POST",
        "/identity/oauth/token",
        [],
        FORM,
        b"grant_type=password&client_id=a&client_secret=b",
        "not one of",
    ),
    ("POST", "/identity/oauth/token", [], JSON, _body({"client_id": "a"}), "body is not accepted"),
]


@pytest.mark.parametrize(("method", "path", "query", "headers", "body", "problem"), BAD_REQUESTS)
def test_the_validator_rejects_requests_outside_the_contract(
    method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes, problem: str
) -> None:
    problems = official_contract().check_request(method, path, query, headers, body)
    assert any(problem in p for p in problems), problems


GOOD_REQUESTS: list[tuple[str, str, list[tuple[str, str]], dict[str, str], bytes]] = [
    ("POST", "/identity/oauth/token", [], FORM, b"grant_type=client_credentials&client_id=a&client_secret=b"),
    (
        "GET",
        "/identity/oauth/token",
        [("grant_type", "client_credentials"), ("client_id", "a"), ("client_secret", "b")],
        {},
        b"",
    ),
    ("POST", "/rest/v1/lists/1/leads.json", [("id", "1"), ("id", "2")], {}, b""),
    ("DELETE", "/rest/v1/lists/1/leads.json", [("id", "1")], JSON, _body({"input": [{"id": 1}]})),
    (
        "GET",
        "/rest/v1/leads.json",
        [("filterType", "email"), ("filterValues", "a@x.example,b@x.example")],
        {},
        b"",
    ),
    ("GET", "/userservice/management/v1/users/workspaces.json", [], {}, b""),
]


@pytest.mark.parametrize(("method", "path", "query", "headers", "body"), GOOD_REQUESTS)
def test_the_validator_accepts_documented_requests(
    method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
) -> None:
    assert official_contract().check_request(method, path, query, headers, body) == []


def test_the_client_operations_exist_in_the_contract() -> None:
    contract = official_contract()
    assert set(contract.operations()) >= CLIENT_OPERATIONS


def test_every_request_of_a_full_session_matches_the_contract() -> None:
    """All operations, paging, token renewal and retries, checked request by request."""
    clock = VirtualClock()
    marketo = EmbeddedMarketo(clock=clock, check_responses=True).seed(
        ["Default", "EMEA"],
        ["Default", "EMEA"],
        [{"id": i, "email": f"p{i}@acme.example"} for i in range(1, 801)],
        [{"id": i, "name": f"List {i}", "workspace": "Default"} for i in range(1, 320)],
        [{"id": 9001, "name": "Requested", "requestable": True}, {"id": 9002, "name": "Batch"}],
    )
    contract = SwaggerContract()  # a fresh load of the bundled official files
    seen: list[httpx.Request] = []
    operations: set[tuple[str, str]] = set()

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = list(request.url.params.multi_items())
        problems = contract.check_request(request.method, request.url.path, query, headers, request.read())
        assert problems == [], f"{request.method} {request.url.path}: {problems}"
        matched = contract.match(request.method, request.url.path)
        assert matched is not None
        operations.add((request.method, matched.operation.template))
        if request.url.path != "/identity/oauth/token":
            assert headers["authorization"].startswith("Bearer ")
        return marketo.handle(request)

    ids = list(range(1, 801))
    with MarketoClient(
        marketo.settings(),
        transport=httpx.MockTransport(spy),
        clock=clock,
        limiter=UnlimitedRateLimiter(),
        rng=random.Random(0),
    ) as client:
        client.add_to_list(1, ids)
        client.membership(1, ids[:10])
        client.remove_from_list(1, ids)
        client.request_campaign(9001, ids, {"offer": "x"})
        client.request_campaign(9002, ids[:5])
        client.change_partition(ids, "EMEA")
        client.workspaces()
        client.static_lists()
        client.static_lists("EMEA")
        client.campaigns()
        client.campaigns("Default", requestable_only=False)
        client.partitions()
        client.leads_by_email([f"p{i}@acme.example" for i in ids])
        marketo.inject(Fault("error", code="606", times=1))
        marketo.inject(Fault("http", status=503, times=1))
        client.partitions()
        marketo.expire_tokens()
        client.partitions()
        clock.advance(3590)
        client.partitions()

    assert operations == CLIENT_OPERATIONS
    assert all("access_token" not in str(r.url) for r in seen)
    assert all(b"client_secret" not in r.url.query for r in seen)
    assert marketo.contract_violations == []
    assert marketo.response_problems == []
