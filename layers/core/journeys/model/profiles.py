"""Accounts and people."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journeys.model.common import Email, FrozenDict, Id, ReadOnlyScores, Scalar, Strict, share_fields_set

_PLAIN = frozenset({str, int, bool, type(None)})  # JSON as they are (exact types: no subclasses)


class Owner(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str
    email: Email


class Account(BaseModel):
    """A company. Attributes beyond the named ones are kept (the data set declares their types).

    Frozen: the in-memory store hands out what it holds; a change is a new object."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: Id
    name: str = ""
    industry: str | None = None
    employees: int | None = Field(default=None, ge=0)
    revenue: float | None = Field(default=None, ge=0)
    country: str | None = None
    owner: Owner | None = None

    def attributes(self) -> dict[str, Any]:
        """Every attribute as plain data (the id and owner included)."""
        return self.model_dump(mode="json", exclude_none=False)


class Person(BaseModel):
    """A profile that belongs to one account. Frozen, its scores read-only, like `Account`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: Id
    account: Id
    email: Email | None = None
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    firstName: str | None = None
    lastName: str | None = None
    marketoLeadId: int | None = Field(default=None, gt=0)
    scores: ReadOnlyScores = Field(default_factory=FrozenDict)

    @model_validator(mode="after")
    def _shared_fields_set(self) -> Person:
        # A run holds one person per profile and a new one per change: they share the few
        # distinct fields-sets there are instead of each carrying a copy.
        return share_fields_set(self)

    def attributes(self) -> dict[str, Scalar]:
        """Every scalar attribute as plain JSON data (scores and structured extras left out).

        A new dict on every call: the caller may change it."""
        # Read once per person-action by templates: plain values are taken as they are, and only a
        # person holding something else pays for the JSON dump. Copying the fields whole and then
        # checking the values costs half of building the dict key by key.
        fields = self.__dict__
        extra = self.__pydantic_extra__
        out: dict[str, Scalar] = {**fields, **extra} if extra else fields.copy()
        if extra and len(out) != len(fields) + len(extra):
            return self._attributes_key_by_key()  # a name both field and extra: only by construct
        scores = out.get("scores")  # a missing one reads as None, which stays missing
        if type(scores) not in _PLAIN and not (type(scores) is float and math.isfinite(scores)):
            del out["scores"]
        for value in out.values():
            if type(value) not in _PLAIN and not (type(value) is float and math.isfinite(value)):
                return self.attributes_by_dump()
        return out

    def _attributes_key_by_key(self) -> dict[str, Scalar]:
        """`attributes()` built one key at a time, the fields then the extras (the reference)."""
        out: dict[str, Scalar] = {}
        for source in (self.__dict__, self.__pydantic_extra__ or {}):
            for key, value in source.items():
                kind = type(value)
                if kind in _PLAIN or (kind is float and math.isfinite(value)):
                    out[key] = value
                elif key != "scores":
                    return self.attributes_by_dump()
        return out

    def attributes_by_dump(self) -> dict[str, Scalar]:
        """`attributes()` through pydantic's JSON dump: any value, at ten times the cost."""
        data = self.model_dump(mode="json", exclude={"scores"})
        return {k: v for k, v in data.items() if not isinstance(v, dict | list)}
