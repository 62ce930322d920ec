"""`new_event` (the executors' event constructor) is `JourneyEvent.model_validate`, only cheaper."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from journeys.catalog import inputs as i
from journeys.catalog.events import JourneyEvent, new_event
from journeys.executors.base import ActionBatch, ExecutionContext, MessageMeta, event
from journeys.executors.local import local_execution
from journeys.executors.ports import FixedClock
from journeys.model.common import FrozenDict
from journeys.model.profiles import Account
from journeys.store.memory import InMemoryStore


class SubStr(str):
    """A str subclass: the validator turns it into a plain str."""


class SubDatetime(datetime):
    """A datetime subclass: the validator keeps it as it is."""


# Any code point; lone surrogates (a plain str field keeps them) and separators made likely.
_texts = st.one_of(
    st.text(max_size=6), st.text(st.characters(categories=["Cs", "Ll", "Zs", "Cc"]), max_size=6)
)
_zones = st.one_of(
    st.none(),
    st.just(UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
_moments = st.datetimes(timezones=_zones)
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    _texts,
    st.lists(st.integers(), max_size=2),
)
_plain_data = st.dictionaries(st.text(max_size=6), _values, max_size=5)

# What executors pass: exact types, valid values (the fast path).
_plain = {
    "on": st.sampled_from(["accounts", "people"]),
    "type_": _texts,
    "account_id": _texts,
    "person_id": st.one_of(st.none(), _texts),
    "occurred_at": _moments,
    "data": _plain_data,
}
# Per field, values the validator converts or refuses (the validator's path).
_odd = {
    "on": st.one_of(st.sampled_from(["people", "accounts"]).map(SubStr), st.sampled_from(["person", "", 1])),
    "type_": st.one_of(_texts.map(SubStr), st.just(3), st.none()),
    "account_id": st.one_of(_texts.map(SubStr), st.none(), st.just(4)),
    "person_id": st.one_of(_texts.map(SubStr), st.just(7)),
    "occurred_at": st.one_of(
        _moments.map(lambda m: SubDatetime.combine(m.date(), m.timetz())),  # kept as it is
        st.just("2026-03-02T09:00:00Z"),
        st.just(date(2026, 3, 2)),
        st.just(1.5),
        st.none(),
    ),
    "data": st.one_of(
        st.dictionaries(_texts.map(SubStr), _values, min_size=1, max_size=3),
        st.dictionaries(st.integers(0, 3), _values, min_size=1, max_size=3),
        st.dictionaries(st.one_of(_texts, _texts.map(SubStr)), _values, min_size=2, max_size=4),
        _plain_data.map(FrozenDict),
        _plain_data.map(lambda d: list(d.items())),
        st.none(),
    ),
}


@st.composite
def _inputs(draw: st.DrawFn) -> dict[str, Any]:
    """Plain inputs, with at most one field (often none) replaced by an odd value."""
    inputs = {name: draw(strategy) for name, strategy in _plain.items()}
    odd = draw(st.one_of(st.none(), st.sampled_from(sorted(_odd))))
    if odd is not None:
        inputs[odd] = draw(_odd[odd])
    return inputs


def _validated(inputs: dict[str, Any]) -> JourneyEvent:
    return JourneyEvent.model_validate(
        {
            "on": inputs["on"],
            "type": inputs["type_"],
            "accountId": inputs["account_id"],
            "personId": inputs["person_id"],
            "occurredAt": inputs["occurred_at"],
            "data": inputs["data"],
        }
    )


def _same(made: JourneyEvent, want: JourneyEvent) -> None:
    assert type(made) is JourneyEvent
    assert made == want
    assert list(made.__dict__.items()) == list(want.__dict__.items())  # values and field order
    assert [type(v) for v in made.__dict__.values()] == [type(v) for v in want.__dict__.values()]
    assert type(made.data) is FrozenDict
    assert [(k, type(k)) for k in made.data] == [(k, type(k)) for k in want.data]
    assert made.model_fields_set == want.model_fields_set
    assert (made.__pydantic_extra__, made.__pydantic_private__) == (
        want.__pydantic_extra__,
        want.__pydantic_private__,
    )
    assert repr(made) == repr(want)


@settings(max_examples=400)
@given(_inputs())
def test_new_event_is_what_the_validator_makes(inputs: dict[str, Any]) -> None:
    # Given any fields (valid or not, exact types or subclasses), the validator's verdict
    try:
        want = _validated(inputs)
    except ValidationError as refused:
        # Then new_event refuses them the same way
        with pytest.raises(ValidationError) as caught:
            new_event(
                inputs["on"], inputs["type_"], inputs["account_id"], inputs["person_id"],
                occurred_at=inputs["occurred_at"], data=inputs["data"],
            )  # fmt: skip
        assert caught.value.errors() == refused.errors()
        return

    # Or makes the same event, its data a copy of the dict passed
    made = new_event(
        inputs["on"], inputs["type_"], inputs["account_id"], inputs["person_id"],
        occurred_at=inputs["occurred_at"], data=inputs["data"],
    )  # fmt: skip
    _same(made, want)
    assert made.data is not inputs["data"]
    assert made.model_dump() == want.model_dump()


def test_new_event_keeps_no_reference_to_the_dict_passed() -> None:
    data: dict[str, Any] = {"score": "S", "newValue": 2.0}
    made = new_event(
        "people", "score_changed", "acme", "p1", occurred_at=datetime(2026, 1, 1, tzinfo=UTC), data=data
    )
    data["newValue"] = 3.0

    assert made.data == {"score": "S", "newValue": 2.0}
    with pytest.raises(TypeError):
        made.data["newValue"] = 4.0  # type: ignore[index]
    # Frozen: pydantic's copy with an update leaves the original (and its fields-set) alone
    moved = made.model_copy(update={"personId": "p2"})
    assert (made.personId, moved.personId) == ("p1", "p2")
    assert made.model_fields_set == set(JourneyEvent.model_fields)


def _batch() -> tuple[ExecutionContext, ActionBatch]:
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    ctx = local_execution(InMemoryStore(), clock=clock).context
    meta = MessageMeta(
        journey_id="onboarding", journey_version=1, entry_id="e-1", node_id="n-1", account_id="acme"
    )
    account = Account.model_validate({"id": "acme"})
    return ctx, ActionBatch(
        action_id="change_score",
        inputs=i.ChangeScore(score="S", change="+1"),
        account=account,
        people=[],
        meta=meta,
    )


def test_event_adds_journey_and_node_as_before() -> None:
    ctx, batch = _batch()

    made = event(ctx, batch, "people", "score_changed", "p1", score="S", newValue=2.0, journey="ignored")

    want = JourneyEvent.model_validate(
        {
            "on": "people",
            "type": "score_changed",
            "accountId": "acme",
            "personId": "p1",
            "occurredAt": ctx.clock.now(),
            "data": {"score": "S", "newValue": 2.0, "journey": "onboarding", "node": "n-1"},
        }
    )
    _same(made, want)
    assert list(made.data) == ["score", "newValue", "journey", "node"]  # the batch's journey wins


def test_event_with_a_wrong_side_is_still_refused() -> None:
    ctx, batch = _batch()

    with pytest.raises(ValidationError):
        event(ctx, batch, "person", "score_changed", "p1")
