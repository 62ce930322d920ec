"""The interface action executors depend on, so they can run against any Marketo."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from journeys.connectors.marketo.models import Campaign, Partition, StaticList, Workspace
from journeys.outcomes import ActionResult


class MarketoApi(Protocol):
    """Marketo operations of the four Marketo actions and of reference validation."""

    def add_to_list(self, list_id: int, lead_ids: Sequence[int]) -> list[ActionResult]: ...

    def remove_from_list(self, list_id: int, lead_ids: Sequence[int]) -> list[ActionResult]: ...

    def request_campaign(
        self, campaign_id: int, lead_ids: Sequence[int], tokens: Mapping[str, str] | None = None
    ) -> list[ActionResult]: ...

    def change_partition(self, lead_ids: Sequence[int], partition_name: str) -> list[ActionResult]: ...

    def workspaces(self) -> list[Workspace]: ...

    def static_lists(self, workspace: str | None = None) -> list[StaticList]: ...

    def campaigns(self, workspace: str | None = None, requestable_only: bool = True) -> list[Campaign]: ...

    def partitions(self) -> list[Partition]: ...

    def leads_by_email(self, emails: Iterable[str]) -> dict[str, int]: ...
