"""The embedded Marketo on its own: data, limits, tokens, batch maxima, faults and the contract."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from journeys.connectors.marketo import VirtualClock
from journeys.connectors.marketo.contract import ContractViolation
from journeys.connectors.marketo.embedded import EmbeddedMarketo, Fault, MarketoLimits

from .conftest import seeded

DATA: dict[str, Any] = {
    "workspaces": ["Default", "EMEA"],
    "partitions": ["Default", "EMEA"],
    "leads": [{"id": 1001, "email": "ana@acme.example", "partition": "Default"}],
    "lists": [{"id": 501, "name": "Nurture", "workspace": "Default", "members": [1001]}],
    "campaigns": [{"id": 9001, "name": "Expansion follow-up", "workspace": "Default", "requestable": True}],
}


class Raw:
    """A bare httpx client with a valid token, to speak to the embedded Marketo directly."""

    def __init__(self, marketo: EmbeddedMarketo) -> None:
        self.http = httpx.Client(base_url="https://embedded.mktorest.com", transport=marketo.transport())
        form = {
            "grant_type": "client_credentials",
            "client_id": "embedded-client",
            "client_secret": "embedded-secret",
        }
        token = self.http.post("/identity/oauth/token", data=form).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == 200
        return response.json()


def _code(body: Any) -> str | None:
    return None if body.get("success") else body["errors"][0]["code"]


def test_seed_and_snapshot_round_trip(clock: VirtualClock) -> None:
    marketo = EmbeddedMarketo.from_data(DATA, clock=clock)
    snap = marketo.snapshot()
    assert {k: snap[k] for k in DATA} == DATA
    assert EmbeddedMarketo.from_data(snap, clock=clock).snapshot() == snap


def test_rate_limit_606_on_the_101st_call_in_20_seconds(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    raw = Raw(marketo)
    for _ in range(100):
        assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) is None
        clock.advance(0.1)
    assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) == "606"
    clock.advance(10.05)  # the first call is now more than 20 s old
    assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) is None
    assert marketo.calls() == 101  # the refused call did not count


class GateClock(VirtualClock):
    """Latency blocks until released, so requests really overlap (no timed sleeping)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Semaphore(0)

    def sleep(self, seconds: float) -> None:
        self.entered.release()
        assert self.gate.wait(timeout=10)


def test_concurrency_limit_615_on_the_11th_call_in_flight() -> None:
    clock = GateClock()
    marketo = seeded(clock)
    raw = Raw(marketo)
    marketo.inject(Fault("latency", seconds=1.0, times=10))
    bodies: list[Any] = []
    threads = [
        threading.Thread(target=lambda: bodies.append(raw.call("GET", "/rest/v1/leads/partitions.json")))
        for _ in range(10)
    ]
    for t in threads:
        t.start()
    for _ in range(10):
        assert clock.entered.acquire(timeout=10)
    assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) == "615"
    clock.gate.set()
    for t in threads:
        t.join()
    assert [_code(b) for b in bodies] == [None] * 10
    assert marketo.max_in_flight == 10


def test_daily_quota_607_until_midnight_central(clock: VirtualClock) -> None:
    marketo = seeded(clock, limits=MarketoLimits(daily_quota=3))
    raw = Raw(marketo)
    codes = [_code(raw.call("GET", "/rest/v1/leads/partitions.json")) for _ in range(4)]
    assert codes == [None, None, None, "607"]
    clock.advance(86_400)
    raw = Raw(marketo)  # the token expired meanwhile
    assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) is None


def test_token_errors(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    raw = Raw(marketo)
    assert (
        _code(raw.call("GET", "/rest/v1/leads/partitions.json", headers={"Authorization": "Bearer nope"}))
        == "601"
    )
    clock.advance(3600)
    assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) == "602"
    del raw.http.headers["Authorization"]
    assert _code(raw.call("GET", "/rest/v1/leads/partitions.json")) == "600"
    assert marketo.calls() == 0  # auth failures are not counted


