"""HTTPS webhook destination: batched JSON posts, HMAC-SHA256 signed, retried with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from journeys.connectors.destinations.base import (
    ActivationRecord,
    DestinationRejected,
    DestinationUnavailable,
)
from journeys.model.lists import Destination, ExternalAudience

SIGNATURE_HEADER = "X-Journeys-Signature"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
SecretProvider = Callable[[], str]


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>` of the exact body bytes; the receiver recomputes it with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def powertools_secret(name: str) -> SecretProvider:
    """Read the signing secret with Powertools Parameters (Secrets Manager, cached 5 minutes)."""

    def get() -> str:
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_secret(name, max_age=300)
        return value.decode() if isinstance(value, bytes) else str(value)

    return get


class WebhookConnector:
    """POSTs `{"destination", "audience", "members": [...]}` in batches of `batch_size`."""

    def __init__(
        self,
        secret: SecretProvider,
        *,
        transport: httpx.BaseTransport | None = None,
        batch_size: int = 100,
        attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._secret = secret
        self._http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)
        self.batch_size = batch_size
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep

    def close(self) -> None:
        self._http.close()

    def deliver(
        self, destination: Destination, audience: ExternalAudience, records: list[ActivationRecord]
    ) -> None:
        if not destination.url:
            raise DestinationRejected(f"destination '{destination.id}' has no url")
        for start in range(0, len(records), self.batch_size):
            chunk = records[start : start + self.batch_size]
            payload = {
                "destination": destination.id,
                "audience": {"id": audience.id, "name": audience.name},
                "members": [r.model_dump(exclude_none=True) for r in chunk],
            }
            self._post(destination.url, json.dumps(payload, separators=(",", ":")).encode())

    def _post(self, url: str, body: bytes) -> None:
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self._secret(), body)}
        last = ""
        for attempt in range(self.attempts):
            retry_after: float | None = None
            try:
                response = self._http.post(url, content=body, headers=headers)
            except httpx.TimeoutException as exc:
                last = type(exc).__name__
            except httpx.TransportError as exc:
                last = type(exc).__name__
            else:
                if response.status_code < 300:
                    return
                if response.status_code not in RETRYABLE_STATUS:
                    raise DestinationRejected(f"HTTP {response.status_code} from the webhook")
                last = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers)
            if attempt + 1 < self.attempts:
                delay = min(self.max_delay, self.base_delay * 2**attempt)
                self.sleep(max(delay, retry_after or 0.0))
        raise DestinationUnavailable(f"webhook gave up after {self.attempts} attempts (last: {last})")


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
