"""Pydantic models of every action's inputs, with the constraints of DESIGN section 4."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from journeys.catalog.refs import Ref, RefKind
from journeys.model.buying_groups import MAX_STATUS
from journeys.model.common import Email, Scalar, Strict
from journeys.model.lists import MAX_DESCRIPTION, MomentType
from journeys.templating import check_template

MAX_SMS = 1600
MARKETO_TOKENS_MAX = 100
SEND_TO_ALIASES = ("owner",)
SCORE_CHANGE = re.compile(r"^(?:\+|-|=-?)(\d{1,9})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]
RefValue = NonEmpty | int  # by id or by name


def _template(value: str) -> str:
    check_template(value)
    return value


Template = Annotated[str, AfterValidator(_template)]


class Inputs(Strict):
    """Base of every action's inputs."""


# Account actions ---------------------------------------------------------------------------


class ChangeAccountDataValue(Inputs):
    attribute: NonEmpty = Ref(RefKind.ACCOUNT_ATTRIBUTE, "Updatable account attribute")
    value: Scalar = Field(description="New value, type-checked against the attribute; null clears")

    @model_validator(mode="before")
    @classmethod
    def _value_present(cls, data: object) -> object:
        if isinstance(data, dict) and "value" not in data:
            raise ValueError("value is required (use null to clear)")
        return data


class InterestingMoment(Inputs):
    type: MomentType = Field(description="Moment type: email, milestone or web")
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION, description="Optional text")


class ActivateToDestination(Inputs):
    destination: NonEmpty = Ref(RefKind.DESTINATION, "Destination to activate the account to")
    audienceName: str | None = Field(
        default=None, max_length=256, description="Audience name at the destination"
    )


class AccountJourneyTarget(Inputs):
    journey: NonEmpty = Ref(RefKind.ACCOUNT_JOURNEY, "A live account journey")


class AccountListTarget(Inputs):
    list: NonEmpty = Ref(RefKind.ACCOUNT_LIST, "A live static account list")


def _send_to(value: str) -> str:
    if value in SEND_TO_ALIASES or _EMAIL.match(value):
        return value
    raise ValueError(f"'{value}' is neither an email address nor an alias ({', '.join(SEND_TO_ALIASES)})")


SendTo = Annotated[str, StringConstraints(min_length=1, max_length=254), AfterValidator(_send_to)]


class SendSalesAlert(Inputs):
    solutionInterest: NonEmpty = Ref(RefKind.SOLUTION_INTEREST, "Solution interest of the buying group")
    sendTo: list[SendTo] = Field(
        min_length=1, max_length=50, description="Email addresses or aliases (owner: the account owner)"
    )


class UpdateBuyingGroupStage(Inputs):
    solutionInterest: NonEmpty = Ref(RefKind.SOLUTION_INTEREST, "Solution interest of the buying group")
    stage: NonEmpty = Ref(RefKind.STAGE, "Target stage (an allowed transition of the stage model)")


class UpdateBuyingGroupStatus(Inputs):
    solutionInterest: NonEmpty = Ref(RefKind.SOLUTION_INTEREST, "Solution interest of the buying group")
    status: str = Field(
        min_length=1, max_length=MAX_STATUS, description="Free-text status, at most 50 characters"
    )

    @field_validator("status")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("status cannot be blank")
        return value


# People actions ----------------------------------------------------------------------------


class AddToExternalAudience(Inputs):
    audience: NonEmpty = Ref(RefKind.AUDIENCE, "External audience (create one through the API)")


class AssignToBuyingGroup(Inputs):
    solutionInterest: NonEmpty = Ref(RefKind.SOLUTION_INTEREST, "Solution interest of the buying group")
    role: NonEmpty = Ref(RefKind.ROLE, "Role in the buying group")


class ChangeDataValue(Inputs):
    attribute: NonEmpty = Ref(RefKind.PERSON_ATTRIBUTE, "Updatable person attribute")
    value: Scalar = Field(description="New value, type-checked against the attribute; null clears")

    _value_present = ChangeAccountDataValue._value_present


class ChangeScore(Inputs):
    score: NonEmpty = Ref(RefKind.SCORE, "Score name")
    change: str = Field(description="+N adds, -N subtracts, =N sets, =-N sets a negative value")

    @field_validator("change")
    @classmethod
    def _change(cls, value: str) -> str:
        if not SCORE_CHANGE.match(value.strip()):
            raise ValueError("must be +N, -N, =N or =-N (N a whole number)")
        return value.strip()


class RemoveFromBuyingGroup(Inputs):
    solutionInterest: NonEmpty = Ref(RefKind.SOLUTION_INTEREST, "Solution interest of the buying group")


class AuthoredEmail(Strict):
    subject: Template = Field(min_length=1, max_length=998, description="Subject (template)")
    html: Template = Field(min_length=1, max_length=500_000, description="HTML body (template)")
    text: Template | None = Field(default=None, max_length=500_000, description="Plain-text body (template)")
    from_: Email | None = Field(default=None, alias="from", description="Sender address (verified in SES)")


class MarketoEmail(Strict):
    workspace: NonEmpty = Ref(RefKind.MARKETO_WORKSPACE, "Marketo workspace")
    email: RefValue = Ref(RefKind.MARKETO_EMAIL, "Marketo email (id or name)")


class SendEmail(Inputs):
    email: AuthoredEmail | MarketoEmail = Field(
        description="An email authored here (subject, html, text?, from?) or a Marketo email (workspace, email)"
    )


class SmsContent(Strict):
    text: Template = Field(
        min_length=1, max_length=MAX_SMS, description="Message (template), <= 1600 characters"
    )


class SendSms(Inputs):
    sms: SmsContent


class MarketoListTarget(Inputs):
    workspace: NonEmpty = Ref(RefKind.MARKETO_WORKSPACE, "Marketo workspace")
    list: RefValue = Ref(RefKind.MARKETO_LIST, "Marketo static list (id or name)")


class MarketoRequestCampaign(Inputs):
    workspace: NonEmpty = Ref(RefKind.MARKETO_WORKSPACE, "Marketo workspace")
    campaign: RefValue = Ref(RefKind.MARKETO_CAMPAIGN, "Requestable Marketo campaign (id or name)")
    tokens: dict[Annotated[str, StringConstraints(pattern=r"^\{\{my\.[^{}]+\}\}$")], str] = Field(
        default_factory=dict, max_length=MARKETO_TOKENS_MAX, description="My tokens: {{my.name}} -> value"
    )


class MarketoChangePartition(Inputs):
    partition: NonEmpty = Ref(RefKind.MARKETO_PARTITION, "Marketo person partition")
