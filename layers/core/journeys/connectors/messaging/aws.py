"""boto3 implementations of `EmailSender`, `SmsSender` and `EventPublisher`.

Clients are created on first use (never at import time) and reused across warm invocations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from journeys.catalog.events import JourneyEvent
from journeys.executors.ports import DeliveryRejected, OutboundEmail, OutboundSms

EVENT_SOURCE = "account-journeys"
EVENTS_PER_CALL = 10  # the PutEvents maximum
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# SES v2 errors that concern this one message (address, content), not the service or the account.
_SES_REJECTIONS = frozenset({"MessageRejected", "BadRequestException", "MailFromDomainNotVerifiedException"})
_SNS_REJECTIONS = frozenset({"InvalidParameter", "InvalidParameterValue", "OptedOut"})

ClientFactory = Callable[[], Any]


def _boto3_client(service: str) -> ClientFactory:
    def make() -> Any:
        import boto3

        return boto3.client(service)

    return make


class _LazyClient:
    def __init__(self, client: Any | None, factory: ClientFactory) -> None:
        self._client = client
        self._factory = factory

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._factory()
        return self._client


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class SesEmailSender(_LazyClient):
    """Amazon SES v2 `SendEmail`, with the configuration set (event publishing, suppression)."""

    def __init__(self, configuration_set: str | None = None, *, client: Any | None = None) -> None:
        super().__init__(client, _boto3_client("sesv2"))
        self.configuration_set = configuration_set

    def send(self, email: OutboundEmail) -> str:
        body: dict[str, Any] = {"Html": {"Data": email.html, "Charset": "UTF-8"}}
        if email.text is not None:
            body["Text"] = {"Data": email.text, "Charset": "UTF-8"}
        request: dict[str, Any] = {
            "FromEmailAddress": email.sender,
            "Destination": {"ToAddresses": email.to},
            "Content": {"Simple": {"Subject": {"Data": email.subject, "Charset": "UTF-8"}, "Body": body}},
            # Tags feed the configuration set's event destinations (opens and clicks per node).
            "EmailTags": [
                {"Name": _TAG_UNSAFE.sub("_", k), "Value": _TAG_UNSAFE.sub("_", v) or "_"}
                for k, v in {**email.tags, "kind": email.kind}.items()
            ],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)
        except ClientError as exc:
            if _error_code(exc) in _SES_REJECTIONS:
                raise DeliveryRejected(_error_code(exc)) from exc
            raise
        return str(response.get("MessageId", ""))


class SnsSmsSender(_LazyClient):
    """Amazon SNS `Publish` to a phone number (transactional SMS)."""

    def __init__(self, sms_type: str = "Transactional", *, client: Any | None = None) -> None:
        super().__init__(client, _boto3_client("sns"))
        self.sms_type = sms_type

    def send(self, sms: OutboundSms) -> str:
        try:
            response = self.client.publish(
                PhoneNumber=sms.to,
                Message=sms.text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": self.sms_type}
                },
            )
        except ClientError as exc:
            if _error_code(exc) in _SNS_REJECTIONS:
                raise DeliveryRejected(_error_code(exc)) from exc
            raise
        return str(response.get("MessageId", ""))


class EventPublishError(Exception):
    """EventBridge kept refusing some entries after the retries."""


def detail_type(event: JourneyEvent) -> str:
    """`people.score_changed`, `accounts.interesting_moment`: what rules and the listener match on."""
    return f"{event.on}.{event.type}"


class EventBridgePublisher(_LazyClient):
    """`PutEvents` in chunks of 10; entries refused in a partial failure are retried with backoff."""

    def __init__(
        self,
        event_bus_name: str = "default",
        *,
        client: Any | None = None,
        attempts: int = 4,
        base_delay: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(client, _boto3_client("events"))
        self.event_bus_name = event_bus_name
        self.attempts = attempts
        self.base_delay = base_delay
        self.sleep = sleep

    def publish(self, events: list[JourneyEvent]) -> None:
        entries = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": detail_type(e),
                "Detail": e.model_dump_json(),
                "EventBusName": self.event_bus_name,
            }
            for e in events
        ]
        for start in range(0, len(entries), EVENTS_PER_CALL):
            self._put(entries[start : start + EVENTS_PER_CALL])

    def _put(self, entries: list[dict[str, Any]]) -> None:
        pending = entries
        for attempt in range(self.attempts):
            response = self.client.put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            # Results are positional: an entry with an ErrorCode was not accepted.
            pending = [
                entry
                for entry, result in zip(pending, response.get("Entries", []), strict=False)
                if result.get("ErrorCode")
            ]
            if not pending:
                return
            if attempt + 1 < self.attempts:
                self.sleep(self.base_delay * 2**attempt)
        raise EventPublishError(f"EventBridge refused {len(pending)} entries after {self.attempts} attempts")
