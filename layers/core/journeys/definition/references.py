"""Resolve names and ids that journeys use against a data set (what exists, and its state)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from journeys.catalog.refs import RefKind
from journeys.model.common import matches_type
from journeys.model.dataset import DataSet
from journeys.model.journey_record import JourneyStatus


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T")


class Unresolved(ValueError):
    """A reference that names nothing, or more than one thing, or something unusable."""


def resolve(items: Sequence[T], value: Any, what: str) -> T:
    """Find by id, then by name; say which one is unknown or ambiguous."""
    by_id = [x for x in items if str(getattr(x, "id", None)) == str(value)]
    if len(by_id) == 1:
        return by_id[0]
    by_name = [x for x in items if getattr(x, "name", None) == value]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        ids = ", ".join(str(getattr(x, "id", "?")) for x in by_name)
        raise Unresolved(f"{what} '{value}' is ambiguous (ids {ids}); use the id")
    raise Unresolved(f"unknown {what} '{value}'")


@dataclass
class ReferenceContext:
    """What exists, for reference checks. Built from a data set."""

    data: DataSet
    journey_id: str | None = None

    def check(self, kind: RefKind, value: Any, siblings: dict[str, Any]) -> str | None:
        """None when the reference is good, else the reason."""
        try:
            self._check(kind, value, siblings)
        except Unresolved as exc:
            return str(exc)
        return None

    def _check(self, kind: RefKind, value: Any, siblings: dict[str, Any]) -> None:
        d = self.data
        if kind is RefKind.ACCOUNT_ATTRIBUTE or kind is RefKind.PERSON_ATTRIBUTE:
            schema = d.attributes.account if kind is RefKind.ACCOUNT_ATTRIBUTE else d.attributes.person
            if value not in schema:
                known = ", ".join(sorted(schema)) or "none declared"
                raise Unresolved(f"'{value}' is not an updatable attribute (updatable: {known})")
            if "value" in siblings and not matches_type(siblings["value"], schema[value]):
                raise Unresolved(f"value {siblings['value']!r} does not fit '{value}' ({schema[value]})")
        elif kind is RefKind.SCORE:
            if value not in d.scores:
                raise Unresolved(f"unknown score '{value}' (scores: {', '.join(d.scores) or 'none'})")
        elif kind is RefKind.DESTINATION:
            resolve(d.destinations, value, "destination")
        elif kind is RefKind.ACCOUNT_JOURNEY:
            journey = resolve(d.journeys, value, "journey")
            if journey.id == self.journey_id:
                raise Unresolved("a journey cannot target itself")
            if journey.kind != "account":
                raise Unresolved(f"journey '{value}' is not an account journey")
            if journey.status is not JourneyStatus.LIVE:
                raise Unresolved(
                    f"journey '{value}' is {journey.status.value}; the target must be a live journey"
                )
        elif kind is RefKind.ACCOUNT_LIST:
            lst = resolve(d.accountLists, value, "account list")
            if not lst.actionable:
                raise Unresolved(
                    f"account list '{value}' is a {lst.status} {lst.kind} list; "
                    "actions need a live static list"
                )
        elif kind is RefKind.SOLUTION_INTEREST:
            resolve(d.solutionInterests, value, "solution interest")
        elif kind is RefKind.STAGE:
            interest = resolve(d.solutionInterests, siblings.get("solutionInterest"), "solution interest")
            if interest.stages is None or value not in interest.stages.stages():
                raise Unresolved(f"'{value}' is not a stage of solution interest '{interest.id}'")
        elif kind is RefKind.ROLE:
            interest = resolve(d.solutionInterests, siblings.get("solutionInterest"), "solution interest")
            if interest.role(value) is None:
                roles = ", ".join(r.name for r in interest.roles)
                raise Unresolved(f"'{value}' is not a role of '{interest.id}' (roles: {roles})")
        elif kind is RefKind.AUDIENCE:
            resolve(d.audiences, value, "external audience")
        elif kind is RefKind.MARKETO_WORKSPACE:
            if value not in d.marketo.workspaces:
                raise Unresolved(f"unknown Marketo workspace '{value}'")
        elif kind is RefKind.MARKETO_LIST:
            mlist = resolve(d.marketo.lists, value, "Marketo list")
            self._same_workspace(mlist.workspace, siblings, "list")
        elif kind is RefKind.MARKETO_CAMPAIGN:
            camp = resolve(d.marketo.campaigns, value, "Marketo campaign")
            self._same_workspace(camp.workspace, siblings, "campaign")
            if not camp.requestable:
                raise Unresolved(
                    f"Marketo campaign '{value}' is not requestable (needs a 'Campaign is Requested' trigger)"
                )
        elif kind is RefKind.MARKETO_EMAIL:
            email = resolve(d.marketo.emails, value, "Marketo email")
            self._same_workspace(email.workspace, siblings, "email")
        elif kind is RefKind.MARKETO_PARTITION and value not in d.marketo.partitions:
            raise Unresolved(f"unknown Marketo partition '{value}'")

    @staticmethod
    def _same_workspace(actual: str, siblings: dict[str, Any], what: str) -> None:
        wanted = siblings.get("workspace")
        if wanted is not None and wanted != actual:
            raise Unresolved(f"the {what} is in workspace '{actual}', not '{wanted}'")
