"""Interesting moments on the account or person timeline, published as events listen nodes wait for."""

from __future__ import annotations

from typing import ClassVar

from journeys.catalog import inputs as i
from journeys.catalog.events import JourneyEvent
from journeys.executors.base import ActionBatch, ExecutionContext, event, for_each
from journeys.model.lists import TimelineEntry
from journeys.model.profiles import Person
from journeys.outcomes import ActionResult
from journeys.timestamps import iso


class AccountInterestingMoment:
    action_id: ClassVar[str] = "account_interesting_moment"
    idempotent: ClassVar[bool] = False  # a repeat would add a second moment
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.InterestingMoment)
        events: list[JourneyEvent] = []

        def apply(account: str) -> ActionResult:
            ctx.store.append_moment(
                TimelineEntry(
                    on="account",
                    subject=account,
                    type=inputs.type,
                    description=inputs.description,
                    at=iso(ctx.clock.now()),
                    journey=batch.meta.journey_id,
                    node=batch.meta.node_id,
                )
            )
            events.append(
                event(
                    ctx,
                    batch,
                    "accounts",
                    "interesting_moment",
                    None,
                    type=inputs.type,
                    description=inputs.description,
                )
            )
            return ActionResult.applied(account)

        return for_each([batch.account.id], apply, events=events, publisher=ctx.events)


class PersonInterestingMoment:
    action_id: ClassVar[str] = "interesting_moment"
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 25

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.InterestingMoment)
        events: list[JourneyEvent] = []
        at = iso(ctx.clock.now())
        first: TimelineEntry | None = None  # validated once; the others differ only by subject

        def apply(person: Person) -> ActionResult:
            nonlocal first
            if first is None:
                moment = first = TimelineEntry(
                    on="person",
                    subject=person.id,
                    type=inputs.type,
                    description=inputs.description,
                    at=at,
                    journey=batch.meta.journey_id,
                    node=batch.meta.node_id,
                )
            else:
                moment = first.with_subject(person.id)
            ctx.store.append_moment(moment)
            events.append(
                event(
                    ctx,
                    batch,
                    "people",
                    "interesting_moment",
                    person.id,
                    type=inputs.type,
                    description=inputs.description,
                )
            )
            return ActionResult.applied(person.id)

        return for_each(batch.people, apply, events=events, publisher=ctx.events)
