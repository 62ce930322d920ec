"""Every action's input constraints: one valid case, and each invalid case by itself."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from journeys.catalog import ACTIONS

AUTHORED = {"subject": "Hi {{ person.firstName }}", "html": "<p>Hi</p>"}

VALID: dict[str, dict[str, Any]] = {
    "change_account_data_value": {"attribute": "tier", "value": "gold"},
    "account_interesting_moment": {"type": "milestone", "description": "Signed"},
    "activate_to_destination": {"destination": "linkedin"},
    "add_account_to_journey": {"journey": "renewal"},
    "add_to_account_list": {"list": "installed-base"},
    "remove_account_from_journey": {"journey": "renewal"},
    "remove_from_account_list": {"list": "installed-base"},
    "send_sales_alert": {"solutionInterest": "analytics", "sendTo": ["owner", "sales@example.com"]},
    "update_buying_group_stage": {"solutionInterest": "analytics", "stage": "Consideration"},
    "update_buying_group_status": {"solutionInterest": "analytics", "status": "x" * 50},
    "add_to_external_audience": {"audience": "aud-q3"},
    "assign_to_buying_group": {"solutionInterest": "analytics", "role": "Influencer"},
    "change_data_value": {"attribute": "region", "value": None},
    "change_score": {"score": "Person Score", "change": "=-5"},
    "interesting_moment": {"type": "web"},
    "remove_from_buying_group": {"solutionInterest": "analytics"},
    "send_email": {"email": AUTHORED},
    "send_sms": {"sms": {"text": "x" * 1600}},
    "marketo_add_to_list": {"workspace": "Default", "list": "Nurture"},
    "marketo_request_campaign": {"workspace": "Default", "campaign": 9001},
    "marketo_change_partition": {"partition": "EMEA"},
    "marketo_remove_from_list": {"workspace": "Default", "list": 501},
}

# (action, params, the field the error must name)
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("change_account_data_value", {"attribute": "tier"}, "value"),
    ("change_account_data_value", {"value": 1}, "attribute"),
    ("change_account_data_value", {"attribute": "tier", "value": {"a": 1}}, "value"),
    ("account_interesting_moment", {"type": "phone"}, "type"),
    ("account_interesting_moment", {"type": "email", "description": "x" * 141}, "description"),
    ("account_interesting_moment", {}, "type"),
    ("activate_to_destination", {}, "destination"),
    ("activate_to_destination", {"destination": ""}, "destination"),
    ("add_account_to_journey", {}, "journey"),
    ("add_to_account_list", {"list": "  "}, "list"),
    ("remove_account_from_journey", {"journey": "a", "extra": 1}, "extra"),
    ("remove_from_account_list", {}, "list"),
    ("send_sales_alert", {"solutionInterest": "analytics", "sendTo": []}, "sendTo"),
    ("send_sales_alert", {"solutionInterest": "analytics", "sendTo": ["not-an-address"]}, "sendTo"),
    ("send_sales_alert", {"sendTo": ["owner"]}, "solutionInterest"),
    ("update_buying_group_stage", {"solutionInterest": "analytics"}, "stage"),
    ("update_buying_group_status", {"solutionInterest": "analytics", "status": "x" * 51}, "status"),
    ("update_buying_group_status", {"solutionInterest": "analytics"}, "status"),
    ("update_buying_group_status", {"solutionInterest": "analytics", "status": "   "}, "status"),
    ("add_to_external_audience", {}, "audience"),
    ("assign_to_buying_group", {"solutionInterest": "analytics"}, "role"),
    ("change_data_value", {"attribute": "region"}, "value"),
    ("change_score", {"score": "Person Score", "change": "10"}, "change"),
    ("change_score", {"score": "Person Score", "change": "+"}, "change"),
    ("change_score", {"score": "Person Score", "change": "*2"}, "change"),
    ("change_score", {"score": "Person Score", "change": "-=3"}, "change"),
    ("change_score", {"change": "+1"}, "score"),
    ("interesting_moment", {"type": "Milestone"}, "type"),
    ("interesting_moment", {"type": "web", "description": "y" * 141}, "description"),
    ("remove_from_buying_group", {}, "solutionInterest"),
    ("send_email", {}, "email"),
    ("send_email", {"email": {"subject": "Hi"}}, "email"),
    ("send_email", {"email": {**AUTHORED, "subject": "{{ broken"}}, "email"),
    ("send_email", {"email": {**AUTHORED, "from": "nobody"}}, "email"),
    ("send_sms", {"sms": {"text": "x" * 1601}}, "sms"),
    ("send_sms", {"sms": {"text": ""}}, "sms"),
    ("send_sms", {}, "sms"),
    ("marketo_add_to_list", {"list": "Nurture"}, "workspace"),
    ("marketo_add_to_list", {"workspace": "Default"}, "list"),
    ("marketo_request_campaign", {"workspace": "Default"}, "campaign"),
    ("marketo_request_campaign", {"workspace": "Default", "campaign": 1, "tokens": {"offer": "x"}}, "tokens"),
    ("marketo_change_partition", {}, "partition"),
    ("marketo_remove_from_list", {"workspace": "Default"}, "list"),
]


def test_every_action_has_a_valid_case() -> None:
    assert set(VALID) == set(ACTIONS)


@pytest.mark.parametrize("action_id", sorted(VALID))
def test_valid_inputs_are_accepted(action_id: str) -> None:
    ACTIONS[action_id].inputs.model_validate(VALID[action_id])


@pytest.mark.parametrize(
    ("action_id", "params", "field"), INVALID, ids=[f"{a}-{f}-{i}" for i, (a, _, f) in enumerate(INVALID)]
)
def test_invalid_inputs_are_rejected_naming_the_field(
    action_id: str, params: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ACTIONS[action_id].inputs.model_validate(params)
    fields = {str(err["loc"][0]) if err["loc"] else "" for err in caught.value.errors()}
    messages = " ".join(str(err["msg"]) for err in caught.value.errors())
    assert field in fields or field in messages


def test_every_action_has_at_least_one_invalid_case() -> None:
    covered = {a for a, _, _ in INVALID}
    no_required = {"account_interesting_moment", "interesting_moment"}  # only `type` is required
    assert covered | no_required == set(ACTIONS)


@pytest.mark.parametrize("change", ["+1", "-5", "=0", "=10", "=-5", "+123456789"])
def test_score_change_forms(change: str) -> None:
    ACTIONS["change_score"].inputs.model_validate({"score": "S", "change": change})


def test_marketo_email_is_an_alternative_to_an_authored_one() -> None:
    ACTIONS["send_email"].inputs.model_validate(
        {"email": {"workspace": "Default", "email": "Executive briefing"}}
    )
