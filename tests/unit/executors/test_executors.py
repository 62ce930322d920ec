"""Every action's executor, on a seeded world (in-memory store here; DynamoDB in integration)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from journeys.catalog import inputs as i
from journeys.catalog.actions import ACTIONS
from journeys.executors import EXECUTORS
from journeys.executors.journeys import derived_entry_id
from journeys.executors.messaging import MARKETO_EMAIL_UNSUPPORTED
from journeys.model.buying_groups import BuyingGroup, Member
from journeys.model.lists import DUMMY_AUDIENCE_RECORD
from journeys.outcomes import Outcome
from journeys.store.records import Entry
from journeys.store.repository import Conflict, Store
from tests.unit.executors.world import World, journey_record

A, S, F = Outcome.APPLIED, Outcome.SKIPPED, Outcome.FAILED


def outcomes(results: dict[str, Any]) -> dict[str, tuple[Outcome, str | None]]:
    return {k: (r.outcome, r.reason) for k, r in results.items()}


def event_types(world: World) -> list[str]:
    return [f"{e.on}:{e.type}" for e in world.bus.events]


def test_registry_covers_exactly_the_catalog() -> None:
    assert set(EXECUTORS) == set(ACTIONS)
    assert len(EXECUTORS) == 22
    for action_id, executor in EXECUTORS.items():
        assert executor.action_id == action_id
        assert executor.chunk_size >= 1


# -- data values and scores ------------------------------------------------------------------


def test_change_account_data_value_sets_and_publishes(world: World) -> None:
    res = world.run("change_account_data_value", {"attribute": "tier", "value": "platinum"})
    assert outcomes(res) == {"acme": (A, None)}
    acme = world.store.get_account("acme")
    assert acme is not None and (acme.model_extra or {})["tier"] == "platinum"
    [ev] = world.bus.events
    assert (ev.on, ev.type, ev.accountId) == ("accounts", "data_value_changed", "acme")
    assert ev.data["attribute"] == "tier"
    assert (ev.data["newValue"], ev.data["previousValue"]) == ("platinum", "gold")


def test_account_data_value_only_updatable_and_type_checked(world: World) -> None:
    assert outcomes(world.run("change_account_data_value", {"attribute": "name", "value": "X"})) == {
        "acme": (F, "'name' is not an updatable attribute")
    }
    res = world.run("change_account_data_value", {"attribute": "employees", "value": "many"})
    assert res["acme"].outcome is F and "integer" in (res["acme"].reason or "")
    assert (
        world.run("change_account_data_value", {"attribute": "employees", "value": 42.0})["acme"].outcome is A
    )
    acme = world.store.get_account("acme")
    assert acme is not None and acme.employees == 42 and isinstance(acme.employees, int)
    assert world.bus.events[-1].data["previousValue"] == 12000


def test_account_data_value_null_clears(world: World) -> None:
    assert world.run("change_account_data_value", {"attribute": "tier", "value": None})["acme"].outcome is A
    acme = world.store.get_account("acme")
    assert acme is not None and "tier" not in (acme.model_extra or {})
    assert world.bus.events[-1].data["newValue"] is None


def test_change_data_value_people(world: World) -> None:
    res = world.run("change_data_value", {"attribute": "jobTitle", "value": "CIO"})
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (A, None), "p-cy": (A, None)}
    people = {p.id: p for p in world.store.people_of_account("acme")}
    assert all((p.model_extra or {}).get("jobTitle") == "CIO" for p in people.values())
    assert event_types(world) == ["people:data_value_changed"] * 3
    assert {e.personId: e.data["previousValue"] for e in world.bus.events} == {
        "p-ana": "Director of IT",
        "p-bo": None,
        "p-cy": None,
    }


def test_change_data_value_rejects_wrong_type_and_unknown_attribute(world: World) -> None:
    res = world.run("change_data_value", {"attribute": "newsletter", "value": "yes"})
    assert {r.outcome for r in res.values()} == {F}
    res = world.run("change_data_value", {"attribute": "email", "value": "x@y.example"})
    assert {r.reason for r in res.values()} == {"'email' is not an updatable attribute"}
    assert world.bus.events == []


def test_change_data_value_null_clears(world: World) -> None:
    res = world.run("change_data_value", {"attribute": "jobTitle", "value": None}, people=["p-ana"])
    assert outcomes(res) == {"p-ana": (A, None)}
    [ana] = world.store.get_people(["p-ana"])
    assert "jobTitle" not in (ana.model_extra or {})


@pytest.mark.parametrize(
    ("change", "ana", "bo"),
    [("+5", 15.0, 5.0), ("-3", 7.0, -3.0), ("=7", 7.0, 7.0), ("=-4", -4.0, -4.0)],
)
def test_change_score(world: World, change: str, ana: float, bo: float) -> None:
    res = world.run("change_score", {"score": "Person Score", "change": change}, people=["p-ana", "p-bo"])
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (A, None)}
    scores = {p.id: p.scores.get("Person Score") for p in world.store.get_people(["p-ana", "p-bo"])}
    assert scores == {"p-ana": ana, "p-bo": bo}
    assert {e.personId: e.data["newValue"] for e in world.bus.events} == {"p-ana": ana, "p-bo": bo}
    assert world.bus.events[0].data["previousValue"] == 10.0


def test_change_score_unknown_score_fails(world: World) -> None:
    res = world.run("change_score", {"score": "Nope", "change": "+1"}, people=["p-ana"])
    assert outcomes(res) == {"p-ana": (F, "unknown score 'Nope'")}


# -- interesting moments ---------------------------------------------------------------------


def test_account_interesting_moment(world: World) -> None:
    params = {"type": "milestone", "description": "Signed the MSA"}
    assert outcomes(world.run("account_interesting_moment", params)) == {"acme": (A, None)}
    [moment] = world.store.timeline("account", "acme")
    assert (moment.type, moment.description, moment.journey, moment.node) == (
        "milestone",
        "Signed the MSA",
        "onboarding",
        "n-1",
    )
    [ev] = world.bus.events
    assert (ev.on, ev.type, ev.data["description"]) == ("accounts", "interesting_moment", "Signed the MSA")


def test_person_interesting_moment(world: World) -> None:
    res = world.run("interesting_moment", {"type": "web", "description": "Pricing page"})
    assert set(res) == {"p-ana", "p-bo", "p-cy"}
    assert all(len(world.store.timeline("person", p)) == 1 for p in res)
    assert event_types(world) == ["people:interesting_moment"] * 3


def test_moment_description_limit() -> None:
    with pytest.raises(ValidationError):
        i.InterestingMoment.model_validate({"type": "web", "description": "x" * 141})


# -- buying groups ---------------------------------------------------------------------------


def _group(store: Store, account: str = "acme") -> BuyingGroup:
    found = store.get_buying_group(account, "analytics")
    assert found is not None
    return found[0]


def test_assign_to_buying_group_recomputes_completeness(world: World) -> None:
    res = world.run("assign_to_buying_group", {"solutionInterest": "analytics", "role": "Influencer"})
    assert outcomes(res) == {
        "p-ana": (S, "manual assignment kept"),
        "p-bo": (A, None),
        "p-cy": (A, None),
    }
    members = {(m.person, m.role, m.source) for m in _group(world.store).members}
    assert members == {
        ("p-ana", "Decision Maker", "manual"),
        ("p-bo", "Influencer", "journey"),
        ("p-cy", "Influencer", "journey"),
    }
    assert event_types(world) == [
        "people:assigned_to_buying_group",
        "people:assigned_to_buying_group",
        "accounts:buying_group_completeness_changed",
    ]
    completeness = world.bus.events[-1].data
    assert (completeness["previousValue"], completeness["completeness"]) == (50, 100)
    again = world.run("assign_to_buying_group", {"solutionInterest": "analytics", "role": "Influencer"})
    assert again["p-bo"].reason == "already a member with this role"


def test_assign_checks_role_interest_and_account(world: World) -> None:
    res = world.run("assign_to_buying_group", {"solutionInterest": "analytics", "role": "Janitor"})
    assert {r.reason for r in res.values()} == {"'Janitor' is not a role of 'analytics'"}
    res = world.run("assign_to_buying_group", {"solutionInterest": "crm", "role": "Influencer"})
    assert {r.reason for r in res.values()} == {"unknown solution interest 'crm'"}
    res = world.run(
        "assign_to_buying_group", {"solutionInterest": "Analytics", "role": "Influencer"}, people=["p-di"]
    )
    assert outcomes(res) == {"p-di": (S, "person belongs to another account")}


def test_assign_creates_the_group_at_an_entry_stage(world: World) -> None:
    res = world.run(
        "assign_to_buying_group",
        {"solutionInterest": "analytics", "role": "Decision Maker"},
        account="globex",
        people=["p-di"],
    )
    assert outcomes(res) == {"p-di": (A, None)}
    group = _group(world.store, "globex")
    assert group.stage == "Awareness" and [m.person for m in group.members] == ["p-di"]


def test_assign_retries_on_conflict(world: World) -> None:
    """A concurrent writer saves the group between our read and write: we re-read and keep theirs."""
    real = world.store
    raced = {"done": False}

    class Racing:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def save_buying_group(self, group: BuyingGroup, expected_version: int | None) -> int:
            if not raced["done"]:
                raced["done"] = True
                current, version = real.get_buying_group("acme", "analytics") or (None, None)
                assert current is not None
                other = current.model_copy(
                    update={
                        "members": [
                            *current.members,
                            Member(person="p-cy", role="Influencer", source="system"),
                        ]
                    }
                )
                real.save_buying_group(other, version)
            return real.save_buying_group(group, expected_version)

    world.ctx.store = Racing()  # type: ignore[assignment]
    res = world.run(
        "assign_to_buying_group", {"solutionInterest": "analytics", "role": "Influencer"}, people=["p-bo"]
    )
    assert outcomes(res) == {"p-bo": (A, None)}
    assert {(m.person, m.role) for m in _group(real).members} == {
        ("p-ana", "Decision Maker"),
        ("p-cy", "Influencer"),
        ("p-bo", "Influencer"),
    }


def test_assign_gives_up_after_persistent_conflicts(world: World) -> None:
    real = world.store

    class AlwaysConflict:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def save_buying_group(self, group: BuyingGroup, expected_version: int | None) -> int:
            raise Conflict("always")

    world.ctx.store = AlwaysConflict()  # type: ignore[assignment]
    from journeys.executors import Interrupted

    with pytest.raises(Interrupted) as info:
        world.run("assign_to_buying_group", {"solutionInterest": "analytics", "role": "Influencer"})
    assert info.value.completed == [] and isinstance(info.value.cause, Conflict)


def test_remove_from_buying_group_keeps_manual_members(world: World) -> None:
    world.run(
        "assign_to_buying_group", {"solutionInterest": "analytics", "role": "Influencer"}, people=["p-bo"]
    )
    world.bus.events.clear()
    res = world.run("remove_from_buying_group", {"solutionInterest": "analytics"})
    assert outcomes(res) == {
        "p-ana": (S, "manual assignment kept"),
        "p-bo": (A, None),
        "p-cy": (S, "not a member"),
    }
    assert [(m.person, m.source) for m in _group(world.store).members] == [("p-ana", "manual")]
    assert event_types(world) == [
        "people:removed_from_buying_group",
        "accounts:buying_group_completeness_changed",
    ]
    assert world.bus.events[-1].data["completeness"] == 50


def test_remove_without_a_group(world: World) -> None:
    res = world.run("remove_from_buying_group", {"solutionInterest": "analytics"}, account="globex")
    assert outcomes(res) == {"p-di": (S, "not a member")}


def test_stage_moves_only_along_allowed_transitions(world: World) -> None:
    params = {"solutionInterest": "analytics", "stage": "Won"}
    assert outcomes(world.run("update_buying_group_stage", params)) == {
        "acme": (S, "transition not allowed: Awareness -> Won")
    }
    params["stage"] = "Consideration"
    assert outcomes(world.run("update_buying_group_stage", params)) == {"acme": (A, None)}
    assert _group(world.store).stage == "Consideration"
    [ev] = world.bus.events
    assert (ev.type, ev.data["newStage"], ev.data["previousStage"]) == (
        "buying_group_stage_changed",
        "Consideration",
        "Awareness",
    )
    assert outcomes(world.run("update_buying_group_stage", params)) == {"acme": (S, "already in this stage")}
    params["stage"] = "Galaxy"
    assert world.run("update_buying_group_stage", params)["acme"].outcome is F
    params["stage"] = "Purchase"
    assert outcomes(world.run("update_buying_group_stage", params, account="globex")) == {
        "globex": (S, "no buying group")
    }


def test_status_set_and_limited(world: World) -> None:
    params = {"solutionInterest": "analytics", "status": "Evaluating vendors"}
    assert outcomes(world.run("update_buying_group_status", params)) == {"acme": (A, None)}
    assert _group(world.store).status == "Evaluating vendors"
    [ev] = world.bus.events
    assert (ev.type, ev.data["newStatus"]) == ("buying_group_status_changed", "Evaluating vendors")
    assert world.run("update_buying_group_status", params)["acme"].reason == "already has this status"
    for bad in ("x" * 51, "", "   "):
        with pytest.raises(ValidationError):
            i.UpdateBuyingGroupStatus.model_validate({"solutionInterest": "analytics", "status": bad})
    assert i.UpdateBuyingGroupStatus.model_validate({"solutionInterest": "analytics", "status": "x" * 50})


# -- account lists ---------------------------------------------------------------------------


def test_account_lists_add_and_remove_are_ignored_when_nothing_to_do(world: World) -> None:
    add, remove = "add_to_account_list", "remove_from_account_list"
    assert outcomes(world.run(add, {"list": "installed-base"})) == {"acme": (S, "already a member")}
    assert outcomes(world.run(add, {"list": "Installed base"}, account="globex")) == {"globex": (A, None)}
    lst = world.store.get_account_list("installed-base")
    assert lst is not None and lst.members == ["acme", "globex"]
    assert outcomes(world.run(remove, {"list": "installed-base"}, account="globex")) == {"globex": (A, None)}
    assert outcomes(world.run(remove, {"list": "installed-base"}, account="globex")) == {
        "globex": (S, "not a member")
    }
    assert outcomes(world.run(add, {"list": "dyn"})) == {"acme": (S, "list is not a live static list")}
    assert outcomes(world.run(add, {"list": "nope"})) == {"acme": (F, "unknown account list 'nope'")}


# -- external audiences and destinations -----------------------------------------------------


def test_external_audience_replaces_the_dummy_and_queues_activation(world: World) -> None:
    aud = world.store.get_audience("aud-q3")
    assert aud is not None and aud.members == [DUMMY_AUDIENCE_RECORD]
    res = world.run("add_to_external_audience", {"audience": "aud-q3"}, people=["p-ana", "p-bo"])
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (A, None)}
    aud = world.store.get_audience("aud-q3")
    assert aud is not None and aud.members == ["p-ana", "p-bo"]
    assert world.store.pending_activations("aud-q3", 10) == ["p-ana", "p-bo"]
    again = world.run("add_to_external_audience", {"audience": "Q3 retargeting"})
    assert outcomes(again) == {
        "p-ana": (S, "already a member"),
        "p-bo": (S, "already a member"),
        "p-cy": (A, None),
    }
    missing = world.run("add_to_external_audience", {"audience": "nope"}, people=["p-ana"])
    assert outcomes(missing) == {"p-ana": (F, "unknown audience 'nope'")}


def test_activate_to_destination(world: World) -> None:
    res = world.run("activate_to_destination", {"destination": "linkedin", "audienceName": "ABM Q3"})
    assert outcomes(res) == {"acme": (A, None)}
    aud = world.store.get_audience("linkedin-abm-q3")
    assert aud is not None and aud.destination == "linkedin"
    assert aud.members == ["p-ana", "p-bo", "p-cy"]
    assert world.store.pending_activations(aud.id, 10) == ["p-ana", "p-bo", "p-cy"]
    again = world.run("activate_to_destination", {"destination": "linkedin", "audienceName": "ABM Q3"})
    assert outcomes(again) == {"acme": (S, "already activated")}
    assert world.run("activate_to_destination", {"destination": "tiktok"})["acme"].outcome is F


# -- other journeys --------------------------------------------------------------------------


def test_add_account_to_journey_is_idempotent_per_node(world: World) -> None:
    res = world.run("add_account_to_journey", {"journey": "renewal"})
    assert outcomes(res) == {"acme": (A, None)}
    entry_id = derived_entry_id("renewal", "e-1", "n-1")
    entry = world.store.get_entry(entry_id)
    assert entry is not None and (entry.journeyId, entry.accountId, entry.status) == (
        "renewal",
        "acme",
        "running",
    )
    [(arn, execution_input)] = world.starter.started.items()
    assert arn == entry.executionArn and arn.endswith(f":{entry_id}")
    assert execution_input == {
        "journeyId": "renewal",
        "journeyVersion": 1,
        "accountId": "acme",
        "cohort": None,
    }
    # The same node of the same entry (a redelivery) finds its own entry and starts nothing new.
    assert outcomes(world.run("add_account_to_journey", {"journey": "Renewal"})) == {"acme": (A, None)}
    assert len(world.store.entries_of("renewal", "acme")) == 1
    # Another entry while the account is still in the target journey.
    other = world.run("add_account_to_journey", {"journey": "renewal"}, entry="e-2")
    assert outcomes(other) == {"acme": (S, "already in the journey")}


def test_add_account_blocked_by_closed_or_aborted_target(world: World) -> None:
    assert outcomes(world.run("add_account_to_journey", {"journey": "old"})) == {
        "acme": (S, "target journey is closed")
    }
    assert outcomes(world.run("add_account_to_journey", {"journey": "gone"})) == {
        "acme": (S, "target journey is aborted")
    }
    assert outcomes(world.run("add_account_to_journey", {"journey": "nope"})) == {
        "acme": (F, "unknown journey 'nope'")
    }
    assert world.starter.started == {}


def _past_entry(world: World, journey: str, days_ago: int) -> None:
    started = world.clock.now() - timedelta(days=days_ago + 1)
    world.store.put_entry(
        Entry(
            entryId=f"old-{journey}",
            journeyId=journey,
            journeyVersion=1,
            accountId="acme",
            status="succeeded",
            startedAt=started.isoformat(),
            endedAt=(world.clock.now() - timedelta(days=days_ago)).isoformat(),
        )
    )


def test_add_account_respects_reentry_rules(world: World) -> None:
    _past_entry(world, "renewal", days_ago=3)
    assert outcomes(world.run("add_account_to_journey", {"journey": "renewal"})) == {
        "acme": (S, "re-entry is disabled")
    }
    record = world.store.get_journey("onboarding")
    assert record is not None
    reentrant = journey_record(
        {"id": "nurture", "name": "Nurture", "status": "live", "liveVersion": 1},
        {"enabled": True, "wait": "7d", "from": "end", "limit": 2},
    )
    world.store.save_journey(reentrant, None)
    _past_entry(world, "nurture", days_ago=3)
    waiting = outcomes(world.run("add_account_to_journey", {"journey": "nurture"}))
    assert waiting["acme"][0] is S and str(waiting["acme"][1]).startswith("re-entry wait until ")
    world.clock.current += timedelta(days=5)
    assert outcomes(world.run("add_account_to_journey", {"journey": "nurture"}, entry="e-2")) == {
        "acme": (A, None)
    }
    entry_id = derived_entry_id("nurture", "e-2", "n-1")
    world.store.update_entry(entry_id, status="succeeded", endedAt=world.clock.now().isoformat())
    world.clock.current += timedelta(days=30)
    assert outcomes(world.run("add_account_to_journey", {"journey": "nurture"}, entry="e-3")) == {
        "acme": (S, "entry limit of 2 reached")
    }


def test_remove_account_from_journey_ends_the_active_entry(world: World) -> None:
    world.run("add_account_to_journey", {"journey": "renewal"})
    entry_id = derived_entry_id("renewal", "e-1", "n-1")
    res = world.run("remove_account_from_journey", {"journey": "renewal"}, entry="e-9")
    assert outcomes(res) == {"acme": (A, None)}
    entry = world.store.get_entry(entry_id)
    assert entry is not None and entry.status == "removed" and entry.endedAt is not None
    assert list(world.starter.stopped) == [entry.executionArn]
    again = world.run("remove_account_from_journey", {"journey": "renewal"}, entry="e-9")
    assert outcomes(again) == {"acme": (S, "not in the journey")}


# -- messaging -------------------------------------------------------------------------------


def test_send_authored_email_renders_per_person(world: World) -> None:
    params = {
        "email": {
            "subject": "Welcome {{ person.firstName }} at {{ account.name }}",
            "html": "<p>Hi {{ person.firstName }}, {{ journey.name }} / {{ account.owner.name }}</p>",
            "text": "Hi {{ person.firstName }}",
        }
    }
    res = world.run("send_email", params)
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (A, None), "p-cy": (S, "no email address")}
    sent = {e.to[0]: e for e in world.outbox.emails}
    assert set(sent) == {"ana@acme.example", "bo@acme.example"}
    ana = sent["ana@acme.example"]
    assert ana.subject == "Welcome Ana at Acme Corp"
    assert ana.html == "<p>Hi Ana, Onboarding / Dana Reyes</p>"
    assert ana.text == "Hi Ana"
    assert ana.sender == "journeys@example.com"
    assert ana.tags["person"] == "p-ana" and ana.tags["node"] == "n-1"


def test_email_html_is_escaped_and_sandboxed(world: World) -> None:
    world.store.set_person_attribute("p-ana", "firstName", "<script>x</script>")
    params = {
        "email": {
            "subject": "{{ person.__class__ }}{{ lipsum }}",
            "html": "<p>{{ person.firstName }}</p>",
            "from": "team@example.com",
        }
    }
    res = world.run("send_email", params, people=["p-ana"])
    assert res["p-ana"].outcome is A
    [sent] = world.outbox.emails
    assert sent.html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    assert sent.subject == ""  # no attribute of Python objects, no globals
    assert sent.sender == "team@example.com"
    calls = world.run(
        "send_email", {"email": {"subject": "{{ range(3)|list }}", "html": "x"}}, people=["p-bo"]
    )
    assert calls["p-bo"].outcome is F and "template" in (calls["p-bo"].reason or "")


def test_marketo_email_is_skipped_with_a_reason(world: World) -> None:
    res = world.run("send_email", {"email": {"workspace": "Default", "email": "Welcome"}})
    assert {r.reason for r in res.values()} == {MARKETO_EMAIL_UNSUPPORTED}
    assert world.outbox.emails == []


def test_send_sms_skips_people_without_phone(world: World) -> None:
    res = world.run("send_sms", {"sms": {"text": "Hi {{ person.firstName }} from {{ account.name }}"}})
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (S, "no phone"), "p-cy": (A, None)}
    assert {(s.to, s.text) for s in world.outbox.sms} == {
        ("+15551230001", "Hi Ana from Acme Corp"),
        ("+15551230003", "Hi Cy from Acme Corp"),
    }


def test_sales_alert_summarises_the_buying_group(world: World) -> None:
    world.run(
        "assign_to_buying_group", {"solutionInterest": "analytics", "role": "Influencer"}, people=["p-bo"]
    )
    world.store.change_score("p-bo", "Behavior Score", "+12")
    params = {"solutionInterest": "analytics", "sendTo": ["owner", "sales@example.com", "owner"]}
    assert outcomes(world.run("send_sales_alert", params)) == {"acme": (A, None)}
    [alert] = world.outbox.emails
    assert alert.kind == "sales_alert"
    assert alert.to == ["dana@example.com", "sales@example.com"]
    assert alert.subject == "Sales alert: Acme Corp - Analytics"
    for fact in (
        "Ana Lee",
        "Decision Maker",
        "Bo Chen",
        "Influencer: 1 more needed",
        "Completeness: 75%",
        "Stage: Awareness",
        "Behavior Score=12.0",
        "Person Score=10.0",
    ):
        assert fact in (alert.text or ""), fact
    assert "ana@acme.example" in alert.html and "Director of IT" in alert.html


def test_sales_alert_without_recipient_or_group(world: World) -> None:
    params = {"solutionInterest": "analytics", "sendTo": ["owner"]}
    assert outcomes(world.run("send_sales_alert", params, account="globex")) == {
        "globex": (S, "no recipient: the account has no owner")
    }
    params = {"solutionInterest": "analytics", "sendTo": ["sales@example.com"]}
    assert outcomes(world.run("send_sales_alert", params, account="globex")) == {
        "globex": (S, "no buying group")
    }
    assert world.outbox.emails == []


# -- Marketo ---------------------------------------------------------------------------------


def _list_members(world: World, list_id: int) -> list[int]:
    return next(x["members"] for x in world.marketo.snapshot()["lists"] if x["id"] == list_id)


def test_marketo_add_to_list_maps_leads_to_people(world: World) -> None:
    res = world.run("marketo_add_to_list", {"workspace": "Default", "list": "Nurture"})
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (A, None), "p-cy": (S, "no Marketo lead")}
    assert _list_members(world, 501) == [1001, 1002]


def test_marketo_remove_non_member_is_skipped(world: World) -> None:
    res = world.run("marketo_remove_from_list", {"workspace": "Default", "list": 501})
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (S, "not a member"), "p-cy": (S, "no Marketo lead")}
    assert _list_members(world, 501) == []


def test_marketo_unknown_list_fails_only_people_with_leads(world: World) -> None:
    res = world.run("marketo_add_to_list", {"workspace": "Default", "list": "Nope"})
    assert outcomes(res) == {
        "p-ana": (F, "unknown Marketo list 'Nope' in workspace 'Default'"),
        "p-bo": (F, "unknown Marketo list 'Nope' in workspace 'Default'"),
        "p-cy": (S, "no Marketo lead"),
    }


def test_marketo_request_campaign(world: World) -> None:
    params = {"workspace": "Default", "campaign": "Expansion follow-up", "tokens": {"{{my.offer}}": "20%"}}
    res = world.run("marketo_request_campaign", params)
    assert outcomes(res) == {"p-ana": (A, None), "p-bo": (A, None), "p-cy": (S, "no Marketo lead")}
    [request] = world.marketo.campaign_requests
    assert (request.campaign_id, sorted(request.lead_ids)) == (9001, [1001, 1002])
    res = world.run("marketo_request_campaign", {"workspace": "Default", "campaign": "Monthly batch"})
    assert res["p-ana"].reason == "Marketo campaign 'Monthly batch' is not requestable"


def test_marketo_change_partition(world: World) -> None:
    res = world.run("marketo_change_partition", {"partition": "EMEA"}, people=["p-ana", "p-cy"])
    assert outcomes(res) == {"p-ana": (A, None), "p-cy": (S, "no Marketo lead")}
    partitions = {x["id"]: x["partition"] for x in world.marketo.snapshot()["leads"]}
    assert partitions == {1001: "EMEA", 1002: "Default", 1003: "Default"}


def test_marketo_lookups_are_cached_per_batch(world: World) -> None:
    world.run("marketo_add_to_list", {"workspace": "Default", "list": "Nurture"}, people=["p-ana"])
    world.run("marketo_remove_from_list", {"workspace": "Default", "list": "Nurture"}, people=["p-bo"])
    lookups = [r for r in world.marketo.requests if r.path.endswith("/rest/v1/lists.json")]
    assert len(lookups) == 1


class _StubMarketo:
    """A MarketoApi whose action calls fail the way the client reports it."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def static_lists(self, workspace: str | None = None) -> list[Any]:
        from journeys.connectors.marketo import StaticList

        return [StaticList(id=501, name="Nurture")]

    def add_to_list(self, list_id: int, lead_ids: Any) -> list[Any]:
        raise self.error


