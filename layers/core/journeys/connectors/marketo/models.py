"""What the lookups return: Marketo objects a journey can point at."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Lookup(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class Workspace(_Lookup):
    id: int
    name: str
    description: str = ""
    status: str = ""


class StaticList(_Lookup):
    id: int
    name: str
    workspace: str | None = Field(default=None, alias="workspaceName")
    program: str | None = Field(default=None, alias="programName")


class Campaign(_Lookup):
    id: int
    name: str
    type: str = ""
    active: bool = False
    workspace: str | None = Field(default=None, alias="workspaceName")
    program: str | None = Field(default=None, alias="programName")
    # True when Marketo lists it under `isTriggerable=true` (active, "Campaign is Requested" with
    # source Web Service API): the only campaigns Request Campaign accepts.
    requestable: bool = False


class Partition(_Lookup):
    id: int
    name: str
    description: str = ""
