"""What a run changed: a readable summary of the difference between two data-set states."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field


class Changes(BaseModel):
    accountLists: dict[str, dict[str, int]] = Field(default_factory=dict)
    buyingGroups: dict[str, int] = Field(default_factory=dict)
    scores: dict[str, dict[str, float]] = Field(default_factory=dict)  # score -> people, totalDelta
    accountAttributes: dict[str, int] = Field(default_factory=dict)
    personAttributes: dict[str, int] = Field(default_factory=dict)
    audiences: dict[str, int] = Field(default_factory=dict)  # audience -> members added
    moments: dict[str, int] = Field(default_factory=dict)  # "account:milestone" -> count
    marketoLists: dict[str, dict[str, int]] = Field(default_factory=dict)
    marketoPartitions: dict[str, int] = Field(default_factory=dict)


def _by(items: list[dict[str, Any]], key: str = "id") -> dict[Any, dict[str, Any]]:
    return {item[key]: item for item in items}


def _attribute_changes(
    before: list[dict[str, Any]], after: list[dict[str, Any]], skip: set[str]
) -> dict[str, int]:
    old = _by(before)
    counts: Counter[str] = Counter()
    for record in after:
        prev = old.get(record["id"], {})
        for name in set(record) | set(prev):
            if name not in skip and record.get(name) != prev.get(name):
                counts[name] += 1
    return dict(sorted(counts.items()))


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """Both arguments are data-set dumps (DataSet.dump(), Marketo snapshot included)."""
    changes = Changes()
    old_lists = _by(before.get("accountLists", []))
    for lst in after.get("accountLists", []):
        prev = set(old_lists.get(lst["id"], {}).get("members", []))
        now = set(lst.get("members", []))
        if prev != now:
            changes.accountLists[lst["id"]] = {"added": len(now - prev), "removed": len(prev - now)}
    old_groups = {(g["account"], g["solutionInterest"]): g for g in before.get("buyingGroups", [])}
    bg: Counter[str] = Counter()
    for group in after.get("buyingGroups", []):
        old_group = old_groups.get((group["account"], group["solutionInterest"]))
        if old_group is None:
            bg["groupsCreated"] += 1
            # A new group starts at an entry stage: that is its creation, not a stage change.
            old_group = {"members": [], "stage": group.get("stage"), "status": group.get("status", "")}
        members = {(m["person"], m["role"]) for m in group.get("members", [])}
        prev_members = {(m["person"], m["role"]) for m in old_group.get("members", [])}
        bg["membersAdded"] += len(members - prev_members)
        bg["membersRemoved"] += len(prev_members - members)
        bg["stageChanges"] += group.get("stage") != old_group.get("stage")
        bg["statusChanges"] += group.get("status", "") != old_group.get("status", "")
    changes.buyingGroups = {k: v for k, v in bg.items() if v}
    old_people = _by(before.get("people", []))
    for person in after.get("people", []):
        prev_scores = old_people.get(person["id"], {}).get("scores", {})
        for name, value in person.get("scores", {}).items():
            delta = value - prev_scores.get(name, 0)
            if delta:
                entry = changes.scores.setdefault(name, {"people": 0, "totalDelta": 0.0})
                entry["people"] += 1
                entry["totalDelta"] += delta
    changes.accountAttributes = _attribute_changes(
        before.get("accounts", []), after.get("accounts", []), {"id"}
    )
    changes.personAttributes = _attribute_changes(
        before.get("people", []), after.get("people", []), {"id", "scores"}
    )
    old_aud = _by(before.get("audiences", []))
    for aud in after.get("audiences", []):
        added = len(set(aud.get("members", [])) - set(old_aud.get(aud["id"], {}).get("members", [])))
        if added:
            changes.audiences[aud["id"]] = added
    moments: Counter[str] = Counter(
        f"{m['on']}:{m['type']}" for m in after.get("timeline", [])[len(before.get("timeline", [])) :]
    )
    changes.moments = dict(sorted(moments.items()))
    mk_before, mk_after = before.get("marketo", {}), after.get("marketo", {})
    old_mlists = _by(mk_before.get("lists", []))
    for mlist in mk_after.get("lists", []):
        prev = set(old_mlists.get(mlist["id"], {}).get("members", []))
        now = set(mlist.get("members", []))
        if prev != now:
            changes.marketoLists[mlist["name"]] = {"added": len(now - prev), "removed": len(prev - now)}
    old_leads = _by(mk_before.get("leads", []))
    moved: Counter[str] = Counter()
    for lead in mk_after.get("leads", []):
        if old_leads.get(lead["id"], {}).get("partition") != lead.get("partition"):
            moved[lead.get("partition", "?")] += 1
    changes.marketoPartitions = dict(moved)
    return changes
