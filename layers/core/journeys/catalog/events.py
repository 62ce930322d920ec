"""Event types a listen node can wait for, their filters, and how an event matches them."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from journeys.catalog.refs import Ref, RefKind
from journeys.model.common import FrozenDict, ReadOnlyData, Scalar, Strict, assembled
from journeys.model.lists import MomentType

On = Literal["accounts", "people"]


class Filters(Strict):
    """Every filter is optional; an unset filter matches anything."""


class MomentFilters(Filters):
    type: MomentType | None = None
    descriptionContains: str | None = Field(default=None, max_length=140)


class DataValueFilters(Filters):
    attribute: str = Field(min_length=1, description="Attribute that changed")
    newValue: Scalar = None
    previousValue: Scalar = None


class BuyingGroupStageFilters(Filters):
    solutionInterest: str = Ref(RefKind.SOLUTION_INTEREST, "Solution interest")
    newStage: str | None = None
    previousStage: str | None = None


class BuyingGroupStatusFilters(Filters):
    solutionInterest: str = Ref(RefKind.SOLUTION_INTEREST, "Solution interest")
    newStatus: str | None = Field(default=None, max_length=50)


class CompletenessFilters(Filters):
    solutionInterest: str = Ref(RefKind.SOLUTION_INTEREST, "Solution interest")
    atLeast: int | None = Field(default=None, ge=0, le=100)


class EmailFilters(Filters):
    node: str | None = Field(default=None, description="Only emails sent by this node of the journey")
    linkContains: str | None = None


class SmsFilters(Filters):
    node: str | None = None
    linkContains: str | None = None


class AssignedFilters(Filters):
    solutionInterest: str = Ref(RefKind.SOLUTION_INTEREST, "Solution interest")
    role: str | None = None


class RemovedFilters(Filters):
    solutionInterest: str = Ref(RefKind.SOLUTION_INTEREST, "Solution interest")


class ScoreFilters(Filters):
    score: str = Ref(RefKind.SCORE, "Score name")
    atLeast: float | None = None


@dataclass(frozen=True)
class EventTypeSpec:
    on: On
    type: str
    label: str
    filters: builtins.type[Filters]

    @property
    def key(self) -> str:
        return f"{self.on}:{self.type}"

    @cached_property
    def filters_schema(self) -> dict[str, Any]:
        return self.filters.model_json_schema()

    def describe(self) -> dict[str, Any]:
        return {"on": self.on, "type": self.type, "label": self.label, "filters": self.filters_schema}


_E = [
    EventTypeSpec("accounts", "interesting_moment", "Account had interesting moment", MomentFilters),
    EventTypeSpec("accounts", "data_value_changed", "Change in account data value", DataValueFilters),
    EventTypeSpec(
        "accounts", "buying_group_stage_changed", "Change in buying group stage", BuyingGroupStageFilters
    ),
    EventTypeSpec(
        "accounts", "buying_group_status_changed", "Change in buying group status", BuyingGroupStatusFilters
    ),
    EventTypeSpec(
        "accounts",
        "buying_group_completeness_changed",
        "Change in buying group completeness",
        CompletenessFilters,
    ),
    EventTypeSpec("people", "email_opened", "Opens email", EmailFilters),
    EventTypeSpec("people", "email_clicked", "Clicks link in email", EmailFilters),
    EventTypeSpec("people", "sms_clicked", "Clicks link in SMS", SmsFilters),
    EventTypeSpec("people", "assigned_to_buying_group", "Assigned to buying group", AssignedFilters),
    EventTypeSpec("people", "removed_from_buying_group", "Removed from buying group", RemovedFilters),
    EventTypeSpec("people", "data_value_changed", "Person data value changes", DataValueFilters),
    EventTypeSpec("people", "score_changed", "Score is changed", ScoreFilters),
    EventTypeSpec("people", "interesting_moment", "Person had interesting moment", MomentFilters),
]

EVENT_TYPES: dict[str, EventTypeSpec] = {e.key: e for e in _E}


def get_event_type(on: str, type_: str) -> EventTypeSpec | None:
    return EVENT_TYPES.get(f"{on}:{type_}")


class JourneyEvent(BaseModel):
    """An account or person event, as carried on EventBridge (detail) and injected into runs.

    Frozen, its data read-only: recorded once, then shared by every reader without copies."""

    model_config = ConfigDict(frozen=True)

    on: On
    type: str
    accountId: str
    personId: str | None = None
    occurredAt: datetime
    data: ReadOnlyData = Field(default_factory=FrozenDict)


_ON = frozenset(get_args(On))
# What validation records as set (every field is passed). Shared by the events made here: a
# frozen model's fields-set is never changed (`model_copy` copies it before an update).
_ALL_SET = set(JourneyEvent.model_fields)


def new_event(
    on: str,
    type_: str,
    account_id: str,
    person_id: str | None,
    *,
    occurred_at: datetime,
    data: dict[str, Any],
) -> JourneyEvent:
    """`JourneyEvent.model_validate` of these fields (`data` is copied, never kept).

    Executors make an event per person-action, and validating one costs about as much as the
    change it reports: when every value is already what the validator would return (exact str,
    a datetime, a plain dict with str keys) the model is assembled as `model_construct` would,
    only cheaper; anything else goes through the validator, errors included. A property test
    holds both paths equal.
    """
    if (
        type(on) is str
        and on in _ON
        and type(type_) is str
        and type(account_id) is str
        and (person_id is None or type(person_id) is str)
        and isinstance(occurred_at, datetime)
        and type(data) is dict
    ):
        for key in data:
            if type(key) is not str:  # a str subclass is converted, anything else refused
                break
        else:
            values = {"on": on, "type": type_, "accountId": account_id, "personId": person_id,
                      "occurredAt": occurred_at, "data": FrozenDict(data)}  # fmt: skip
            return assembled(JourneyEvent, values, _ALL_SET)
    return JourneyEvent.model_validate(
        {"on": on, "type": type_, "accountId": account_id, "personId": person_id,
         "occurredAt": occurred_at, "data": data}
    )  # fmt: skip


def matches(filters: dict[str, Any], event: JourneyEvent) -> bool:
    """Whether an event satisfies a listen node's filters (all set filters must hold)."""
    data = event.data
    for key, want in filters.items():
        if want is None:
            continue
        if key == "descriptionContains":
            if str(want).lower() not in str(data.get("description") or "").lower():
                return False
        elif key == "linkContains":
            if str(want) not in str(data.get("link") or ""):
                return False
        elif key == "atLeast":
            got = data.get("completeness", data.get("newValue"))
            if not isinstance(got, int | float) or got < want:
                return False
        elif data.get(key) != want:
            return False
    return True
