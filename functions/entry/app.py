"""The entry function: logging context, then one call into journeys.handlers.orchestration."""

from typing import Any

from aws_lambda_powertools import Logger

from journeys.handlers.orchestration import entry_handler

logger = Logger(service="account-journeys-entry")


@logger.inject_lambda_context(log_event=False)  # events hold people's ids and tokens: never logged
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return entry_handler(event, context)
