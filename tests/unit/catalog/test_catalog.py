"""The catalog holds exactly the 22 actions of DESIGN section 4, each fully described."""

from __future__ import annotations

from journeys.catalog import ACTIONS, EVENT_TYPES

ACCOUNT_ACTIONS = {
    "change_account_data_value", "account_interesting_moment", "activate_to_destination",
    "add_account_to_journey", "add_to_account_list", "remove_account_from_journey",
    "remove_from_account_list", "send_sales_alert", "update_buying_group_stage", "update_buying_group_status",
}  # fmt: skip
PEOPLE_ACTIONS = {
    "add_to_external_audience", "assign_to_buying_group", "change_data_value", "change_score",
    "interesting_moment", "remove_from_buying_group", "send_email", "send_sms", "marketo_add_to_list",
    "marketo_request_campaign", "marketo_change_partition", "marketo_remove_from_list",
}  # fmt: skip


def test_exactly_the_22_actions_with_their_targets() -> None:
    assert len(ACTIONS) == 22
    assert {a for a, s in ACTIONS.items() if s.target == "accounts"} == ACCOUNT_ACTIONS
    assert {a for a, s in ACTIONS.items() if s.target == "people"} == PEOPLE_ACTIONS


def test_marketo_context_is_exactly_the_marketo_actions() -> None:
    assert {a for a, s in ACTIONS.items() if s.context == "marketo"} == {
        a for a in ACTIONS if a.startswith("marketo_")
    }


def test_each_entry_describes_itself_for_a_front_end() -> None:
    for spec in ACTIONS.values():
        entry = spec.describe()
        assert entry["label"] and entry["description"].endswith(".")
        assert entry["inputs"]["type"] == "object"
        assert entry["inputs"].get("additionalProperties") is False
        assert spec.queue_placeholder.endswith("QueueUrl")


def test_reference_fields_are_marked_for_pickers() -> None:
    schema = ACTIONS["marketo_add_to_list"].input_schema
    assert schema["properties"]["list"]["x-ref"] == "marketoList"
    assert ACTIONS["add_account_to_journey"].references() == {"journey": "accountJourney"}


def test_event_catalog_covers_account_and_people_events() -> None:
    account = {e.type for e in EVENT_TYPES.values() if e.on == "accounts"}
    people = {e.type for e in EVENT_TYPES.values() if e.on == "people"}
    assert account == {
        "interesting_moment", "data_value_changed", "buying_group_stage_changed",
        "buying_group_status_changed", "buying_group_completeness_changed",
    }  # fmt: skip
    assert people == {
        "email_opened", "email_clicked", "sms_clicked", "assigned_to_buying_group", "removed_from_buying_group",
        "data_value_changed", "score_changed", "interesting_moment",
    }  # fmt: skip
