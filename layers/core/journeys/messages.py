"""Wire contracts between the compiled state machines and the functions they call.

The compiler writes these shapes into ASL; the action, cohort and listener handlers read them.
Payloads carry references (account id, cohort ref), never lists of people: Step Functions caps
a state's data at 256 KB.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Target = Literal["people", "accounts"]

# DynamoDB layout the compiled split-by-accounts reads with `dynamodb:getItem`.
ACCOUNT_PK_PREFIX = "ACCOUNT#"
ACCOUNT_SK = "ACCOUNT"
# JSON string attribute on the account item: account attributes plus buying-group facts,
# so a Choice state can test native JSON types (DynamoDB numbers arrive as strings).
SPLIT_VIEW_ATTRIBUTE = "splitView"
TABLE_PLACEHOLDER = "JourneysTableName"
COHORT_FUNCTION_PLACEHOLDER = "CohortFunctionArn"
LISTENER_FUNCTION_PLACEHOLDER = "ListenerFunctionArn"


def account_key(account_id: str) -> dict[str, dict[str, str]]:
    """The DynamoDB key (typed) of an account item."""
    return {"pk": {"S": f"{ACCOUNT_PK_PREFIX}{account_id}"}, "sk": {"S": ACCOUNT_SK}}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ExecutionInput(_Wire):
    """Input of one execution (one entry of one account)."""

    journeyId: str
    journeyVersion: int
    accountId: str
    # None: all people of the account at entry time. Otherwise a stored cohort ref.
    cohort: str | None = None


class NodeEntryMessage(_Wire):
    """SQS message body sent by an action node (sqs:sendMessage.waitForTaskToken)."""

    taskToken: str
    journeyId: str
    journeyVersion: int
    entryId: str
    nodeId: str
    accountId: str
    cohort: str | None = None
    target: Target
    action: str
    params: dict[str, Any] = Field(default_factory=dict)


class CohortSplitRequest(_Wire):
    """Payload of the cohort function (split by people): partition a cohort into one per path."""

    journeyId: str
    entryId: str
    nodeId: str
    accountId: str
    cohort: str | None = None
    # Conditions of each path in order (the journey's `when` objects); None marks `otherwise`.
    paths: list[dict[str, Any] | None]


class CohortSplitResult(_Wire):
    """One cohort ref per path, in path order (first match wins)."""

    cohorts: list[str]
    sizes: list[int]


class ListenRegistration(_Wire):
    """Payload of the listener function's registration (lambda:invoke.waitForTaskToken)."""

    taskToken: str
    journeyId: str
    entryId: str
    nodeId: str
    accountId: str
    cohort: str | None = None
    on: Target
    eventType: str
    filters: dict[str, Any] = Field(default_factory=dict)
    enteredAt: str
