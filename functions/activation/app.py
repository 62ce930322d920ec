"""The activation function: logging context, then one call into journeys.handlers.activation."""

from typing import Any

from aws_lambda_powertools import Logger

from journeys.handlers.activation import activation_handler

logger = Logger(service="account-journeys-activation")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return activation_handler(event, context)
