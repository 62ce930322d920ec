"""How a Lambda builds its Marketo client: secrets from the store, the stack-wide limiter, and a
retry budget that ends before the function's own timeout does."""

from __future__ import annotations

from typing import Any

from journeys.connectors.marketo.client import MarketoClient
from journeys.connectors.marketo.dynamo_ratelimit import DynamoDbRateLimiter
from journeys.connectors.marketo.ratelimit import RateLimitConfig
from journeys.connectors.marketo.retry import RetryPolicy
from journeys.connectors.marketo.settings import MarketoEnvironment, load_settings


def lambda_client(
    table_name: str,
    *,
    function_timeout_seconds: float,
    environment: MarketoEnvironment | None = None,
    limiter_config: RateLimitConfig | None = None,
    dynamodb: Any = None,
) -> MarketoClient:
    """A production client for a function with the given timeout.

    Retries stop with a third of the timeout left, so the function can still record what
    completed and answer its task token instead of being killed mid-backoff.
    """
    settings = load_settings(environment)
    config = limiter_config or RateLimitConfig(
        # A lease outlives a live call but not by much, so a crashed function frees it soon.
        lease_seconds=max(function_timeout_seconds + 5.0, settings.timeouts.long_read + 5.0)
    )
    return MarketoClient(
        settings,
        limiter=DynamoDbRateLimiter(table_name, client=dynamodb, config=config),
        retry=RetryPolicy(max_elapsed_seconds=function_timeout_seconds * 2 / 3),
    )
