"""Marketo Engage connector: REST client, stack-wide rate limiter and an embedded Marketo for tests.

Executors depend on `MarketoApi`; production builds a `MarketoClient` with `load_settings()` and a
`DynamoDbRateLimiter`; the embedded runtime passes `EmbeddedMarketo(...).transport()` instead.
"""

from journeys.connectors.marketo.api import MarketoApi
from journeys.connectors.marketo.client import MarketoClient, MarketoOutcomeUnknown
from journeys.connectors.marketo.clock import Clock, SystemClock, VirtualClock
from journeys.connectors.marketo.dynamo_ratelimit import DynamoDbRateLimiter
from journeys.connectors.marketo.errors import (
    MarketoApiError,
    MarketoAuthError,
    MarketoConfigurationError,
    MarketoError,
    MarketoPermissionError,
    MarketoProtocolError,
    MarketoQuotaExhausted,
    MarketoUnavailable,
)
from journeys.connectors.marketo.factory import lambda_client
from journeys.connectors.marketo.models import Campaign, Partition, StaticList, Workspace
from journeys.connectors.marketo.ratelimit import (
    InProcessRateLimiter,
    RateLimitConfig,
    RateLimiter,
    UnlimitedRateLimiter,
)
from journeys.connectors.marketo.retry import RetryPolicy
from journeys.connectors.marketo.settings import MarketoEnvironment, MarketoSettings, Timeouts, load_settings

__all__ = [
    "Campaign",
    "Clock",
    "DynamoDbRateLimiter",
    "InProcessRateLimiter",
    "MarketoApi",
    "MarketoApiError",
    "MarketoAuthError",
    "MarketoClient",
    "MarketoConfigurationError",
    "MarketoEnvironment",
    "MarketoError",
    "MarketoOutcomeUnknown",
    "MarketoPermissionError",
    "MarketoProtocolError",
    "MarketoQuotaExhausted",
    "MarketoSettings",
    "MarketoUnavailable",
    "Partition",
    "RateLimitConfig",
    "RateLimiter",
    "RetryPolicy",
    "StaticList",
    "SystemClock",
    "Timeouts",
    "UnlimitedRateLimiter",
    "VirtualClock",
    "Workspace",
    "lambda_client",
    "load_settings",
]
