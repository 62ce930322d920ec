"""Solution interests (roles template + stage model) and buying groups."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from journeys.model.common import Id, Strict

MAX_STATUS = 50
MAX_ROLES = 20
MemberSource = Literal["manual", "journey", "system"]
# Precedence: a lower source cannot undo a higher one (a journey removal leaves a manual member).
SOURCE_RANK: dict[str, int] = {"manual": 3, "journey": 2, "system": 1}


class RoleRequirement(Strict):
    name: str = Field(min_length=1, max_length=100)
    required: int = Field(default=1, ge=0, le=100)


class StageModel(Strict):
    entry: list[str] = Field(min_length=1)
    success: str
    failure: list[str] = Field(default_factory=list)
    transitions: dict[str, list[str]] = Field(default_factory=dict)

    def stages(self) -> list[str]:
        """Every stage named by the model, in a stable order."""
        seen: dict[str, None] = {}
        for s in [*self.entry, *self.transitions, self.success, *self.failure]:
            seen.setdefault(s, None)
        for targets in self.transitions.values():
            for t in targets:
                seen.setdefault(t, None)
        return list(seen)

    def allows(self, current: str | None, target: str) -> bool:
        if current is None:
            return target in self.entry
        return target in self.transitions.get(current, [])

    @model_validator(mode="after")
    def _consistent(self) -> StageModel:
        final = {self.success, *self.failure}
        for stage in self.stages():
            if stage not in final and not self.transitions.get(stage):
                raise ValueError(f"stage '{stage}' is not final and has no allowed transition")
        for stage in final:
            if self.transitions.get(stage):
                raise ValueError(f"final stage '{stage}' cannot have transitions")
        return self


class SolutionInterest(Strict):
    id: Id
    name: str
    roles: list[RoleRequirement] = Field(min_length=1, max_length=MAX_ROLES)
    stages: StageModel | None = None

    def role(self, name: str) -> RoleRequirement | None:
        return next((r for r in self.roles if r.name == name), None)

    @model_validator(mode="after")
    def _unique_roles(self) -> SolutionInterest:
        names = [r.name for r in self.roles]
        if len(names) != len(set(names)):
            raise ValueError("role names must be unique")
        return self


class Member(Strict):
    person: Id
    role: str
    source: MemberSource = "manual"


class BuyingGroup(Strict):
    account: Id
    solutionInterest: Id
    stage: str | None = None
    status: str = Field(default="", max_length=MAX_STATUS)
    members: list[Member] = Field(default_factory=list)


def completeness(interest: SolutionInterest, members: list[Member]) -> int:
    """Per role min(assigned / required, 1); the group is the mean over roles, as a whole percent."""
    if not interest.roles:
        return 0
    total = 0.0
    for role in interest.roles:
        assigned = sum(1 for m in members if m.role == role.name)
        total += 1.0 if role.required == 0 else min(assigned / role.required, 1.0)
    return round(100 * total / len(interest.roles))
