"""Data values (account and person attributes) and scores."""

from __future__ import annotations

from typing import ClassVar

from journeys.catalog import inputs as i
from journeys.catalog.events import JourneyEvent
from journeys.executors.base import ActionBatch, ExecutionContext, event, for_each
from journeys.model.common import AttributeType, Scalar, matches_type
from journeys.model.profiles import Person
from journeys.outcomes import ActionResult
from journeys.store.repository import NotFound


def checked_value(schema: dict[str, AttributeType], attribute: str, value: Scalar) -> Scalar:
    """The value to store, or ValueError naming why it cannot be (not updatable, wrong type)."""
    kind = schema.get(attribute)
    if kind is None:
        raise ValueError(f"'{attribute}' is not an updatable attribute")
    if not matches_type(value, kind):
        raise ValueError(f"'{attribute}' takes a {kind} value, got {value!r}")
    if kind == "integer" and isinstance(value, float):
        return int(value)  # 3.0 from a JSON document is the integer 3
    return value


class ChangeAccountDataValue:
    action_id: ClassVar[str] = "change_account_data_value"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.ChangeAccountDataValue)
        account_id = batch.account.id
        events: list[JourneyEvent] = []

        def apply(_: str) -> ActionResult:
            try:
                value = checked_value(ctx.reference.attributes.account, inputs.attribute, inputs.value)
                previous = ctx.store.set_account_attribute(account_id, inputs.attribute, value)
            except NotFound:
                return ActionResult.skipped(account_id, "account not found")
            except ValueError as exc:
                return ActionResult.failed(account_id, str(exc))
            if previous != value:
                events.append(
                    event(
                        ctx,
                        batch,
                        "accounts",
                        "data_value_changed",
                        None,
                        attribute=inputs.attribute,
                        newValue=value,
                        previousValue=previous,
                    )
                )
            return ActionResult.applied(account_id)

        return for_each([account_id], apply, events=events, publisher=ctx.events)


class ChangeDataValue:
    action_id: ClassVar[str] = "change_data_value"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 100

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.ChangeDataValue)
        events: list[JourneyEvent] = []
        try:
            value = checked_value(ctx.reference.attributes.person, inputs.attribute, inputs.value)
        except ValueError as exc:
            return [ActionResult.failed(p.id, str(exc)) for p in batch.people]

        def apply(person: Person) -> ActionResult:
            try:
                previous = ctx.store.set_person_attribute(person.id, inputs.attribute, value)
            except NotFound:
                return ActionResult.skipped(person.id, "person not found")
            except ValueError as exc:  # the model's own constraints (e.g. an email field)
                return ActionResult.failed(person.id, str(exc))
            if previous != value:
                events.append(
                    event(
                        ctx,
                        batch,
                        "people",
                        "data_value_changed",
                        person.id,
                        attribute=inputs.attribute,
                        newValue=value,
                        previousValue=previous,
                    )
                )
            return ActionResult.applied(person.id)

        return for_each(batch.people, apply, events=events, publisher=ctx.events)


class ChangeScore:
    action_id: ClassVar[str] = "change_score"
    # `+N` and `-N` are not idempotent: small chunks bound what a killed process leaves in doubt.
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 25

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.ChangeScore)
        events: list[JourneyEvent] = []
        if ctx.reference.scores and inputs.score not in ctx.reference.scores:
            return [ActionResult.failed(p.id, f"unknown score '{inputs.score}'") for p in batch.people]

        def apply(person: Person) -> ActionResult:
            try:
                before, after = ctx.store.change_score(person.id, inputs.score, inputs.change)
            except NotFound:
                return ActionResult.skipped(person.id, "person not found")
            events.append(
                event(
                    ctx,
                    batch,
                    "people",
                    "score_changed",
                    person.id,
                    score=inputs.score,
                    change=inputs.change,
                    previousValue=before,
                    newValue=after,
                )
            )
            return ActionResult.applied(person.id)

        return for_each(batch.people, apply, events=events, publisher=ctx.events)
