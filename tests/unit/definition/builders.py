"""Small journey builders for tests."""

from __future__ import annotations

import copy
from typing import Any


def email(next_: str = "done") -> dict[str, Any]:
    return {"type": "action", "on": "people", "action": "send_email",
            "params": {"email": {"subject": "Hi", "html": "<p>Hi</p>"}}, "next": next_}  # fmt: skip


def account_action(next_: str = "done") -> dict[str, Any]:
    return {"type": "action", "on": "accounts", "action": "add_to_account_list",
            "params": {"list": "installed-base"}, "next": next_}  # fmt: skip


def journey(nodes: dict[str, Any], start: str = "a", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "test-journey",
        "name": "Test",
        "audience": {"accountList": "strategic-accounts"},
        "start": start,
        "nodes": copy.deepcopy(nodes),
    }
    base.update(extra)
    return base


def people_split(paths: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "split", "by": "people", "paths": paths}


def when(attribute: str = "persona", value: Any = "x") -> dict[str, Any]:
    return {"all": [{"attribute": attribute, "op": "eq", "value": value}]}
