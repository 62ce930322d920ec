"""One executor per catalog action id."""

from __future__ import annotations

from journeys.executors.audiences import AddToExternalAudience
from journeys.executors.base import Executor
from journeys.executors.buying_groups import (
    AssignToBuyingGroup,
    RemoveFromBuyingGroup,
    UpdateBuyingGroupStage,
    UpdateBuyingGroupStatus,
)
from journeys.executors.destinations import ActivateToDestination
from journeys.executors.journeys import AddAccountToJourney, RemoveAccountFromJourney
from journeys.executors.lists import AddToAccountList, RemoveFromAccountList
from journeys.executors.marketo import (
    MarketoAddToList,
    MarketoChangePartition,
    MarketoRemoveFromList,
    MarketoRequestCampaign,
)
from journeys.executors.messaging import SendEmail, SendSalesAlert, SendSms
from journeys.executors.moments import AccountInterestingMoment, PersonInterestingMoment
from journeys.executors.profiles import ChangeAccountDataValue, ChangeDataValue, ChangeScore

_ALL: list[Executor] = [
    ChangeAccountDataValue(),
    AccountInterestingMoment(),
    ActivateToDestination(),
    AddAccountToJourney(),
    AddToAccountList(),
    RemoveAccountFromJourney(),
    RemoveFromAccountList(),
    SendSalesAlert(),
    UpdateBuyingGroupStage(),
    UpdateBuyingGroupStatus(),
    AddToExternalAudience(),
    AssignToBuyingGroup(),
    ChangeDataValue(),
    ChangeScore(),
    PersonInterestingMoment(),
    RemoveFromBuyingGroup(),
    SendEmail(),
    SendSms(),
    MarketoAddToList(),
    MarketoRequestCampaign(),
    MarketoChangePartition(),
    MarketoRemoveFromList(),
]

EXECUTORS: dict[str, Executor] = {e.action_id: e for e in _ALL}
