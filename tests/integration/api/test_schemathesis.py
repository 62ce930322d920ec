"""Property-based conformance: schemathesis cases from openapi.json, sent to the resolver as
API Gateway HTTP API v2 events (no network). No 5xx; every response matches its schema."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import schemathesis
from aws_lambda_powertools.utilities.typing import LambdaContext
from hypothesis import HealthCheck, settings
from schemathesis.core import NotSet
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import ignored_auth, unsupported_method

from journeys.api.local import http_event
from journeys.api.openapi import OPENAPI_PATH
from tests.unit.api.conftest import make_api

schema = schemathesis.openapi.from_path(OPENAPI_PATH)
API = make_api()
API.publish_enterprise()  # so some generated ids hit a live journey


def _send(case: Any) -> httpx.Response:
    query = urlencode(case.query or {}, doseq=True)
    target = case.formatted_path + (f"?{query}" if query else "")
    headers = {"content-type": case.media_type or "application/json", **(case.headers or {})}
    if case.body is None or isinstance(case.body, NotSet):
        body = b""
    elif isinstance(case.body, bytes | str):
        body = case.body.encode() if isinstance(case.body, str) else case.body
    else:
        body = json.dumps(case.body).encode()
    if not any(k.lower() == "authorization" and v.startswith("Bearer ") for k, v in headers.items()):
        # What API Gateway's JWT authorizer answers; the function never sees such a request.
        result: dict[str, Any] = {"statusCode": 401, "body": json.dumps({"message": "Unauthorized"})}
    else:
        result = API.app.resolve(http_event(case.method.upper(), target, headers, body), LambdaContext())
    response = httpx.Response(
        int(result["statusCode"]),
        headers=result.get("headers") or {"content-type": "application/json"},
        content=(result.get("body") or "").encode(),
        request=httpx.Request(case.method.upper(), f"http://api.local{target}"),
    )
    response.elapsed = timedelta(0)  # in-process: no transport timed it
    return response


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any) -> None:
    response = _send(case)
    assert response.status_code < 500, response.text
    # ignored_auth sends a made-up token and expects a 401: only the real authorizer can tell
    # a forged JWT from a good one, so that check belongs to the deployed stack.
    # unsupported_method expects 405 for e.g. TRACE: an HTTP API with explicit routes answers
    # 404 itself for a method without a route, before the function runs.
    case.validate_response(response, excluded_checks=[ignored_auth, unsupported_method])


def test_the_schema_has_every_route() -> None:
    operations = list(schema.get_all_operations())
    assert len(operations) == 24
    assert all(isinstance(op, Ok) for op in operations)
