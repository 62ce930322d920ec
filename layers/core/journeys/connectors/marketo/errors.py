"""Typed errors of the Marketo connector."""

from __future__ import annotations

from datetime import datetime

from journeys.outcomes import ActionResult


class MarketoError(Exception):
    """Base class. `completed` holds the per-record results obtained before the error, if any."""

    def __init__(self, message: str, *, completed: list[ActionResult] | None = None) -> None:
        super().__init__(message)
        self.completed: list[ActionResult] = list(completed or [])


class MarketoConfigurationError(MarketoError):
    """Credentials or endpoint are wrong (identity returned 401, or no usable token)."""


class MarketoAuthError(MarketoError):
    """A token was refused again right after re-authenticating."""


class MarketoApiError(MarketoError):
    """Marketo answered with a response-level error that retrying will not fix."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        completed: list[ActionResult] | None = None,
    ) -> None:
        super().__init__(f"Marketo error {code}: {message}", completed=completed)
        self.code = code
        self.marketo_message = message
        self.request_id = request_id


class MarketoPermissionError(MarketoApiError):
    """603: the API user's role lacks the permission (or the IP is not allowed)."""


class MarketoUnavailable(MarketoError):
    """Transient failures outlasted the retry budget; the work can be tried again later."""

    def __init__(
        self, message: str, *, last_code: str | None = None, completed: list[ActionResult] | None = None
    ) -> None:
        super().__init__(message, completed=completed)
        self.last_code = last_code


class MarketoQuotaExhausted(MarketoError):
    """607: the daily API quota is spent; nothing will succeed before `retry_at`."""

    def __init__(self, retry_at: datetime, *, completed: list[ActionResult] | None = None) -> None:
        super().__init__(
            f"Marketo daily quota exhausted; retry after {retry_at.isoformat()}", completed=completed
        )
        self.retry_at = retry_at


class MarketoProtocolError(MarketoError):
    """The response could not be understood (not JSON, or not the Marketo envelope)."""
