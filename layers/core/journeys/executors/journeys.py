"""Add the account to another journey, or remove it from one."""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar

from pydantic import ValidationError

from journeys.catalog import inputs as i
from journeys.definition.model import Reentry
from journeys.executors.base import ActionBatch, ExecutionContext, Interrupted, by_id_or_name
from journeys.messages import ExecutionInput
from journeys.model.journey_record import JourneyStatus
from journeys.orchestration.entries import eligibility
from journeys.outcomes import ActionResult
from journeys.store.records import Entry, JourneyRecord
from journeys.timestamps import iso

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def derived_entry_id(target_journey: str, source_entry: str, source_node: str) -> str:
    """The entry id a node starts: the same node of the same entry always names the same entry, so a
    redelivered message finds the entry it started (and StartExecution with that name is a no-op).
    At most 80 characters of [A-Za-z0-9_-]: a valid Step Functions execution name."""
    digest = hashlib.sha256(f"{source_entry}\n{source_node}\n{target_journey}".encode()).hexdigest()[:32]
    return f"{_NAME_UNSAFE.sub('-', target_journey)[:40]}-{digest}"


def journey_of(ctx: ExecutionContext, batch: ActionBatch, ref: str) -> JourneyRecord | None:
    found = ctx.store.get_journey(ref)
    if found is not None:
        return found
    journeys = batch.cached("journeys", ctx.store.list_journeys)
    named: JourneyRecord | None = by_id_or_name(journeys, ref, lambda j: j.id, lambda j: j.name)
    return named


def live_definition(journey: JourneyRecord) -> dict[str, object]:
    """The definition of the live version (re-entry rules are frozen with it), else the draft."""
    for version in journey.versions:
        if version.version == journey.liveVersion:
            return version.definition
    return journey.definition


class AddAccountToJourney:
    action_id: ClassVar[str] = "add_account_to_journey"
    idempotent: ClassVar[bool] = True  # the derived entry id makes a repeat find its own entry
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.AccountJourneyTarget)
        account = batch.account.id
        journey = journey_of(ctx, batch, inputs.journey)
        if journey is None:
            return [ActionResult.failed(account, f"unknown journey '{inputs.journey}'")]
        try:
            return [self._add(ctx, batch, journey)]
        except Exception as exc:
            raise Interrupted([], exc) from exc

    def _add(self, ctx: ExecutionContext, batch: ActionBatch, journey: JourneyRecord) -> ActionResult:
        account = batch.account.id
        entry_id = derived_entry_id(journey.id, batch.meta.entry_id, batch.meta.node_id)
        mine = ctx.store.get_entry(entry_id)
        if mine is not None:
            # A previous attempt created it; starting again is idempotent (same execution name).
            self._start(ctx, journey, mine)
            return ActionResult.applied(account)
        if journey.status is not JourneyStatus.LIVE:
            return ActionResult.skipped(account, f"target journey is {journey.status.value}")
        if journey.liveVersion is None:
            return ActionResult.failed(account, f"journey '{journey.id}' has no published version")
        try:
            reentry = Reentry.model_validate(live_definition(journey).get("reentry") or {})
        except ValidationError as exc:
            return ActionResult.failed(account, f"journey '{journey.id}' has invalid re-entry rules: {exc}")
        # The same rules as the audience's entries (the entry function): one place decides.
        blocked = eligibility(reentry, ctx.store.entries_of(journey.id, account), ctx.clock.now())
        if blocked:
            return ActionResult.skipped(account, blocked)
        entry = Entry(
            entryId=entry_id,
            journeyId=journey.id,
            journeyVersion=journey.liveVersion,
            accountId=account,
            startedAt=iso(ctx.clock.now()),
        )
        ctx.store.put_entry(entry)
        self._start(ctx, journey, entry)
        return ActionResult.applied(account)

    @staticmethod
    def _start(ctx: ExecutionContext, journey: JourneyRecord, entry: Entry) -> None:
        payload = ExecutionInput(
            journeyId=journey.id, journeyVersion=entry.journeyVersion, accountId=entry.accountId
        )
        # Named by the entry id: starting again (a redelivered message) is the same execution.
        arn = ctx.journeys.start_entry(journey.id, entry.journeyVersion, entry.entryId, payload.model_dump())
        if arn and arn != entry.executionArn:
            ctx.store.update_entry(entry.entryId, executionArn=arn)


class RemoveAccountFromJourney:
    action_id: ClassVar[str] = "remove_account_from_journey"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.AccountJourneyTarget)
        account = batch.account.id
        journey = journey_of(ctx, batch, inputs.journey)
        if journey is None:
            return [ActionResult.failed(account, f"unknown journey '{inputs.journey}'")]
        try:
            active = ctx.store.active_entry(journey.id, account)
            if active is None:
                return [ActionResult.skipped(account, "not in the journey")]
            if active.entryId == batch.meta.entry_id:
                return [ActionResult.skipped(account, "cannot remove the account from its own entry")]
            cause = f"removed by journey {batch.meta.journey_id}, node {batch.meta.node_id}"
            if active.executionArn:  # an entry recorded but never started has nothing running
                ctx.journeys.stop_entry(active.executionArn, cause)
            ctx.store.update_entry(active.entryId, status="removed", endedAt=iso(ctx.clock.now()))
        except Exception as exc:
            raise Interrupted([], exc) from exc
        return [ActionResult.applied(account)]
