"""`journeys serve`: the resolver on 127.0.0.1 over in-memory adapters, reached by a real HTTP request."""

from __future__ import annotations

import argparse
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from journeys.api import local
from tests.support.tables import ROOT
from tests.unit.api.conftest import DATA

EVENTS = ROOT / "events"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump(DATA))
    started: list[HTTPServer] = []
    make_server = local.make_server

    def capture(
        app: APIGatewayHttpResolver, port: int, embedded: local.EmbeddedApi | None = None
    ) -> HTTPServer:
        started.append(make_server(app, port, embedded))
        return started[0]

    monkeypatch.setattr(local, "make_server", capture)
    # port 0: the OS picks a free one; virtual time runs a day per wall millisecond
    args = argparse.Namespace(port=0, data=str(data), speed=86_400_000.0)
    thread = threading.Thread(target=local.serve_command, args=(args,), daemon=True)
    thread.start()
    for _ in range(200):
        if started:
            break
        threading.Event().wait(0.01)
    yield f"http://{local.HOST}:{started[0].server_port}"
    started[0].shutdown()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_serve_answers_a_real_request_from_the_data_set(server: str) -> None:
    assert server.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{server}/lookups/marketo/lists?workspace=Default", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.read()) == {
            "lists": [{"id": 501, "name": "Nurture", "workspace": "Default"}]
        }


def test_serve_posts_json_and_reports_errors_as_json(server: str) -> None:
    request = urllib.request.Request(
        f"{server}/journeys",
        data=json.dumps({"id": "from-http", "name": "From HTTP"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        assert json.loads(response.read())["id"] == "from-http"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{server}/journeys/nope", timeout=5)
    assert missing.value.code == 404
    assert json.loads(missing.value.read())["error"] == "not_found"


def call(server: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


def test_a_published_journey_runs_on_the_embedded_runtime(server: str) -> None:
    # Given a journey created and published through the API
    journey = json.loads((EVENTS / "api-1-create-journey.json").read_text())["body"]
    assert call(server, "POST", "/journeys", json.loads(journey))[0] == 201
    assert call(server, "POST", "/journeys/welcome-series/publish")[0] == 200
    # When acme enters it
    status, entered = call(server, "POST", "/journeys/welcome-series/entries",
                           {"accounts": ["acme"], "idempotencyKey": "test"})  # fmt: skip
    assert status == 202, entered
    # Then the welcome email goes out at once, and after the 3-day wait (virtual time) the score changes
    counts: dict[str, Any] = {}
    for _ in range(400):  # up to 20 s on a loaded machine; a run takes a few ticks of 0.25 s
        counts = {n["node"]: n for n in call(server, "GET", "/journeys/welcome-series/nodes")[1]["nodes"]}
        if counts.get("score", {}).get("applied"):
            break
        threading.Event().wait(0.05)
    assert counts["welcome"]["applied"] >= 1 and counts["score"]["applied"] >= 1, counts


def test_serve_answers_browser_preflight(server: str) -> None:
    request = urllib.request.Request(f"{server}/journeys", method="OPTIONS")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
