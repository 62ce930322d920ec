"""The data set: what `--data` reads and what a run writes back, in the same format."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from journeys.issues import Issue, from_pydantic
from journeys.model.buying_groups import BuyingGroup, SolutionInterest
from journeys.model.common import AttributeType, Strict, matches_type
from journeys.model.journey_record import JourneySummary
from journeys.model.lists import AccountList, Destination, ExternalAudience, TimelineEntry
from journeys.model.marketo import MarketoData
from journeys.model.profiles import Account, Person
from journeys.sources import SourceError, load_document

M = TypeVar("M", bound=BaseModel)


class AttributeSchema(Strict):
    """The updatable fields, with their types."""

    account: dict[str, AttributeType] = Field(default_factory=dict)
    person: dict[str, AttributeType] = Field(default_factory=dict)


class DataSet(Strict):
    attributes: AttributeSchema = Field(default_factory=AttributeSchema)
    scores: list[str] = Field(default_factory=list)
    accounts: list[Account] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    solutionInterests: list[SolutionInterest] = Field(default_factory=list)
    buyingGroups: list[BuyingGroup] = Field(default_factory=list)
    accountLists: list[AccountList] = Field(default_factory=list)
    journeys: list[JourneySummary] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)
    audiences: list[ExternalAudience] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    marketo: MarketoData = Field(default_factory=MarketoData)

    def dump(self) -> dict[str, Any]:
        """Plain data in the section-3 format (what `state.yaml` holds)."""
        return self.model_dump(mode="json", exclude_none=True)


class DataSetError(ValueError):
    """A data set that cannot be used; carries every issue found."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


_SECTIONS: dict[str, type[BaseModel]] = {
    "accounts": Account,
    "people": Person,
    "solutionInterests": SolutionInterest,
    "buyingGroups": BuyingGroup,
    "accountLists": AccountList,
    "journeys": JourneySummary,
    "destinations": Destination,
    "audiences": ExternalAudience,
    "timeline": TimelineEntry,
}


def load_dataset(path: str | Path) -> DataSet:
    """Read and check a data set file; raise DataSetError naming every bad record and field."""
    try:
        raw = load_document(Path(path))
    except SourceError as exc:
        raise DataSetError([Issue(node="(file)", field="(root)", message=str(exc))]) from exc
    dataset, issues = parse_dataset(raw)
    if issues or dataset is None:
        raise DataSetError(issues)
    return dataset


