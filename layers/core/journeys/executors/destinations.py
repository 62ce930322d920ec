"""Activate to destination: the account's people join the destination's audience (sent later)."""

from __future__ import annotations

import re
from typing import ClassVar

from journeys.catalog import inputs as i
from journeys.executors.base import ActionBatch, ExecutionContext, Interrupted
from journeys.model.lists import DUMMY_AUDIENCE_RECORD, Destination, ExternalAudience
from journeys.outcomes import ActionResult

_SLUG = re.compile(r"[^a-z0-9]+")


def activation_audience_id(destination: Destination, audience_name: str) -> str:
    return f"{destination.id}-{_SLUG.sub('-', audience_name.lower()).strip('-') or 'audience'}"


class ActivateToDestination:
    action_id: ClassVar[str] = "activate_to_destination"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.ActivateToDestination)
        account = batch.account.id
        destination = ctx.reference.destination(inputs.destination)
        if destination is None:
            return [ActionResult.failed(account, f"unknown destination '{inputs.destination}'")]
        name = inputs.audienceName or destination.name
        try:
            audience: ExternalAudience = batch.cached(
                f"activation-audience:{destination.id}:{name}", lambda: self._audience(ctx, destination, name)
            )
            people = [p.id for p in ctx.store.people_of_account(account)]
            if not people:
                return [ActionResult.skipped(account, "account has no people")]
            added = ctx.store.add_audience_members(audience.id, people)
        except Exception as exc:
            raise Interrupted([], exc) from exc
        if not added:
            return [ActionResult.skipped(account, "already activated")]
        return [ActionResult.applied(account)]

    @staticmethod
    def _audience(ctx: ExecutionContext, destination: Destination, name: str) -> ExternalAudience:
        """The destination's audience of that name; a new one starts with the dummy record."""
        for audience in ctx.store.list_audiences():
            if audience.destination == destination.id and audience.name == name:
                return audience
        created = ExternalAudience(
            id=activation_audience_id(destination, name),
            name=name,
            destination=destination.id,
            members=[DUMMY_AUDIENCE_RECORD],
        )
        if ctx.store.get_audience(created.id) is None:
            ctx.store.put_audience(created)
        return created
