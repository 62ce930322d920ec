"""Marking input fields that name something that must exist (checked against a data set)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field


class RefKind(StrEnum):
    ACCOUNT_ATTRIBUTE = "accountAttribute"
    PERSON_ATTRIBUTE = "personAttribute"
    SCORE = "score"
    DESTINATION = "destination"
    ACCOUNT_JOURNEY = "accountJourney"
    ACCOUNT_LIST = "accountList"
    SOLUTION_INTEREST = "solutionInterest"
    STAGE = "stage"  # of the solution interest named in the same inputs
    ROLE = "role"  # of the solution interest named in the same inputs
    AUDIENCE = "audience"
    MARKETO_WORKSPACE = "marketoWorkspace"
    MARKETO_LIST = "marketoList"  # in the workspace named in the same inputs
    MARKETO_CAMPAIGN = "marketoCampaign"
    MARKETO_PARTITION = "marketoPartition"
    MARKETO_EMAIL = "marketoEmail"


REF_KEY = "x-ref"


def Ref(kind: RefKind, description: str, **kwargs: Any) -> Any:
    """A required reference field; the JSON Schema carries `x-ref` so a front end can offer a picker."""
    return Field(description=description, json_schema_extra={REF_KEY: kind.value}, **kwargs)


def ref_kind(field_extra: Any) -> RefKind | None:
    if isinstance(field_extra, dict) and REF_KEY in field_extra:
        return RefKind(field_extra[REF_KEY])
    return None
