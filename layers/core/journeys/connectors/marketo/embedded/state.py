"""What the embedded Marketo holds, seeded from and dumped to the data set's `marketo:` section."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from journeys.model.marketo import MarketoData


@dataclass
class Lead:
    id: int
    email: str | None
    partition: str


@dataclass
class ListState:
    id: int
    name: str
    workspace: str
    members: dict[int, None] = field(default_factory=dict)  # an ordered set: keeps add order


@dataclass
class CampaignState:
    id: int
    name: str
    workspace: str
    requestable: bool


@dataclass
class MarketoState:
    workspaces: list[str] = field(default_factory=lambda: ["Default"])
    partitions: list[str] = field(default_factory=lambda: ["Default"])
    leads: dict[int, Lead] = field(default_factory=dict)
    lists: dict[int, ListState] = field(default_factory=dict)
    campaigns: dict[int, CampaignState] = field(default_factory=dict)
    # Email assets are not served over REST here; kept so a snapshot round-trips the data set.
    emails: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: MarketoData) -> MarketoState:
        return cls(
            workspaces=list(data.workspaces),
            partitions=list(data.partitions),
            leads={x.id: Lead(x.id, x.email, x.partition) for x in data.leads},
            lists={x.id: ListState(x.id, x.name, x.workspace, dict.fromkeys(x.members)) for x in data.lists},
            campaigns={x.id: CampaignState(x.id, x.name, x.workspace, x.requestable) for x in data.campaigns},
            emails=[x.model_dump() for x in data.emails],
        )

    def to_data(self) -> dict[str, Any]:
        data = MarketoData.model_validate(
            {
                "workspaces": list(self.workspaces),
                "partitions": list(self.partitions),
                "leads": [
                    {"id": x.id, "email": x.email, "partition": x.partition} for x in self.leads.values()
                ],
                "lists": [
                    {"id": x.id, "name": x.name, "workspace": x.workspace, "members": list(x.members)}
                    for x in self.lists.values()
                ],
                "campaigns": [
                    {"id": x.id, "name": x.name, "workspace": x.workspace, "requestable": x.requestable}
                    for x in self.campaigns.values()
                ],
                "emails": list(self.emails),
            }
        )
        return data.model_dump(mode="json")

    def partition_id(self, name: str) -> int | None:
        return self.partitions.index(name) + 1 if name in self.partitions else None
