"""`journeys serve`: the same API on 127.0.0.1 over in-memory adapters, for front-end development.

Each HTTP request becomes an API Gateway HTTP API (v2) event for the very resolver the Lambda runs.
"""

from __future__ import annotations

import argparse
import base64
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from journeys.api.app import build_app
from journeys.api.deps import ApiDependencies
from journeys.api.ports import InMemoryStateMachines
from journeys.model.dataset import DataSet, load_dataset

HOST = "127.0.0.1"


def local_dependencies(data: DataSet | None = None) -> ApiDependencies:
    """In-memory store seeded from the data set; Marketo lookups through the real client, reaching the
    embedded Marketo Engage (loaded with the data set's `marketo` section) through its transport."""
    from journeys.connectors.marketo import InProcessRateLimiter, MarketoClient, VirtualClock
    from journeys.connectors.marketo.embedded.server import EmbeddedMarketo
    from journeys.store.memory import InMemoryStore
    from journeys.store.seeding import seed

    data = data or DataSet()
    store = InMemoryStore()
    seed(store, data)
    machines = InMemoryStateMachines()
    marketo = EmbeddedMarketo.from_data(data.marketo.model_dump(mode="json"), clock=VirtualClock())
    client = MarketoClient(
        marketo.settings(),
        transport=marketo.transport(),
        clock=marketo.clock,
        limiter=InProcessRateLimiter(clock=marketo.clock),
    )
    return ApiDependencies(
        store=store,
        state_machines=machines,
        entries=machines,
        marketo=client,
        reference_data=lambda: data,
    )


class EmbeddedApi:
    """The API over the embedded runtime: published journeys run, in virtual time that follows the
    wall clock `speed` times faster (a 3-day wait passes in 72 s at speed 3600)."""

    def __init__(self, data: DataSet | None = None, *, speed: float = 1.0) -> None:
        from journeys.local.run import EmbeddedWorld

        self.data = data or DataSet()
        self.speed = speed
        self.world = EmbeddedWorld(self.data, start=datetime.now(UTC).replace(microsecond=0))
        self._started = time.monotonic()
        self.lock = threading.Lock()  # one request or one clock tick at a time
        engine = self.world.engine
        self.dependencies = ApiDependencies(
            store=self.world.store,
            state_machines=engine,
            entries=engine,
            marketo=self.world.marketo_client,
            reference_data=lambda: self.data,
            now=engine.now,
        )

    def advance(self) -> None:
        """Run everything due up to the current virtual time."""
        target = self.world.start + timedelta(seconds=(time.monotonic() - self._started) * self.speed)
        with self.lock:
            self.world.engine.sfn.run(until=max(target, self.world.engine.now()))


def http_event(method: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2.0 event for one request."""
    parts = urlsplit(target)
    now = datetime.now(UTC)
    text_body: str | None = None
    encoded = False
    if body:
        try:
            text_body = body.decode()
        except UnicodeDecodeError:
            text_body, encoded = base64.b64encode(body).decode(), True
    query = parse_qs(parts.query, keep_blank_values=True)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": HOST,
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": HOST,
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": f"local-{now.timestamp()}",
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": text_body,
        "isBase64Encoded": encoded,
    }
    if query:
        # API Gateway joins repeated parameters with commas.
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    return event


def make_server(app: APIGatewayHttpResolver, port: int, embedded: EmbeddedApi | None = None) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            event = http_event(self.command, self.path, dict(self.headers.items()), body)
            if embedded is None:
                result = app.resolve(event, LambdaContext())
            else:
                with embedded.lock:
                    result = app.resolve(event, LambdaContext())
                    # Entries started by this request run up to their first wait right away.
                    embedded.world.engine.sfn.run_ready()
            payload = result.get("body") or ""
            data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
            self.send_response(int(result["statusCode"]))
            for key, value in (result.get("headers") or {}).items():
                self.send_header(key, str(value))
            for key, values in (result.get("multiValueHeaders") or {}).items():
                for value in values:
                    self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(data)))
            self._cors()
            self.end_headers()
            self.wfile.write(data)

        def _cors(self) -> None:
            # A front end on another local port calls this server from the browser, as it would
            # call the deployed API (where API Gateway's CORS configuration answers).
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "authorization, content-type")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.send_header("Access-Control-Max-Age", "600")
            self.end_headers()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")

    # One request at a time: the in-memory adapters and the embedded Marketo are not built for threads.
    return HTTPServer((HOST, port), Handler)


def tick_forever(embedded: EmbeddedApi, stop: threading.Event, every: float = 0.25) -> None:
    while not stop.wait(every):
        embedded.advance()


def serve_command(args: argparse.Namespace) -> int:
    data = load_dataset(args.data) if getattr(args, "data", None) else None
    embedded = EmbeddedApi(data, speed=getattr(args, "speed", 1.0))
    server = make_server(build_app(embedded.dependencies), args.port, embedded)
    stop = threading.Event()
    ticker = threading.Thread(target=tick_forever, args=(embedded, stop), daemon=True)
    ticker.start()
    print(f"Account Journeys API on http://{HOST}:{server.server_address[1]} over the embedded runtime "
          f"(virtual time x{embedded.speed:g}; Ctrl-C stops)")  # fmt: skip
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0
