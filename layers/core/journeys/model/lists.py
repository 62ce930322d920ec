"""Account lists, destinations, external audiences, the timeline."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from journeys.model.common import Id, Strict, assembled

DUMMY_AUDIENCE_RECORD = "test@email.com"
MAX_DESCRIPTION = 140
MAX_ID = 256  # the length limit of `Id`
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

    def with_subject(self, subject: str) -> TimelineEntry:
        """This moment for another subject: what the constructor makes of the same fields.

        The interesting-moment executor makes one per person and only the subject differs; no
        validator looks at two fields at once, so an id that `Id` would return unchanged (a plain
        ASCII str, stripped, 1 to 256 characters, as a person's id is) is taken as it is: a
        validation costs more than the rest of recording the moment. Any other is validated.
        """
        if (
            type(subject) is str
            and subject.isascii()
            and 0 < len(subject) <= MAX_ID
            and subject == subject.strip()
        ):
            values = self.__dict__.copy()
            values["subject"] = subject
            # The fields-set is shared (frozen), and it holds `subject` already (a required field).
            return assembled(TimelineEntry, values, self.__pydantic_fields_set__)
        return TimelineEntry.model_validate(
            {**{f: getattr(self, f) for f in self.model_fields_set}, "subject": subject}
        )
