"""The 22 actions of the Take-an-action node: id, target, context, inputs, label, description."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel

from journeys.catalog import inputs as i
from journeys.catalog.refs import RefKind, ref_kind

Target = Literal["accounts", "people"]
Context = Literal["journey", "marketo"]


@dataclass(frozen=True)
class ActionSpec:
    id: str
    target: Target
    context: Context
    label: str
    description: str
    inputs: type[BaseModel]

    @property
    def pascal(self) -> str:
        return "".join(part.capitalize() for part in self.id.split("_"))

    @property
    def queue_placeholder(self) -> str:
        """`${...}` name of this action's queue URL in compiled ASL (DefinitionSubstitutions)."""
        return f"{self.pascal}QueueUrl"

    @property
    def function_logical_id(self) -> str:
        return f"{self.pascal}Function"

    @property
    def queue_logical_id(self) -> str:
        return f"{self.pascal}Queue"

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        return self.inputs.model_json_schema(by_alias=True)

    def references(self) -> dict[str, RefKind]:
        """Top-level input fields that name something that must exist."""
        out = {}
        for name, field in self.inputs.model_fields.items():
            kind = ref_kind(field.json_schema_extra)
            if kind is not None:
                out[field.alias or name] = kind
        return out

    def describe(self) -> dict[str, Any]:
        """The catalog entry as the API and `journeys actions --json` serve it."""
        return {
            "id": self.id,
            "target": self.target,
            "context": self.context,
            "label": self.label,
            "description": self.description,
            "inputs": self.input_schema,
        }


_A: list[ActionSpec] = [
    # Account actions
    ActionSpec(
        "change_account_data_value",
        "accounts",
        "journey",
        "Change account data value",
        "Set an updatable account attribute (null clears it).",
        i.ChangeAccountDataValue,
    ),
    ActionSpec(
        "account_interesting_moment",
        "accounts",
        "journey",
        "Account interesting moment",
        "Record an interesting moment on the account timeline.",
        i.InterestingMoment,
    ),
    ActionSpec(
        "activate_to_destination",
        "accounts",
        "journey",
        "Activate to destination",
        "Put the account and its people into a destination's audience.",
        i.ActivateToDestination,
    ),
    ActionSpec(
        "add_account_to_journey",
        "accounts",
        "journey",
        "Add account to journey",
        "Start an entry of the account in another live account journey.",
        i.AccountJourneyTarget,
    ),
    ActionSpec(
        "add_to_account_list",
        "accounts",
        "journey",
        "Add to account list",
        "Add the account to a live static account list.",
        i.AccountListTarget,
    ),
    ActionSpec(
        "remove_account_from_journey",
        "accounts",
        "journey",
        "Remove account from journey",
        "End the account's active entry in another live journey.",
        i.AccountJourneyTarget,
    ),
    ActionSpec(
        "remove_from_account_list",
        "accounts",
        "journey",
        "Remove from account list",
        "Remove the account from a live static account list.",
        i.AccountListTarget,
    ),
    ActionSpec(
        "send_sales_alert",
        "accounts",
        "journey",
        "Send sales alert",
        "Email a summary of the account's buying group to sales.",
        i.SendSalesAlert,
    ),
    ActionSpec(
        "update_buying_group_stage",
        "accounts",
        "journey",
        "Update buying group stage",
        "Move the buying group to another stage along the stage model.",
        i.UpdateBuyingGroupStage,
    ),
    ActionSpec(
        "update_buying_group_status",
        "accounts",
        "journey",
        "Update buying group status",
        "Set the buying group's status (at most 50 characters).",
        i.UpdateBuyingGroupStatus,
    ),
    # People actions
    ActionSpec(
        "add_to_external_audience",
        "people",
        "journey",
        "Add to external audience",
        "Add the people to an external audience for paid media.",
        i.AddToExternalAudience,
    ),
    ActionSpec(
        "assign_to_buying_group",
        "people",
        "journey",
        "Assign to buying group",
        "Add the people to the account's buying group with a role.",
        i.AssignToBuyingGroup,
    ),
    ActionSpec(
        "change_data_value",
        "people",
        "journey",
        "Change data value",
        "Set an updatable person attribute (null clears it).",
        i.ChangeDataValue,
    ),
    ActionSpec(
        "change_score",
        "people",
        "journey",
        "Change score",
        "Add to, subtract from or set a person score.",
        i.ChangeScore,
    ),
    ActionSpec(
        "interesting_moment",
        "people",
        "journey",
        "Person interesting moment",
        "Record an interesting moment on each person's timeline.",
        i.InterestingMoment,
    ),
    ActionSpec(
        "remove_from_buying_group",
        "people",
        "journey",
        "Remove from buying group",
        "Remove the people from the account's buying group.",
        i.RemoveFromBuyingGroup,
    ),
    ActionSpec(
        "send_email",
        "people",
        "journey",
        "Send email",
        "Send a personalised email (authored here, or a Marketo Engage email).",
        i.SendEmail,
    ),
    ActionSpec(
        "send_sms",
        "people",
        "journey",
        "Send SMS",
        "Send a personalised SMS; people without a phone are skipped.",
        i.SendSms,
    ),
    ActionSpec(
        "marketo_add_to_list",
        "people",
        "marketo",
        "Add to Marketo list",
        "Add the people's Marketo leads to a static list.",
        i.MarketoListTarget,
    ),
    ActionSpec(
        "marketo_request_campaign",
        "people",
        "marketo",
        "Request Marketo campaign",
        "Request a Marketo campaign for the people's leads.",
        i.MarketoRequestCampaign,
    ),
    ActionSpec(
        "marketo_change_partition",
        "people",
        "marketo",
        "Change Marketo partition",
        "Move the people's leads to another person partition.",
        i.MarketoChangePartition,
    ),
    ActionSpec(
        "marketo_remove_from_list",
        "people",
        "marketo",
        "Remove from Marketo list",
        "Remove the people's leads from a static list.",
        i.MarketoListTarget,
    ),
]

ACTIONS: dict[str, ActionSpec] = {a.id: a for a in _A}


def get_action(action_id: str) -> ActionSpec | None:
    return ACTIONS.get(action_id)
