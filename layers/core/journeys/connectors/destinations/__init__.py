"""Destination connectors (HTTPS webhook, S3 export) behind one interface, and the scheduled sync."""

from journeys.connectors.destinations.base import (
    ActivationRecord,
    DestinationConnector,
    DestinationError,
    DestinationRejected,
    DestinationUnavailable,
)
from journeys.connectors.destinations.s3 import S3ExportConnector
from journeys.connectors.destinations.sync import SyncReport, activate_pending
from journeys.connectors.destinations.webhook import (
    SIGNATURE_HEADER,
    WebhookConnector,
    powertools_secret,
    sign,
)

__all__ = [
    "SIGNATURE_HEADER",
    "ActivationRecord",
    "DestinationConnector",
    "DestinationError",
    "DestinationRejected",
    "DestinationUnavailable",
    "S3ExportConnector",
    "SyncReport",
    "WebhookConnector",
    "activate_pending",
    "powertools_secret",
    "sign",
]
