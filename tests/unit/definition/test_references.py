"""References are checked against a data set: unknown, ambiguous, or unusable targets are named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeys.definition.validate import validate_definition
from journeys.model.dataset import DataSet, load_dataset
from tests.unit.definition.builders import journey

ROOT = Path(__file__).resolve().parents[3]
END = {"type": "end"}


@pytest.fixture(scope="module")
def data() -> DataSet:
    return load_dataset(ROOT / "examples/data/small.yaml")


def action(on: str, action_id: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "action", "on": on, "action": action_id, "params": params, "next": "done"}


CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "accounts",
        "add_account_to_journey",
        {"journey": "old-webinar"},
        "params.journey",
        "closed; the target must be a live",
    ),
    ("accounts", "add_account_to_journey", {"journey": "nope"}, "params.journey", "unknown journey 'nope'"),
    (
        "accounts",
        "remove_account_from_journey",
        {"journey": "test-journey"},
        "params.journey",
        "unknown journey",
    ),
    ("accounts", "add_to_account_list", {"list": "hot-prospects"}, "params.list", "live static list"),
    ("accounts", "remove_from_account_list", {"list": "Nope"}, "params.list", "unknown account list"),
    (
        "accounts",
        "update_buying_group_stage",
        {"solutionInterest": "analytics", "stage": "Dreaming"},
        "params.stage",
        "not a stage",
    ),
    (
        "accounts",
        "send_sales_alert",
        {"solutionInterest": "crm", "sendTo": ["owner"]},
        "params.solutionInterest",
        "unknown solution interest",
    ),
    (
        "accounts",
        "change_account_data_value",
        {"attribute": "employees", "value": "many"},
        "params.attribute",
        "does not fit",
    ),
    (
        "accounts",
        "change_account_data_value",
        {"attribute": "name", "value": "X"},
        "params.attribute",
        "not an updatable attribute",
    ),
    (
        "accounts",
        "activate_to_destination",
        {"destination": "tiktok"},
        "params.destination",
        "unknown destination",
    ),
    (
        "people",
        "assign_to_buying_group",
        {"solutionInterest": "analytics", "role": "Janitor"},
        "params.role",
        "not a role",
    ),
    ("people", "change_score", {"score": "Karma", "change": "+1"}, "params.score", "unknown score"),
    (
        "people",
        "change_data_value",
        {"attribute": "newsletter", "value": "yes"},
        "params.attribute",
        "does not fit",
    ),
    (
        "people",
        "add_to_external_audience",
        {"audience": "aud-zzz"},
        "params.audience",
        "unknown external audience",
    ),
    (
        "people",
        "marketo_add_to_list",
        {"workspace": "Default", "list": "EMEA nurture"},
        "params.list",
        "workspace 'EMEA'",
    ),
    (
        "people",
        "marketo_add_to_list",
        {"workspace": "APAC", "list": 501},
        "params.workspace",
        "unknown Marketo workspace",
    ),
    (
        "people",
        "marketo_remove_from_list",
        {"workspace": "Default", "list": 999},
        "params.list",
        "unknown Marketo list",
    ),
    (
        "people",
        "marketo_request_campaign",
        {"workspace": "Default", "campaign": "Monthly newsletter"},
        "params.campaign",
        "not requestable",
    ),
    (
        "people",
        "marketo_change_partition",
        {"partition": "APAC"},
        "params.partition",
        "unknown Marketo partition",
    ),
    (
        "people",
        "send_email",
        {"email": {"workspace": "Default", "email": "Nope"}},
        "params.email.email",
        "unknown Marketo email",
    ),
]


@pytest.mark.parametrize(("on", "action_id", "params", "field", "fragment"), CASES,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])  # fmt: skip
def test_bad_reference_is_named(data: DataSet, on: str, action_id: str, params: dict[str, Any], field: str,
                                fragment: str) -> None:  # fmt: skip
    report = validate_definition(journey({"a": action(on, action_id, params), "done": END}), data)
    found = [(i.node, i.field, i.message) for i in report.issues]
    assert any(n == "a" and f == field and fragment in m for n, f, m in found), found


def test_references_resolve_by_id_or_name(data: DataSet) -> None:
    by_name = action("people", "marketo_add_to_list", {"workspace": "Default", "list": "Nurture"})
    by_id = action("people", "marketo_add_to_list", {"workspace": "Default", "list": 501})
    for node in (by_name, by_id):
        assert validate_definition(journey({"a": node, "done": END}), data).ok


def test_ambiguous_name_asks_for_the_id(data: DataSet) -> None:
    twin = data.model_copy(deep=True)
    twin.marketo.lists.append(twin.marketo.lists[0].model_copy(update={"id": 777}))
    node = action("people", "marketo_add_to_list", {"workspace": "Default", "list": "Nurture"})
    report = validate_definition(journey({"a": node, "done": END}), twin)
    assert any("ambiguous" in i.message and i.field == "params.list" for i in report.issues)


def test_audience_list_must_exist_and_be_live(data: DataSet) -> None:
    raw = journey({"a": action("people", "change_score", {"score": "Person Score", "change": "+1"}), "done": END},
                  audience={"accountList": "nope"})  # fmt: skip
    assert any(i.field == "audience.accountList" for i in validate_definition(raw, data).issues)


def test_buying_group_condition_references(data: DataSet) -> None:
    split = {"type": "split", "by": "accounts", "paths": [
        {"label": "x", "when": {"all": [{"buyingGroup": "analytics", "fact": "membersInRole", "role": "Janitor",
                                         "op": "gte", "value": 1}]}, "next": "done"}]}  # fmt: skip
    report = validate_definition(journey({"a": split, "done": END}), data)
    assert [(i.node, i.field) for i in report.issues] == [("a", "paths[0].when.all[0].role")]


def test_without_data_references_are_not_checked() -> None:
    raw = journey({"a": action("accounts", "add_account_to_journey", {"journey": "nope"}), "done": END})
    assert validate_definition(raw).ok
