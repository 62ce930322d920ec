"""HTTP API handler: API Gateway HTTP API (v2) events -> the journeys API resolver."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from journeys.api.app import build_app
from journeys.api.aws import lambda_dependencies

logger = Logger()
_app: APIGatewayHttpResolver | None = None


def _resolver() -> APIGatewayHttpResolver:
    # Built on the first call, not at import: no AWS client exists before a request needs it.
    global _app  # noqa: PLW0603 - one resolver per container
    if _app is None:
        _app = build_app(lambda_dependencies())
    return _app


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result: dict[str, Any] = _resolver().resolve(event, context)
    return result
