"""What each action function may do beyond its table and its queue: the catalog's least-privilege map."""

from __future__ import annotations

from enum import StrEnum

from journeys.catalog import ACTIONS


class Right(StrEnum):
    EMIT_EVENTS = "emit_events"  # events:PutEvents on the journeys bus (listen nodes wake on them)
    SEND_EMAIL = "send_email"  # SES, through the configuration set that reports opens and clicks
    SEND_SMS = "send_sms"  # SNS publish to phone numbers
    MARKETO = "marketo"  # read the Marketo credentials secret
    START_ENTRIES = "start_entries"  # states:StartExecution on this stack's journeys
    STOP_ENTRIES = "stop_entries"  # states:StopExecution on this stack's journeys' executions


ACTION_RIGHTS: dict[str, frozenset[Right]] = {
    "change_account_data_value": frozenset({Right.EMIT_EVENTS}),
    "account_interesting_moment": frozenset({Right.EMIT_EVENTS}),
    "activate_to_destination": frozenset(),
    "add_account_to_journey": frozenset({Right.START_ENTRIES}),
    "add_to_account_list": frozenset(),
    "remove_account_from_journey": frozenset({Right.STOP_ENTRIES}),
    "remove_from_account_list": frozenset(),
    "send_sales_alert": frozenset({Right.SEND_EMAIL}),
    "update_buying_group_stage": frozenset({Right.EMIT_EVENTS}),
    "update_buying_group_status": frozenset({Right.EMIT_EVENTS}),
    "add_to_external_audience": frozenset(),
    "assign_to_buying_group": frozenset({Right.EMIT_EVENTS}),
    "change_data_value": frozenset({Right.EMIT_EVENTS}),
    "change_score": frozenset({Right.EMIT_EVENTS}),
    "interesting_moment": frozenset({Right.EMIT_EVENTS}),
    "remove_from_buying_group": frozenset({Right.EMIT_EVENTS}),
    # Authored emails go through SES; a Marketo email is sent by a Marketo campaign instead.
    "send_email": frozenset({Right.SEND_EMAIL}),
    "send_sms": frozenset({Right.SEND_SMS}),
    "marketo_add_to_list": frozenset({Right.MARKETO}),
    "marketo_request_campaign": frozenset({Right.MARKETO}),
    "marketo_change_partition": frozenset({Right.MARKETO}),
    "marketo_remove_from_list": frozenset({Right.MARKETO}),
}


def rights_of(action_id: str) -> frozenset[Right]:
    """KeyError for an action without an entry: a new catalog action must be given its rights here."""
    if action_id not in ACTIONS:
        raise KeyError(f"unknown action '{action_id}'")
    return ACTION_RIGHTS[action_id]
