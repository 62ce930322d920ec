"""The activation function (schedule): push external audiences' pending members to their destinations.

Delivery to paid-media destinations is asynchronous (up to 48 h in the product): actions only queue
members; this sync delivers them in batches and marks them activated, so a failure leaves exactly
the undelivered members pending for the next run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from journeys.connectors.destinations.base import DestinationConnector, DestinationError
from journeys.connectors.destinations.s3 import S3ExportConnector
from journeys.connectors.destinations.sync import activate_pending
from journeys.connectors.destinations.webhook import WebhookConnector, powertools_secret
from journeys.executors.base import ReferenceData
from journeys.handlers.actions import load_reference
from journeys.handlers.orchestration import aws_store
from journeys.store.repository import Store

logger = logging.getLogger(__name__)


class ActivationResult(BaseModel):
    delivered: dict[str, int] = {}
    remaining: dict[str, int] = {}
    failed: dict[str, str] = {}  # audience -> why (its members stay pending)
    skipped: dict[str, str] = {}  # audience -> why it has nowhere to go


def activate_all(
    store: Store, reference: ReferenceData, connectors: Mapping[str, DestinationConnector]
) -> ActivationResult:
    result = ActivationResult()
    for audience in store.list_audiences():
        if audience.destination is None:
            continue
        destination = reference.destination(audience.destination)
        if destination is None:
            result.skipped[audience.id] = f"unknown destination '{audience.destination}'"
            continue
        connector = connectors.get(destination.kind)
        if connector is None:
            result.skipped[audience.id] = f"no {destination.kind} connector is configured"
            continue
        try:
            report = activate_pending(store, audience, connector, destination)
        except DestinationError as exc:
            logger.warning("activation failed", extra={"audience": audience.id, "error": type(exc).__name__})
            result.failed[audience.id] = str(exc)
            continue
        result.delivered[audience.id] = report.delivered
        result.remaining[audience.id] = report.remaining
    return result


def aws_connectors() -> dict[str, DestinationConnector]:
    connectors: dict[str, DestinationConnector] = {"s3": S3ExportConnector()}
    secret = os.environ.get("WEBHOOK_SECRET_NAME")
    if secret:
        connectors["webhook"] = WebhookConnector(powertools_secret(secret))
    return connectors


def activation_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reference = load_reference(os.environ.get("REFERENCE_PARAMETER"))
    return activate_all(aws_store(), reference, aws_connectors()).model_dump()
