"""The `splitView` of an account: what a compiled split by accounts tests, as one JSON document.

Stored on the account item as a JSON string (see messages.SPLIT_VIEW_ATTRIBUTE) and parsed in
the state machine with States.StringToJson, so Choice rules compare native JSON types.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from journeys.model.buying_groups import BuyingGroup, SolutionInterest, completeness
from journeys.model.profiles import Account


def split_view(
    account: Account, groups: Iterable[BuyingGroup], interests: Mapping[str, SolutionInterest]
) -> dict[str, Any]:
    """Account attributes plus `buyingGroups: {<interest>: {stage, status, completeness, membersInRole}}`."""
    view = account.model_dump(mode="json", exclude_none=True)
    view.pop("owner", None)
    facts: dict[str, Any] = {}
    for group in groups:
        if group.account != account.id:
            continue
        interest = interests.get(group.solutionInterest)
        roles: dict[str, int] = {}
        for member in group.members:
            roles[member.role] = roles.get(member.role, 0) + 1
        facts[group.solutionInterest] = {
            "stage": group.stage,
            "status": group.status,
            "completeness": completeness(interest, group.members) if interest else 0,
            "membersInRole": roles,
        }
    view["buyingGroups"] = facts
    return view


def encode(view: dict[str, Any]) -> str:
    return json.dumps(view, separators=(",", ":"), sort_keys=True)