def parse_dataset(raw: Any) -> tuple[DataSet | None, list[Issue]]:
    """Check a parsed document record by record, then across records; collect every issue."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, [Issue(node="(file)", field="(root)", message="a data set must be a mapping")]
    issues: list[Issue] = []
    clean: dict[str, Any] = {}
    known = set(DataSet.model_fields)
    for key in raw:
        if key not in known:
            issues.append(Issue(node=str(key), field="(section)", message="is not a known section"))
    for key, model in _SECTIONS.items():
        records = raw.get(key) or []
        if not isinstance(records, list):
            issues.append(Issue(node=key, field="(section)", message="must be a list"))
            continue
        clean[key] = [r for r in (_record(model, key, i, rec, issues) for i, rec in enumerate(records)) if r]
    for key, model in (("attributes", AttributeSchema), ("marketo", MarketoData)):
        value = raw.get(key)
        if value is not None:
            try:
                clean[key] = model.model_validate(value)
            except ValidationError as exc:
                issues.extend(from_pydantic(exc, node=key))
    scores = raw.get("scores") or []
    if isinstance(scores, list) and all(isinstance(s, str) for s in scores):
        clean["scores"] = scores
    else:
        issues.append(Issue(node="scores", field="(section)", message="must be a list of score names"))
    dataset = DataSet.model_construct(**{k: v for k, v in DataSet().__dict__.items()} | clean)
    issues.extend(cross_check(dataset))
    return (dataset if not issues else None), issues


def _record(model: type[M], section: str, index: int, rec: Any, issues: list[Issue]) -> M | None:
    ident = rec.get("id") if isinstance(rec, dict) else None
    where = f"{section}[{index}]" + (f" ({ident})" if isinstance(ident, str | int) else "")
    try:
        return model.model_validate(rec)
    except ValidationError as exc:
        issues.extend(from_pydantic(exc, node=where))
        return None


def _dupes(section: str, ids: list[Any]) -> list[Issue]:
    seen: set[Any] = set()
    out = []
    for i, ident in enumerate(ids):
        if ident in seen:
            out.append(Issue(node=f"{section}[{i}] ({ident})", field="id", message="is a duplicate id"))
        seen.add(ident)
    return out


def cross_check(ds: DataSet) -> list[Issue]:
    """References between records: every id named must exist and fit."""
    issues: list[Issue] = []
    for section in (
        "accounts",
        "people",
        "solutionInterests",
        "accountLists",
        "journeys",
        "destinations",
        "audiences",
    ):
        issues += _dupes(section, [r.id for r in getattr(ds, section)])
    accounts = {a.id for a in ds.accounts}
    people = {p.id: p for p in ds.people}
    interests = {s.id: s for s in ds.solutionInterests}
    for i, acc in enumerate(ds.accounts):
        issues += _typed_extras(f"accounts[{i}] ({acc.id})", acc.model_extra or {}, ds.attributes.account)
    for i, prof in enumerate(ds.people):
        where = f"people[{i}] ({prof.id})"
        if prof.account not in accounts:
            issues.append(Issue(node=where, field="account", message=f"unknown account '{prof.account}'"))
        for score in prof.scores:
            if ds.scores and score not in ds.scores:
                issues.append(Issue(node=where, field=f"scores.{score}", message="is not a declared score"))
        issues += _typed_extras(where, prof.model_extra or {}, ds.attributes.person)
    seen_groups: set[tuple[str, str]] = set()
    for i, group in enumerate(ds.buyingGroups):
        where = f"buyingGroups[{i}] ({group.account}/{group.solutionInterest})"
        if (group.account, group.solutionInterest) in seen_groups:
            issues.append(
                Issue(
                    node=where,
                    field="solutionInterest",
                    message="a group already exists for this account and interest",
                )
            )
        seen_groups.add((group.account, group.solutionInterest))
        if group.account not in accounts:
            issues.append(Issue(node=where, field="account", message=f"unknown account '{group.account}'"))
        interest = interests.get(group.solutionInterest)
        if interest is None:
            issues.append(
                Issue(
                    node=where,
                    field="solutionInterest",
                    message=f"unknown solution interest '{group.solutionInterest}'",
                )
            )
            continue
        if group.stage is not None and (
            interest.stages is None or group.stage not in interest.stages.stages()
        ):
            issues.append(
                Issue(node=where, field="stage", message=f"'{group.stage}' is not a stage of '{interest.id}'")
            )
        for j, member in enumerate(group.members):
            person = people.get(member.person)
            if person is None:
                issues.append(
                    Issue(
                        node=where, field=f"members[{j}].person", message=f"unknown person '{member.person}'"
                    )
                )
            elif person.account != group.account:
                issues.append(
                    Issue(
                        node=where,
                        field=f"members[{j}].person",
                        message=f"'{member.person}' belongs to another account",
                    )
                )
            if interest.role(member.role) is None:
                issues.append(
                    Issue(
                        node=where,
                        field=f"members[{j}].role",
                        message=f"'{member.role}' is not a role of '{interest.id}'",
                    )
                )
    for i, lst in enumerate(ds.accountLists):
        for j, account_id in enumerate(lst.members):
            if account_id not in accounts:
                issues.append(
                    Issue(
                        node=f"accountLists[{i}] ({lst.id})",
                        field=f"members[{j}]",
                        message=f"unknown account '{account_id}'",
                    )
                )
    destinations = {d.id for d in ds.destinations}
    for i, aud in enumerate(ds.audiences):
        if aud.destination is not None and aud.destination not in destinations:
            issues.append(
                Issue(
                    node=f"audiences[{i}] ({aud.id})",
                    field="destination",
                    message=f"unknown destination '{aud.destination}'",
                )
            )
    issues += _check_marketo(ds.marketo)
    return issues


def _typed_extras(where: str, extras: dict[str, Any], schema: dict[str, AttributeType]) -> list[Issue]:
    return [
        Issue(node=where, field=name, message=f"must be {schema[name]}, got {value!r}")
        for name, value in extras.items()
        if name in schema and not matches_type(value, schema[name])
    ]


def _check_marketo(mk: MarketoData) -> list[Issue]:
    issues: list[Issue] = []
    issues += _dupes("marketo.leads", [lead.id for lead in mk.leads])
    issues += _dupes("marketo.lists", [lst.id for lst in mk.lists])
    issues += _dupes("marketo.campaigns", [c.id for c in mk.campaigns])
    leads = {lead.id for lead in mk.leads}
    for i, lead in enumerate(mk.leads):
        if lead.partition not in mk.partitions:
            issues.append(
                Issue(
                    node=f"marketo.leads[{i}] ({lead.id})",
                    field="partition",
                    message=f"unknown partition '{lead.partition}'",
                )
            )
    for i, lst in enumerate(mk.lists):
        where = f"marketo.lists[{i}] ({lst.id})"
        if lst.workspace not in mk.workspaces:
            issues.append(
                Issue(node=where, field="workspace", message=f"unknown workspace '{lst.workspace}'")
            )
        for j, member in enumerate(lst.members):
            if member not in leads:
                issues.append(Issue(node=where, field=f"members[{j}]", message=f"unknown lead {member}"))
    for i, camp in enumerate(mk.campaigns):
        if camp.workspace not in mk.workspaces:
            issues.append(
                Issue(
                    node=f"marketo.campaigns[{i}] ({camp.id})",
                    field="workspace",
                    message=f"unknown workspace '{camp.workspace}'",
                )
            )
    return issues