def test_marketo_unavailable_keeps_completed_work(world: World) -> None:
    from journeys.connectors.marketo import MarketoUnavailable
    from journeys.executors import Interrupted
    from journeys.outcomes import ActionResult

    error = MarketoUnavailable("gave up", completed=[ActionResult.applied("1001")])
    world.ctx.marketo = _StubMarketo(error)  # type: ignore[assignment]
    with pytest.raises(Interrupted) as info:
        world.run("marketo_add_to_list", {"workspace": "Default", "list": "Nurture"})
    # Ana's lead went through; Cy has no lead (final); Bo's outcome is unknown, so retried.
    assert outcomes({r.subject: r for r in info.value.completed}) == {
        "p-ana": (A, None),
        "p-cy": (S, "no Marketo lead"),
    }


def test_marketo_credentials_fail_permanently(world: World) -> None:
    from journeys.connectors.marketo import MarketoAuthError
    from journeys.executors import PermanentActionError

    world.ctx.marketo = _StubMarketo(MarketoAuthError("refused"))  # type: ignore[assignment]
    with pytest.raises(PermanentActionError) as info:
        world.run("marketo_add_to_list", {"workspace": "Default", "list": "Nurture"})
    assert info.value.error == "Marketo.Configuration"
    world.ctx.marketo = None
    with pytest.raises(PermanentActionError):
        world.run("marketo_change_partition", {"partition": "EMEA"})


def test_email_needs_a_sender(world: World) -> None:
    from journeys.executors import PermanentActionError

    world.ctx.email_from = None
    with pytest.raises(PermanentActionError):
        world.run("send_email", {"email": {"subject": "s", "html": "h"}})
    assert (
        world.run(
            "send_email", {"email": {"subject": "s", "html": "h", "from": "a@b.example"}}, people=["p-ana"]
        )["p-ana"].outcome
        is A
    )
