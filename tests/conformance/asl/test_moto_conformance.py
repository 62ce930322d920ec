"""The compiled journeys behave the same on the local runtime and on moto's executor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .local_driver import run_local
from .moto_driver import MotoWorld, moto_world
from .scenarios import Answer, Scenario, account_items, by_scope, data_set, load_journey

TIMEOUT = Answer(kind="timeout")
FAIL = Answer(kind="failure", error="Journeys.Forced", cause="marketo down")
EVENT = Answer(output={"event": {"type": "email_clicked", "person": "p-ben"}})

SCENARIOS = [
    Scenario("onboarding-large-account", "enterprise-onboarding.yaml", "acme"),
    Scenario("onboarding-click", "enterprise-onboarding.yaml", "globex", {"listen-click": EVENT}),
    Scenario("onboarding-no-click", "enterprise-onboarding.yaml", "initech", {"listen-click": TIMEOUT}),
    Scenario("onboarding-email-fails", "enterprise-onboarding.yaml", "acme", {"welcome": FAIL}),
    Scenario("onboarding-alert-times-out", "enterprise-onboarding.yaml", "acme", {"alert": TIMEOUT}),
    Scenario("handoff-moves", "expansion-handoff.yaml", "umbrella", {"wait-stage": EVENT}),
    Scenario("handoff-stalls", "expansion-handoff.yaml", "umbrella", {"wait-stage": TIMEOUT}),
    Scenario("nurture-all-paths", "role-based-nurture.yaml", "acme"),
    Scenario("nurture-branch-fails", "role-based-nurture.yaml", "globex", {"tag-region": FAIL}),
    Scenario("operators-gold", "operators", "acme"),
    Scenario("operators-mid", "operators", "globex"),
    Scenario("operators-small", "operators", "initech"),
    Scenario("operators-health", "operators", "umbrella"),
    Scenario("groups-considering", "buying-groups", "umbrella"),
    Scenario("groups-no-practitioner-event", "buying-groups", "acme", {"listen": EVENT}),
    Scenario("groups-no-practitioner-timeout", "buying-groups", "acme", {"listen": TIMEOUT}),
    Scenario("groups-none", "buying-groups", "globex"),
]


@pytest.fixture(scope="module")
def items() -> dict[str, dict[str, Any]]:
    return account_items(data_set())


@pytest.fixture(scope="module")
def world(items: dict[str, dict[str, Any]]) -> Iterator[MotoWorld]:
    # One moto account for the module: each journey is parsed by moto once, not per scenario.
    with moto_world(items) as world:
        yield world


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_local_runtime_agrees_with_moto(
    scenario: Scenario, items: dict[str, dict[str, Any]], world: MotoWorld
) -> None:
    loaded = load_journey(scenario.journey)
    local = run_local(loaded, scenario, items)
    moto = world.trace(loaded, scenario)
    assert local.status == moto.status
    assert local.error == moto.error
    assert local.output == moto.output
    definition = loaded.compiled.definition
    local_scopes, moto_scopes = by_scope(local.entered, definition), by_scope(moto.entered, definition)
    if local.status == "SUCCEEDED":
        assert local_scopes == moto_scopes
        assert sorted(local.sent, key=_key) == sorted(moto.sent, key=_key)
    else:
        # After a branch fails, how far its siblings got before being cancelled is a race on
        # AWS too: compare the machine and the branches where a node was made to fail.
        failing = {s for node in scenario.answers for s in loaded.compiled.node_states.get(node, [])}
        compared = {"machine"} | {scope for scope, names in local_scopes.items() if failing & set(names)}
        assert {k: v for k, v in local_scopes.items() if k in compared} == {
            k: v for k, v in moto_scopes.items() if k in compared
        }
    assert local.entered, "the execution entered no state"


def _key(message: dict[str, Any]) -> tuple[str, str, str]:
    return (message["nodeId"], message["kind"], str(message.get("cohort")))
