"""AWS adapters of the executors' messaging ports: SES (email), SNS (SMS), EventBridge (events)."""

from journeys.connectors.messaging.aws import (
    EVENT_SOURCE,
    EventBridgePublisher,
    EventPublishError,
    SesEmailSender,
    SnsSmsSender,
    detail_type,
)

__all__ = [
    "EVENT_SOURCE",
    "EventBridgePublisher",
    "EventPublishError",
    "SesEmailSender",
    "SnsSmsSender",
    "detail_type",
]
