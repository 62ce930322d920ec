"""Marketo Engage objects that actions point at (the data set's `marketo:` section)."""

from __future__ import annotations

from pydantic import Field

from journeys.model.common import Strict


class MarketoLead(Strict):
    id: int = Field(gt=0)
    email: str | None = None
    partition: str = "Default"


class MarketoList(Strict):
    id: int = Field(gt=0)
    name: str
    workspace: str = "Default"
    members: list[int] = Field(default_factory=list)


class MarketoCampaign(Strict):
    id: int = Field(gt=0)
    name: str
    workspace: str = "Default"
    requestable: bool = False


class MarketoEmailAsset(Strict):
    id: int = Field(gt=0)
    name: str
    workspace: str = "Default"


class MarketoData(Strict):
    workspaces: list[str] = Field(default_factory=lambda: ["Default"])
    partitions: list[str] = Field(default_factory=lambda: ["Default"])
    leads: list[MarketoLead] = Field(default_factory=list)
    lists: list[MarketoList] = Field(default_factory=list)
    campaigns: list[MarketoCampaign] = Field(default_factory=list)
    emails: list[MarketoEmailAsset] = Field(default_factory=list)
