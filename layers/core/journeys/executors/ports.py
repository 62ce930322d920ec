"""The ports executors talk through, each with an in-memory implementation for the embedded runtime.

AWS implementations live in `journeys.connectors.messaging` (SES, SNS, EventBridge) and
`journeys.handlers.stepfunctions` (starting and stopping entries of other journeys).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from journeys.catalog.events import JourneyEvent
from journeys.model.common import assembled
from journeys.ports import ExecutionStarter


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests, benchmarks, the embedded runtime)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current


class DeliveryRejected(Exception):
    """The provider refused this one message for good (bad address, opted out): a failed person-action."""


class OutboundEmail(BaseModel):
    """A rendered email, as sent (SES) or recorded (outbox). Frozen: made once, then only read."""

    model_config = ConfigDict(frozen=True)

    to: list[str] = Field(min_length=1)
    sender: str
    subject: str
    html: str
    text: str | None = None
    kind: str = "email"  # email | sales_alert
    tags: dict[str, str] = Field(default_factory=dict)


class OutboundSms(BaseModel):
    """A rendered SMS, as sent (SNS) or recorded (outbox). Frozen: made once, then only read."""

    model_config = ConfigDict(frozen=True)

    to: str
    text: str
    tags: dict[str, str] = Field(default_factory=dict)


# Executors make a message per person-action, and pydantic's validation costs as much as the
# rendering. When every value is already what the validator would return (exact str, a list and
# a dict of exact str) the model is assembled as `model_construct` would, only cheaper; anything
# else goes through the validator, errors included. A property test holds both paths equal.
# What validation records as set: the fields passed (an email's `kind` is left to its default).
# Shared by every message made here: they are frozen, so nothing changes it.
_EMAIL_SET = {"to", "sender", "subject", "html", "text", "tags"}
_SMS_SET = {"to", "text", "tags"}
_EMAIL_KIND = OutboundEmail.model_fields["kind"].default


def str_dict(value: object) -> bool:
    """Whether `value` is a dict of exact str to exact str (what `dict[str, str]` keeps as is)."""
    return type(value) is dict and all(type(k) is str and type(v) is str for k, v in value.items())


def new_email(
    *,
    to: list[str],
    sender: str,
    subject: str,
    html: str,
    text: str | None,
    tags: dict[str, str],
    tags_checked: bool = False,
) -> OutboundEmail:
    """`OutboundEmail(to=..., sender=..., subject=..., html=..., text=..., tags=...)`.

    `to` and `tags` are kept, not copied: pass new ones. `tags_checked`: the caller made `tags`
    from parts it checked with `str_dict` (an executor checks its batch's tags once, not per person).
    """
    if (
        type(to) is list
        and to
        and type(sender) is str
        and type(subject) is str
        and type(html) is str
        and (text is None or type(text) is str)
        and (tags_checked or str_dict(tags))
    ):
        for address in to:
            if type(address) is not str:
                break
        else:
            values = {"to": to, "sender": sender, "subject": subject, "html": html, "text": text,
                      "kind": _EMAIL_KIND, "tags": tags}  # fmt: skip
            return assembled(OutboundEmail, values, _EMAIL_SET)
    return OutboundEmail(to=to, sender=sender, subject=subject, html=html, text=text, tags=tags)


def new_sms(*, to: str, text: str, tags: dict[str, str], tags_checked: bool = False) -> OutboundSms:
    """`OutboundSms(to=..., text=..., tags=...)`; `tags` and `tags_checked` as for `new_email`."""
    if type(to) is str and type(text) is str and (tags_checked or str_dict(tags)):
        return assembled(OutboundSms, {"to": to, "text": text, "tags": tags}, _SMS_SET)
    return OutboundSms(to=to, text=text, tags=tags)


class EmailSender(Protocol):
    def send(self, email: OutboundEmail) -> str:
        """Send one email; return the provider's message id. DeliveryRejected when refused."""
        ...


class SmsSender(Protocol):
    def send(self, sms: OutboundSms) -> str: ...


class EventPublisher(Protocol):
    def publish(self, events: list[JourneyEvent]) -> None:
        """Publish all or raise (entries the bus refused are retried inside, then raised)."""
        ...


# Starting and stopping entries of another journey is the shared `journeys.ports.ExecutionStarter`
# (Step Functions in production, the embedded runtime's own locally); the executors use it as is.
JourneyStarter = ExecutionStarter


class Outbox:
    """Email and SMS senders that record what would have been sent (embedded runtime, tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.emails: list[OutboundEmail] = []
        self.sms: list[OutboundSms] = []

    def send_email(self, email: OutboundEmail) -> str:
        with self._lock:
            self.emails.append(email)
            return f"outbox-email-{len(self.emails)}"

    def send_sms(self, sms: OutboundSms) -> str:
        with self._lock:
            self.sms.append(sms)
            return f"outbox-sms-{len(self.sms)}"

    @property
    def email_sender(self) -> EmailSender:
        return _OutboxEmail(self)

    @property
    def sms_sender(self) -> SmsSender:
        return _OutboxSms(self)


@dataclass(frozen=True)
class _OutboxEmail:
    outbox: Outbox

    def send(self, email: OutboundEmail) -> str:
        return self.outbox.send_email(email)


@dataclass(frozen=True)
class _OutboxSms:
    outbox: Outbox

    def send(self, sms: OutboundSms) -> str:
        return self.outbox.send_sms(sms)


class InMemoryEventBus:
    """Collects published events; `subscribers` are called synchronously (the embedded runtime's
    listener hooks in here)."""

    def __init__(self) -> None:
        self.events: list[JourneyEvent] = []
        self.subscribers: list[EventSubscriber] = []

    def publish(self, events: list[JourneyEvent]) -> None:
        self.events.extend(events)
        for subscriber in self.subscribers:
            for event in events:
                subscriber(event)


class EventSubscriber(Protocol):
    def __call__(self, event: JourneyEvent) -> None: ...


class RecordingJourneyStarter:
    """An `ExecutionStarter` that records starts and stops (tests); the embedded runtime supplies
    one that runs the entry."""

    def __init__(self) -> None:
        self.started: dict[str, dict[str, Any]] = {}  # execution ARN -> input
        self.stopped: dict[str, str] = {}  # execution ARN -> cause

    def start_entry(
        self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
    ) -> str:
        arn = f"arn:local:states:execution:{journey_id}-v{version}:{entry_id}"
        self.started.setdefault(arn, dict(execution_input))
        return arn

    def stop_entry(self, execution_arn: str, cause: str) -> None:
        self.stopped[execution_arn] = cause
