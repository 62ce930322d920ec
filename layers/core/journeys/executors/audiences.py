"""External audiences: add people; activation to the destination happens later (scheduled sync)."""

from __future__ import annotations

from typing import ClassVar

from journeys.catalog import inputs as i
from journeys.executors.base import ActionBatch, ExecutionContext, Interrupted, by_id_or_name
from journeys.model.lists import ExternalAudience
from journeys.outcomes import ActionResult
from journeys.store.repository import NotFound


def audience_of(ctx: ExecutionContext, batch: ActionBatch, ref: str) -> ExternalAudience | None:
    # Without members: resolving the reference must not read an audience of millions.
    found: ExternalAudience | None = batch.cached(
        f"audience:{ref}", lambda: ctx.store.get_audience(ref, members=False)
    )
    if found is not None:
        return found
    audiences = batch.cached("audiences", lambda: ctx.store.list_audiences(members=False))
    named: ExternalAudience | None = by_id_or_name(audiences, ref, lambda a: a.id, lambda a: a.name)
    return named


class AddToExternalAudience:
    action_id: ClassVar[str] = "add_to_external_audience"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 100

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.AddToExternalAudience)
        audience = audience_of(ctx, batch, inputs.audience)
        if audience is None:
            error = f"unknown audience '{inputs.audience}'"
            return [ActionResult.failed(p.id, error) for p in batch.people]
        ids = [p.id for p in batch.people]
        try:
            # One call for the chunk: the store replaces the dummy record with the first real
            # profile and queues the new members for activation.
            added = set(ctx.store.add_audience_members(audience.id, ids))
        except NotFound:
            return [ActionResult.failed(pid, f"unknown audience '{inputs.audience}'") for pid in ids]
        except Exception as exc:
            raise Interrupted([], exc) from exc
        return [
            ActionResult.applied(pid) if pid in added else ActionResult.skipped(pid, "already a member")
            for pid in ids
        ]
