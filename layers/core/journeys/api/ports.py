"""What the API needs from the outside world, as ports, plus the in-memory adapters.

The boto3 adapters live in `journeys.api.aws`; tests and `journeys serve` use the ones here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from journeys.connectors.marketo.models import Campaign, Partition, StaticList, Workspace
from journeys.model.buying_groups import SolutionInterest
from journeys.model.dataset import DataSet
from journeys.model.journey_record import JourneySummary
from journeys.model.marketo import MarketoCampaign, MarketoData, MarketoList


class StateMachines(Protocol):
    """Where published journeys run: Step Functions in AWS, an in-process runtime locally.
    Entries are started through `journeys.ports.ExecutionStarter`, shared with the entry function."""

    def deploy(self, journey_id: str, definition: dict[str, Any], version: int) -> str:
        """Create or update the journey's state machine and publish a version; return the version ARN."""
        ...


class MarketoLookups(Protocol):
    """The read side of the Marketo client that the inputs panel needs."""

    def workspaces(self) -> list[Workspace]: ...
    def static_lists(self, workspace: str | None = None) -> list[StaticList]: ...
    def campaigns(self, workspace: str | None = None, requestable_only: bool = True) -> list[Campaign]: ...
    def partitions(self) -> list[Partition]: ...


@dataclass
class InMemoryStateMachines:
    """StateMachines and ExecutionStarter in memory: keeps definitions and started executions
    (tests, `journeys serve`); nothing executes."""

    region: str = "local"
    account: str = "000000000000"
    definitions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    executions: dict[str, dict[str, Any]] = field(default_factory=dict)
    stopped: dict[str, str] = field(default_factory=dict)

    def deploy(self, journey_id: str, definition: dict[str, Any], version: int) -> str:
        versions = self.definitions.setdefault(journey_id, [])
        versions.append(definition)
        return f"{self._machine(journey_id)}:{len(versions)}"

    def start_entry(
        self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
    ) -> str:
        if len(self.definitions.get(journey_id, [])) < version:
            raise LookupError(f"journey '{journey_id}' version {version} is not deployed")
        machine = self._machine(journey_id).split(":")[-1]
        arn = f"arn:aws:states:{self.region}:{self.account}:execution:{machine}:{entry_id}"
        self.executions.setdefault(arn, execution_input)  # same name: the same execution
        return arn

    def stop_entry(self, execution_arn: str, cause: str) -> None:
        self.stopped[execution_arn] = cause

    def _machine(self, journey_id: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:journey-{journey_id}"


def marketo_section(lookups: MarketoLookups, fallback: MarketoData) -> MarketoData:
    """What Marketo holds, in data-set form, so validation checks references against the live instance."""
    lists = lookups.static_lists()
    campaigns = lookups.campaigns(requestable_only=False)
    return MarketoData(
        workspaces=[w.name for w in lookups.workspaces()],
        partitions=[p.name for p in lookups.partitions()],
        leads=[],
        lists=[MarketoList(id=x.id, name=x.name, workspace=x.workspace or "Default") for x in lists],
        campaigns=[
            MarketoCampaign(
                id=c.id, name=c.name, workspace=c.workspace or "Default", requestable=c.requestable
            )
            for c in campaigns
        ],
        # Email assets have no lookup here: they come from the configured reference data.
        emails=fallback.emails,
    )


@runtime_checkable
class SolutionInterestSource(Protocol):
    """Stores that keep solution interests (both adapters do; the `Store` protocol does not say so)."""

    def list_solution_interests(self) -> list[SolutionInterest]: ...


def solution_interests(store: object, configured: Sequence[SolutionInterest]) -> list[SolutionInterest]:
    """The store's interests, then configured ones it does not have (by id)."""
    stored = store.list_solution_interests() if isinstance(store, SolutionInterestSource) else []
    ids = {s.id for s in stored}
    return [*stored, *(s for s in configured if s.id not in ids)]


def merge_journeys(
    stored: Sequence[JourneySummary], configured: Sequence[JourneySummary]
) -> list[JourneySummary]:
    """Journeys of the store win over same-id journeys of the configured reference data."""
    ids = {j.id for j in stored}
    return [*stored, *(j for j in configured if j.id not in ids)]


def empty_dataset() -> DataSet:
    return DataSet()
