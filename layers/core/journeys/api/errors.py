"""API errors: every failure leaves as a JSON body `{"error", "message", "issues"?}` with a 4xx/5xx."""

from __future__ import annotations

from collections.abc import Sequence

from journeys.issues import Issue


class ApiError(Exception):
    """An error the API reports to its caller; `code` is machine-readable, `message` is for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, issues: Sequence[Issue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues = list(issues) if issues is not None else None


class NotFoundError(ApiError):
    status = 404
    code = "not_found"


class ConflictError(ApiError):
    """The request is well formed but the resource's state forbids it (lifecycle, duplicates, races)."""

    status = 409
    code = "conflict"


class InvalidJourneyError(ApiError):
    status = 422
    code = "invalid_journey"


class UpstreamError(ApiError):
    """A partner (Marketo) or AWS dependency failed; the caller may retry later."""

    status = 502
    code = "upstream_unavailable"
