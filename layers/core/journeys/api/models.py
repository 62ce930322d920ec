"""Request and response bodies (pydantic): the API's public contract, published as openapi.json."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from journeys.issues import Issue
from journeys.model.buying_groups import SolutionInterest
from journeys.model.journey_record import JourneyStatus
from journeys.store.records import Entry, NodeCounts

SLUG = r"^[a-z0-9][a-z0-9-]{0,127}$"


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer. `issues` lists what to fix when a request or a journey is invalid."""

    error: str
    message: str
    issues: list[Issue] | None = None


class GatewayError(BaseModel):
    """What API Gateway itself answers (401 from the JWT authorizer) before the function runs."""

    message: str


# ---- catalog -------------------------------------------------------------------------------


class ActionOut(BaseModel):
    id: str
    target: Literal["accounts", "people"]
    context: Literal["journey", "marketo"]
    label: str
    description: str
    inputs: dict[str, Any] = Field(description="JSON Schema of the action's inputs (x-ref marks pickers)")


class EventTypeOut(BaseModel):
    on: Literal["accounts", "people"]
    type: str
    label: str
    filters: dict[str, Any] = Field(description="JSON Schema of the listen node's filters")


class CatalogOut(BaseModel):
    actions: list[ActionOut]
    events: list[EventTypeOut]


# ---- journeys ------------------------------------------------------------------------------


class JourneyDraft(BaseModel):
    """A journey definition (section 3 of the design) as JSON. A draft may be incomplete: only
    `id` and `name` are required to save it; `validate` and `publish` check the rest."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=SLUG, description="Slug, unique")
    name: str = Field(min_length=1, max_length=200)


class JourneyUpdate(BaseModel):
    """A replacement definition for a draft; `id`, when given, must be the journey's id."""

    model_config = ConfigDict(extra="allow")

    id: str | None = Field(default=None, pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)


class DuplicateRequest(BaseModel):
    id: str | None = Field(default=None, pattern=SLUG, description="Id of the copy (default: <id>-copy-N)")
    name: str | None = Field(default=None, min_length=1, max_length=200)


class VersionOut(BaseModel):
    version: int
    publishedAt: str
    stateMachineArn: str | None = None


class JourneyOut(BaseModel):
    id: str
    name: str
    status: JourneyStatus
    definition: dict[str, Any]
    createdAt: str
    updatedAt: str
    liveVersion: int | None = None
    versions: list[VersionOut]
    revision: int


class JourneySummaryOut(BaseModel):
    id: str
    name: str
    status: JourneyStatus
    liveVersion: int | None = None
    updatedAt: str


class JourneyListOut(BaseModel):
    journeys: list[JourneySummaryOut]


class DeletedOut(BaseModel):
    id: str
    deleted: bool = True


class ValidationOut(BaseModel):
    valid: bool
    referencesChecked: bool
    issues: list[Issue]


# ---- entries and counts --------------------------------------------------------------------


class EntriesRequest(BaseModel):
    """Accounts that enter the live journey now. Retrying with the same `idempotencyKey` starts
    nothing new: the entry id is derived from journey, version, account and key."""

    model_config = ConfigDict(extra="forbid")

    accounts: list[str] = Field(min_length=1, max_length=100)
    idempotencyKey: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


EntryOutcome = Literal["started", "duplicate", "unknown_account", "not_eligible"]


class EntryResult(BaseModel):
    accountId: str
    outcome: EntryOutcome
    reason: str | None = Field(default=None, description="Why the account did not enter (re-entry rules)")
    entryId: str | None = None
    executionArn: str | None = None


class EntriesOut(BaseModel):
    journeyId: str
    version: int
    results: list[EntryResult]


class NodeCountsOut(NodeCounts):
    node: str


class NodesOut(BaseModel):
    journeyId: str
    nodes: list[NodeCountsOut]


EntryOut = Entry

# ---- audiences -----------------------------------------------------------------------------


class AudienceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=256)
    description: str | None = Field(default=None, max_length=1000)
    destination: str | None = Field(default=None, min_length=1, max_length=256)


class AudienceOut(BaseModel):
    id: str
    name: str
    description: str | None = None
    destination: str | None = None
    memberCount: int


class AudienceListOut(BaseModel):
    audiences: list[AudienceOut]


# ---- lookups -------------------------------------------------------------------------------


class AccountListOut(BaseModel):
    id: str
    name: str
    kind: Literal["static", "dynamic"]
    status: Literal["draft", "live"]
    actionable: bool = Field(description="Only live static lists can be targets of actions")


class AccountListsOut(BaseModel):
    accountLists: list[AccountListOut]


class LiveJourneyOut(BaseModel):
    id: str
    name: str
    kind: str


class LiveJourneysOut(BaseModel):
    journeys: list[LiveJourneyOut]


class SolutionInterestsOut(BaseModel):
    solutionInterests: list[SolutionInterest]


class DestinationOut(BaseModel):
    id: str
    name: str
    kind: Literal["webhook", "s3"]


class DestinationsOut(BaseModel):
    destinations: list[DestinationOut]


class NamedOut(BaseModel):
    id: int
    name: str


class WorkspacesOut(BaseModel):
    workspaces: list[NamedOut]


class PartitionsOut(BaseModel):
    partitions: list[NamedOut]


class MarketoListOut(BaseModel):
    id: int
    name: str
    workspace: str | None = None


class MarketoListsOut(BaseModel):
    lists: list[MarketoListOut]


class CampaignOut(BaseModel):
    id: int
    name: str
    workspace: str | None = None
    requestable: bool


class CampaignsOut(BaseModel):
    campaigns: list[CampaignOut]
