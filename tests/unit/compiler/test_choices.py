"""Compiled Choice rules give the same answers as `journeys.conditions` (the reference evaluator)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from journeys.compiler.choices import conditions_rule, json_path
from journeys.conditions import evaluate
from journeys.definition.model import AttributeCondition, BuyingGroupCondition, Conditions
from journeys.runtime.stepfunctions import LocalStepFunctions

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, 1500.0, 2.0]),
    st.sampled_from(["", "a", "ab", "b", "gold", "Gold*", "x.y", "it's"]),
)
KEYS = ["tier", "employees", "vip", "name", "Person Score", "scores.Person Score"]
ATTRIBUTES = ["tier", "employees", "vip", "name", "Person Score", "scores.Person Score", "absent"]
OPS = ["eq", "ne", "gt", "gte", "lt", "lte", "contains", "startsWith", "in", "exists"]


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {key: draw(SCALARS) for key in draw(st.sets(st.sampled_from(KEYS)))}
    if draw(st.booleans()):
        record["scores"] = {"Person Score": draw(SCALARS)}
    if draw(st.booleans()):
        roles = {
            role: draw(st.integers(0, 2))
            for role in draw(st.sets(st.sampled_from(["Influencer", "Decision Maker"])))
        }
        record["buyingGroups"] = {
            "analytics": {
                "stage": draw(st.sampled_from(["Awareness", "Consideration"])),
                "status": "",
                "completeness": draw(st.integers(0, 100)),
                "membersInRole": roles,
            }
        }
    return record


@st.composite
def condition(draw: st.DrawFn) -> AttributeCondition | BuyingGroupCondition:
    op = draw(st.sampled_from(OPS))
    value = draw(st.lists(SCALARS, min_size=1, max_size=3)) if op == "in" else draw(SCALARS)
    try:
        if draw(st.integers(0, 3)) == 0:
            fact = draw(st.sampled_from(["exists", "stage", "completeness", "membersInRole"]))
            role = (
                draw(st.sampled_from(["Influencer", "Decision Maker"])) if fact == "membersInRole" else None
            )
            if fact == "exists":
                return BuyingGroupCondition(buyingGroup="analytics", fact="exists", value=draw(st.booleans()))
            return BuyingGroupCondition(buyingGroup="analytics", fact=fact, role=role, op=op, value=value)
        return AttributeCondition(attribute=draw(st.sampled_from(ATTRIBUTES)), op=op, value=value)
    except ValidationError:
        assume(False)
        raise


SFN = LocalStepFunctions(start=datetime(2027, 1, 1, tzinfo=UTC))


def choice_says(conditions: Conditions, record: dict[str, Any]) -> bool:
    definition = {
        "StartAt": "Split",
        "States": {
            "Split": {
                "Type": "Choice",
                "Choices": [{**conditions_rule(conditions), "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Succeed"},
        },
    }
    arn = SFN.create_state_machine(f"m{abs(hash(json.dumps(definition))) % 10**12}", definition)
    execution = SFN.start_execution(arn, None, json.dumps({"account": {"view": record}}))
    SFN.run_ready()
    assert SFN.describe_execution(execution).status == "SUCCEEDED"
    return SFN.entered_states(execution)[-1] == "Yes"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    record=records(),
    conditions=st.lists(condition(), min_size=1, max_size=3),
    mode=st.sampled_from(["all", "any"]),
)
def test_choice_matches_the_reference_evaluator(
    record: dict[str, Any], conditions: list[Any], mode: str
) -> None:
    model = Conditions.model_validate({mode: [c.model_dump(exclude_none=True) for c in conditions]})
    assert choice_says(model, record) == evaluate(model, record)


def test_json_path_quotes_what_is_not_an_identifier() -> None:
    assert json_path("$.v", ["tier", "Person Score", "it's"]) == "$.v.tier['Person Score']['it\\'s']"
