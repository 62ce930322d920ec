"""Defensive models of what Marketo sends back: the Lead DB envelope and the identity response.

Marketo omits `errors`, `warnings`, `moreResult` and `nextPageToken` freely, sends error codes as
strings but Lead DB warning codes as integers (and Asset warnings as bare strings), so every
field has a default and codes are normalised to `str`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def _code_to_str(value: Any) -> str:
    return "" if value is None else str(value)


class ErrorItem(_Lenient):
    code: str = ""
    message: str = ""

    _norm = field_validator("code", mode="before")(_code_to_str)


class WarningItem(_Lenient):
    code: str = ""
    message: str = ""

    _norm = field_validator("code", mode="before")(_code_to_str)


class Reason(_Lenient):
    code: str = ""
    message: str = ""

    _norm = field_validator("code", mode="before")(_code_to_str)

    def describe(self) -> str:
        return f"{self.code} {self.message}".strip()


class RecordResult(_Lenient):
    """One `result[]` item of a per-record operation (list add/remove/ismember, partition change)."""

    id: int | None = None
    status: str = ""
    reasons: list[Reason] = Field(default_factory=list)

    @field_validator("reasons", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return value if isinstance(value, list) else []

    @classmethod
    def parse(cls, raw: Any) -> RecordResult:
        """Accept `reasons`, the Swagger `reason` object, or custom-activity style `errors`."""
        if not isinstance(raw, dict):
            return cls()
        data = dict(raw)
        if not data.get("reasons"):
            single = data.get("reason")
            errors = data.get("errors")
            if isinstance(single, dict):
                data["reasons"] = [single]
            elif isinstance(errors, list):
                data["reasons"] = errors
        return cls.model_validate(data)


class Envelope(_Lenient):
    """The Lead DB response envelope."""

    request_id: str | None = Field(default=None, alias="requestId")
    success: bool = False
    errors: list[ErrorItem] = Field(default_factory=list)
    warnings: list[WarningItem] = Field(default_factory=list)
    result: list[Any] = Field(default_factory=list)
    next_page_token: str | None = Field(default=None, alias="nextPageToken")
    more_result: bool = Field(default=False, alias="moreResult")

    @field_validator("errors", "result", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("warnings", mode="before")
    @classmethod
    def _warnings(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return []
        return [w if isinstance(w, dict) else {"code": "", "message": str(w)} for w in value]

    @field_validator("more_result", mode="before")
    @classmethod
    def _more(cls, value: Any) -> Any:
        return bool(value)

    def error_codes(self) -> list[str]:
        return [e.code for e in self.errors]


class TokenResponse(_Lenient):
    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth scheme name
    scope: str | None = Field(default=None, repr=False)  # the API user's email: personal data


class IdentityError(_Lenient):
    error: str = ""
    error_description: str = ""
