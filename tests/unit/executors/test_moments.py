"""The person interesting-moment executor validates one moment per batch and copies it per person:
what it stores and publishes is what validating every one would give."""

from __future__ import annotations

from journeys.catalog.events import JourneyEvent
from journeys.model.lists import TimelineEntry
from journeys.outcomes import Outcome
from journeys.timestamps import iso
from tests.unit.executors.world import NOW, World


def test_each_person_gets_the_moment_and_event_validation_would_make(world: World) -> None:
    # Given the three people of acme
    people = [p.id for p in world.store.people_of_account("acme")]
    assert len(people) == 3

    # When the executor records a moment for each of them
    results = world.run("interesting_moment", {"type": "milestone", "description": "Booked a demo"})

    # Then each timeline holds that person's moment, field for field as the constructor makes it
    assert {r.subject: r.outcome for r in results.values()} == dict.fromkeys(people, Outcome.APPLIED)
    for pid in people:
        [moment] = world.store.timeline("person", pid)
        want = TimelineEntry(
            on="person", subject=pid, type="milestone", description="Booked a demo",
            at=iso(NOW), journey="onboarding", node="n-1",
        )  # fmt: skip
        assert moment == want
        assert moment.model_fields_set == want.model_fields_set
    # And one validated-equal event per person, in batch order
    assert world.bus.events == [
        JourneyEvent.model_validate(
            {
                "on": "people",
                "type": "interesting_moment",
                "accountId": "acme",
                "personId": pid,
                "occurredAt": NOW,
                "data": {
                    "type": "milestone",
                    "description": "Booked a demo",
                    "journey": "onboarding",
                    "node": "n-1",
                },
            }
        )
        for pid in people
    ]


def test_a_second_batch_validates_its_own_moment(world: World) -> None:
    # Given a moment already recorded by one node
    world.run("interesting_moment", {"type": "web", "description": "Pricing page"}, node="n-1")

    # When another node records a different one
    world.run("interesting_moment", {"type": "email", "description": None}, node="n-2")

    # Then the second moments carry the second node's inputs, not the first batch's
    [_, second] = world.store.timeline("person", "p-ana")
    assert (second.type, second.description, second.node) == ("email", None, "n-2")
