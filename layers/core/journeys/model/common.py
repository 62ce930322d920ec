"""Shared pieces of the domain model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NoReturn, TypeVar

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


M = TypeVar("M", bound=BaseModel)
_new = object.__new__
# The slots `model_construct` fills, set through their descriptors: cheaper than object.__setattr__.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def assembled(
    cls: type[M],
    values: dict[str, Any],
    fields_set: set[str],
    extra: dict[str, Any] | None = None,
    private: dict[str, Any] | None = None,
) -> M:
    """The instance `model_construct` makes of `values`, without its overhead.

    Only for values the validator would return unchanged (callers check, and a property test per
    caller holds it equal to validation). `values` and `fields_set` are kept: a frozen model's
    instances may share one fields-set, since nothing can change it (`model_copy` copies first).
    """
    made = _new(cls)
    _set_dict(made, values)
    _set_fields_set(made, fields_set)
    _set_extra(made, extra)
    _set_private(made, private)
    return made


# Interned fields-sets: a set of ten names weighs 728 bytes, more than most of what a person holds,
# and a store holds hundreds of thousands of people with a handful of distinct sets. Bounded: past
# it, instances keep their own sets.
_SHARED_MAX = 4096
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
_UNIONS: dict[tuple[int, tuple[str, ...]], tuple[set[str], set[str]]] = {}


def share_fields_set(model: M) -> M:
    """Give a frozen model the one interned set equal to its fields-set (nothing changes a frozen
    model's set: `model_copy` copies it first)."""
    fields = model.__pydantic_fields_set__
    key = frozenset(fields)
    shared = _FIELDS_SETS.get(key)
    if shared is None:
        if len(_FIELDS_SETS) >= _SHARED_MAX:
            return model
        shared = _FIELDS_SETS[key] = set(fields)
    _set_fields_set(model, shared)
    return model


def _with_names(fields: set[str], names: tuple[str, ...]) -> set[str]:
    """`fields | names`, one set object per (set object, names) while the table has room."""
    key = (id(fields), names)
    known = _UNIONS.get(key)
    if known is not None:
        return known[1]
    union = fields.union(names)
    shared = _FIELDS_SETS.setdefault(frozenset(union), union) if len(_FIELDS_SETS) < _SHARED_MAX else union
    if len(_UNIONS) < _SHARED_MAX:
        _UNIONS[key] = (fields, shared)  # holds `fields`, so its id cannot be reused meanwhile
    return shared


def replaced(model: M, changes: Mapping[str, Any]) -> M:
    """`model.model_copy(update=changes)` for a frozen model, sharing what does not change.

    Nothing may mutate a frozen model's containers, so the copy keeps the original's field dict,
    extras and fields-set unless a change touches them: a store keeps one version of each person,
    and a fields-set alone weighs more than most changes.
    """
    cls = type(model)
    if not cls.model_config.get("frozen"):
        raise TypeError(f"{cls.__name__} is not frozen: its copies cannot share containers")
    fields = cls.__pydantic_fields__
    values = model.__dict__
    extra = model.__pydantic_extra__
    for name, value in changes.items():
        if name in fields or extra is None:
            if values is model.__dict__:
                values = dict(values)
            values[name] = value
        else:
            if extra is model.__pydantic_extra__:
                extra = dict(extra)
            extra[name] = value
    fields_set = model.__pydantic_fields_set__
    if not fields_set.issuperset(changes):
        fields_set = _with_names(fields_set, tuple(changes))
    return assembled(cls, values, fields_set, extra, model.__pydantic_private__)


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
