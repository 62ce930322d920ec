"""Pydantic models of a journey definition (DESIGN section 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from journeys.definition.durations import parse_duration
from journeys.model.common import Scalar, Slug, Strict

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "contains", "startsWith", "in", "exists"]
NodeId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
MAX_PATHS = 25
MAX_NODES = 500
BUYING_GROUP_FACTS = ("exists", "stage", "status", "completeness", "membersInRole")


def _duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_duration)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a date needs a time zone (e.g. 2027-01-15T09:00:00Z)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class AttributeCondition(Strict):
    """A test on an attribute (account or person; dotted paths reach nested fields: scores.X)."""

    attribute: str = Field(min_length=1, max_length=200)
    op: Op
    value: Scalar | list[Scalar] = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> AttributeCondition:
        _check_value(self.op, self.value)
        return self


class BuyingGroupCondition(Strict):
    """A test on the account's buying group for one solution interest (split by accounts only)."""

    buyingGroup: str = Field(min_length=1)
    fact: Literal["exists", "stage", "status", "completeness", "membersInRole"]
    role: str | None = None  # for membersInRole
    op: Op = "eq"
    value: Scalar | list[Scalar] = None

    @model_validator(mode="after")
    def _shape(self) -> BuyingGroupCondition:
        if self.fact == "membersInRole" and not self.role:
            raise ValueError("membersInRole needs a role")
        if self.fact == "exists":
            if not isinstance(self.value, bool):
                raise ValueError("fact 'exists' takes value true or false")
        else:
            _check_value(self.op, self.value)
        return self


def _check_value(op: str, value: Any) -> None:
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ValueError("op 'in' needs a non-empty list value")
    elif op == "exists":
        if value is not None and not isinstance(value, bool):
            raise ValueError("op 'exists' takes value true, false or nothing")
    elif isinstance(value, list):
        raise ValueError(f"op '{op}' takes a single value")
    elif value is None:
        raise ValueError(f"op '{op}' needs a value")
    elif op in ("gt", "gte", "lt", "lte") and (
        isinstance(value, bool) or not isinstance(value, int | float | str)
    ):
        raise ValueError(f"op '{op}' needs a number or a date")
    elif op in ("contains", "startsWith") and not isinstance(value, str):
        raise ValueError(f"op '{op}' needs a string value")


Condition = AttributeCondition | BuyingGroupCondition


class Conditions(Strict):
    all: list[Condition] | None = Field(default=None, min_length=1, max_length=50)
    any: list[Condition] | None = Field(default=None, min_length=1, max_length=50)

    @model_validator(mode="after")
    def _one(self) -> Conditions:
        if (self.all is None) == (self.any is None):
            raise ValueError("give exactly one of 'all' or 'any'")
        return self

    @property
    def mode(self) -> Literal["all", "any"]:
        return "all" if self.all is not None else "any"

    @property
    def items(self) -> list[Condition]:
        return self.all if self.all is not None else (self.any or [])


class SplitPath(Strict):
    label: str = Field(min_length=1, max_length=100)
    when: Conditions | None = None
    otherwise: bool = False
    next: NodeId

    @model_validator(mode="after")
    def _when_or_otherwise(self) -> SplitPath:
        if self.otherwise and self.when is not None:
            raise ValueError("an otherwise path takes no 'when'")
        if not self.otherwise and self.when is None:
            raise ValueError("a path needs 'when' conditions or 'otherwise: true'")
        return self


class ActionNode(Strict):
    type: Literal["action"]
    label: str | None = Field(default=None, max_length=100)
    on: Literal["people", "accounts"]
    action: str = Field(min_length=1, max_length=100)
    params: dict[str, Any] = Field(default_factory=dict)
    next: NodeId


class SplitNode(Strict):
    type: Literal["split"]
    label: str | None = Field(default=None, max_length=100)
    by: Literal["accounts", "people"]
    paths: list[SplitPath] = Field(min_length=1, max_length=MAX_PATHS)


class WaitNode(Strict):
    type: Literal["wait"]
    label: str | None = Field(default=None, max_length=100)
    duration: Duration | None = None
    until: AwareDatetime | None = None
    next: NodeId

    @model_validator(mode="after")
    def _one(self) -> WaitNode:
        if (self.duration is None) == (self.until is None):
            raise ValueError("give exactly one of 'duration' or 'until'")
        return self

    @property
    def seconds(self) -> int:
        return parse_duration(self.duration) if self.duration else 0


class ListenEvent(Strict):
    on: Literal["people", "accounts"]
    type: str = Field(min_length=1)
    filters: dict[str, Any] = Field(default_factory=dict)


class Timeout(Strict):
    duration: Duration | None = None
    until: AwareDatetime | None = None
    next: NodeId | None = None  # none: the account leaves the journey when the timeout fires

    @model_validator(mode="after")
    def _one(self) -> Timeout:
        if (self.duration is None) == (self.until is None):
            raise ValueError("give exactly one of 'duration' or 'until'")
        return self

    @property
    def seconds(self) -> int:
        return parse_duration(self.duration) if self.duration else 0


class ListenNode(Strict):
    type: Literal["listen"]
    label: str | None = Field(default=None, max_length=100)
    event: ListenEvent
    timeout: Timeout | None = None
    next: NodeId


class MergeNode(Strict):
    type: Literal["merge"]
    label: str | None = Field(default=None, max_length=100)
    next: NodeId


class EndNode(Strict):
    type: Literal["end"]
    label: str | None = Field(default=None, max_length=100)


Node = ActionNode | SplitNode | WaitNode | ListenNode | MergeNode | EndNode
NODE_TYPES: dict[str, type[Strict]] = {
    "action": ActionNode,
    "split": SplitNode,
    "wait": WaitNode,
    "listen": ListenNode,
    "merge": MergeNode,
    "end": EndNode,
}


class AccountListAudience(Strict):
    accountList: str = Field(min_length=1)


class SegmentAudience(Strict):
    segment: Conditions


Audience = AccountListAudience | SegmentAudience


class Reentry(Strict):
    enabled: bool = False
    wait: Duration | None = None
    from_: Literal["end", "start"] = Field(default="end", alias="from")
    limit: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _shape(self) -> Reentry:
        if not self.enabled and (self.wait or self.limit):
            raise ValueError("wait and limit apply only when re-entry is enabled")
        return self

    @property
    def wait_seconds(self) -> int:
        return parse_duration(self.wait) if self.wait else 0


class Journey(Strict):
    id: Slug
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    audience: Audience
    reentry: Reentry = Field(default_factory=Reentry)
    start: NodeId
    nodes: dict[NodeId, Node] = Field(min_length=1, max_length=MAX_NODES)

    @field_validator("nodes", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> Any:
        # Pick the model by `type` so errors speak of that node type only.
        if isinstance(value, dict):
            return {
                k: NODE_TYPES[v["type"]].model_validate(v)
                if isinstance(v, dict) and v.get("type") in NODE_TYPES
                else v
                for k, v in value.items()
            }
        return value

    def successors(self, node_id: str) -> list[str]:
        return successors(self.nodes[node_id])


def successors(node: Node) -> list[str]:
    """Nodes that follow, in order (split paths top-down; the listen timeout path last)."""
    if isinstance(node, SplitNode):
        return [p.next for p in node.paths]
    if isinstance(node, ListenNode):
        out = [node.next]
        if node.timeout and node.timeout.next:
            out.append(node.timeout.next)
        return out
    if isinstance(node, EndNode):
        return []
    return [node.next]
