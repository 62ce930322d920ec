"""Shared pieces of the domain model."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,127}$")]
AttributeType = Literal["string", "integer", "number", "boolean"]
Scalar = str | int | float | bool | None

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_check_email)]


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes: frozen models hand it out, so a store can share what it holds
    instead of copying it on every read."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("read-only mapping: build a new one (model_copy(update=...))")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenDict:
        return self


def _freeze(value: dict[str, Any]) -> dict[str, Any]:
    return value if isinstance(value, FrozenDict) else FrozenDict(value)


ReadOnlyScores = Annotated[dict[str, float], AfterValidator(_freeze)]
ReadOnlyData = Annotated[dict[str, Any], AfterValidator(_freeze)]


class Strict(BaseModel):
    """Boundary model: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def matches_type(value: Scalar, kind: AttributeType) -> bool:
    """Whether a value fits an attribute type (bool is not a number here)."""
    if value is None:
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, int | float)