def test_identity_returns_the_same_token_until_it_expires(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    http = httpx.Client(base_url="https://embedded.mktorest.com", transport=marketo.transport())
    form = {
        "grant_type": "client_credentials",
        "client_id": "embedded-client",
        "client_secret": "embedded-secret",
    }
    first = http.post("/identity/oauth/token", data=form).json()
    clock.advance(3000)
    second = http.post("/identity/oauth/token", data=form).json()
    assert second["access_token"] == first["access_token"] and second["expires_in"] == 600
    clock.advance(600)
    third = http.post("/identity/oauth/token", data=form).json()
    assert third["access_token"] != first["access_token"] and third["expires_in"] == 3600


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/rest/v1/lists/501/leads.json", {"input": [{"id": i} for i in range(301)]}),
        (
            "POST",
            "/rest/v1/leads/partitions.json",
            {"input": [{"id": i, "partitionName": "EMEA"} for i in range(301)]},
        ),
        (
            "POST",
            "/rest/v1/campaigns/9001/trigger.json",
            {"input": {"leads": [{"id": i} for i in range(101)]}},
        ),
        (
            "POST",
            "/rest/v1/campaigns/9001/trigger.json",
            {
                "input": {
                    "leads": [{"id": 1}],
                    "tokens": [{"name": f"{{{{my.t{i}}}}}", "value": "v"} for i in range(101)],
                }
            },
        ),
    ],
)
def test_batch_maxima_are_refused_with_1003(clock: VirtualClock, method: str, path: str, body: Any) -> None:
    raw = Raw(seeded(clock))
    assert _code(raw.call(method, path, json=body)) == "1003"


def test_filter_maximum(clock: VirtualClock) -> None:
    raw = Raw(seeded(clock))
    params = {"filterType": "email", "filterValues": ",".join(f"p{i}@x.example" for i in range(301))}
    assert _code(raw.call("GET", "/rest/v1/leads.json", params=params)) == "1003"
    params = {"filterType": "firstName", "filterValues": "Ana"}
    assert _code(raw.call("GET", "/rest/v1/leads.json", params=params)) == "1011"


def test_remove_accepts_query_or_body(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    raw = Raw(marketo)
    body = raw.call(
        "DELETE",
        "/rest/v1/lists/501/leads.json",
        params={"id": ["1001", "1002"]},
        json={"input": [{"id": 1001}, {"id": 1002}]},
    )
    assert [r["status"] for r in body["result"]] == ["removed", "skipped"]
    assert body["result"][1]["reasons"][0]["code"] == "1015"


def test_contract_violations_are_raised_in_strict_mode(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    raw = Raw(marketo)
    with pytest.raises(ContractViolation, match="undeclared query parameter 'access_token'"):
        raw.http.get("/rest/v1/leads/partitions.json", params={"access_token": "x"})
    with pytest.raises(ContractViolation, match="required body is missing"):
        raw.http.post("/rest/v1/leads/partitions.json")
    assert len(marketo.contract_violations) == 2


def test_contract_violations_are_recorded_when_lenient(clock: VirtualClock) -> None:
    marketo = seeded(clock, strict_contract=False)
    raw = Raw(marketo)
    raw.http.request("PUT", "/rest/v1/leads/partitions.json")
    assert "method not allowed" in marketo.contract_violations[0].problems[0]
    marketo.contract_violations.clear()


def test_faults_latency_and_gateway_pages(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    raw = Raw(marketo)
    marketo.inject(Fault("latency", seconds=2.5))
    before = clock.now()
    raw.call("GET", "/rest/v1/leads/partitions.json")
    assert clock.now() - before == pytest.approx(2.5)
    marketo.inject(Fault("http", status=502))
    response = raw.http.get("/rest/v1/leads/partitions.json")
    assert response.status_code == 502
    with pytest.raises(json.JSONDecodeError):
        response.json()
    marketo.inject(Fault("timeout", executed=False))
    with pytest.raises(httpx.ConnectTimeout):
        raw.http.get("/rest/v1/leads/partitions.json")


def test_requests_are_recorded_without_secrets(clock: VirtualClock) -> None:
    marketo = seeded(clock)
    raw = Raw(marketo)
    raw.call("GET", "/rest/v1/lists.json", params={"workspaceName": "EMEA"})
    identity, listing = marketo.requests
    assert identity.identity and not identity.counted and identity.body is None and identity.query == ()
    assert listing.counted and listing.query == (("workspaceName", "EMEA"),)
    assert "embedded-secret" not in repr(marketo.requests)
