"""Account lists, destinations, external audiences, the timeline."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from journeys.model.common import Id, Strict

DUMMY_AUDIENCE_RECORD = "test@email.com"
MAX_DESCRIPTION = 140
MomentType = Literal["email", "milestone", "web"]


class AccountList(Strict):
    id: Id
    name: str
    kind: Literal["static", "dynamic"] = "static"
    status: Literal["draft", "live"] = "live"
    members: list[Id] = Field(default_factory=list)

    @property
    def actionable(self) -> bool:
        """Only live static lists can be targets of actions."""
        return self.kind == "static" and self.status == "live"


class Destination(Strict):
    id: Id
    name: str
    kind: Literal["webhook", "s3"] = "webhook"
    url: str | None = Field(default=None, pattern=r"^https://")
    bucket: str | None = None
    prefix: str = ""

    @model_validator(mode="after")
    def _target(self) -> Destination:
        if self.kind == "webhook" and not self.url:
            raise ValueError("a webhook destination needs an https url")
        if self.kind == "s3" and not self.bucket:
            raise ValueError("an s3 destination needs a bucket")
        return self


class ExternalAudience(Strict):
    id: Id
    name: str = Field(min_length=1, max_length=256)
    description: str | None = Field(default=None, max_length=1000)
    destination: Id | None = None
    # Profile ids (or the dummy record of a new audience).
    members: list[str] = Field(default_factory=list)


class TimelineEntry(Strict):
    """An interesting moment on an account or person timeline (frozen: stores share it)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    on: Literal["account", "person"]
    subject: Id
    type: MomentType
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    at: str
    journey: str | None = None
    node: str | None = None
