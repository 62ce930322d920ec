"""`journeys serve`: the resolver on 127.0.0.1 over in-memory adapters, reached by a real HTTP request."""

from __future__ import annotations

import argparse
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import HTTPServer
from pathlib import Path

import pytest
import yaml
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from journeys.api import local
from tests.unit.api.conftest import DATA


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    data = tmp_path / "data.yaml"
    data.write_text(yaml.safe_dump(DATA))
    started: list[HTTPServer] = []
    make_server = local.make_server

    def capture(app: APIGatewayHttpResolver, port: int) -> HTTPServer:
        started.append(make_server(app, port))
        return started[0]

    monkeypatch.setattr(local, "make_server", capture)
    args = argparse.Namespace(port=0, data=str(data))  # port 0: the OS picks a free one
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


def test_serve_answers_browser_preflight(server: str) -> None:
    request = urllib.request.Request(f"{server}/journeys", method="OPTIONS")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
