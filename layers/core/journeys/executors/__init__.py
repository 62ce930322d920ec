"""Action executors: each applies one catalog action in bulk to a cohort (or an account).

`EXECUTORS[action_id].execute(ctx, batch)` returns one `ActionResult` per subject. The SQS
pipeline (`journeys.handlers.actions`) wraps them with the idempotency ledger and counts.
"""

from journeys.executors.base import (
    ActionBatch,
    ExecutionContext,
    Executor,
    Interrupted,
    MessageMeta,
    PermanentActionError,
    ReferenceData,
)
from journeys.executors.local import LocalExecution, local_execution
from journeys.executors.ports import (
    Clock,
    DeliveryRejected,
    EmailSender,
    EventPublisher,
    FixedClock,
    InMemoryEventBus,
    JourneyStarter,
    OutboundEmail,
    OutboundSms,
    Outbox,
    RecordingJourneyStarter,
    SmsSender,
    SystemClock,
)
from journeys.executors.registry import EXECUTORS

__all__ = [
    "EXECUTORS",
    "ActionBatch",
    "Clock",
    "DeliveryRejected",
    "EmailSender",
    "EventPublisher",
    "ExecutionContext",
    "Executor",
    "FixedClock",
    "InMemoryEventBus",
    "Interrupted",
    "JourneyStarter",
    "LocalExecution",
    "MessageMeta",
    "OutboundEmail",
    "OutboundSms",
    "Outbox",
    "PermanentActionError",
    "RecordingJourneyStarter",
    "ReferenceData",
    "SmsSender",
    "SystemClock",
    "local_execution",
]
