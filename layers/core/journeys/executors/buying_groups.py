"""Buying groups: assign and remove people, move the stage, set the status.

Every change is a read-modify-write of one group item under optimistic locking: on `Conflict`
the group is re-read and the change recomputed from the fresh state (a bounded number of times).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from journeys.catalog import inputs as i
from journeys.catalog.events import JourneyEvent
from journeys.executors.base import ActionBatch, ExecutionContext, Interrupted, event
from journeys.model.buying_groups import SOURCE_RANK, BuyingGroup, Member, SolutionInterest, completeness
from journeys.outcomes import ActionResult
from journeys.store.repository import Conflict

R = TypeVar("R")
MAX_CONFLICT_RETRIES = 8
JOURNEY_SOURCE = "journey"


def interest_of(ctx: ExecutionContext, batch: ActionBatch, ref: str) -> SolutionInterest | None:
    """The solution interest by id, else by unique name (cached for the batch)."""

    def find() -> SolutionInterest | None:
        found = ctx.store.get_solution_interest(ref)
        if found is not None:
            return found
        named = [s for s in ctx.store.list_solution_interests() if s.name == ref]
        return named[0] if len(named) == 1 else None

    result: SolutionInterest | None = batch.cached(f"interest:{ref}", find)
    return result


def update_group(
    ctx: ExecutionContext,
    account_id: str,
    interest_id: str,
    change: Callable[[BuyingGroup | None], tuple[BuyingGroup | None, R]],
) -> R:
    """Apply `change` (pure: fresh group in, new group or None for no write, plus an outcome)."""
    for _ in range(MAX_CONFLICT_RETRIES):
        found = ctx.store.get_buying_group(account_id, interest_id)
        group, version = found if found is not None else (None, None)
        updated, outcome = change(group)
        if updated is None:
            return outcome
        try:
            ctx.store.save_buying_group(updated, version)
        except Conflict:
            continue  # someone else wrote the group in between: recompute from their version
        return outcome
    raise Conflict(f"buying group {account_id}/{interest_id}: still conflicting after retries")


def members_by_person(members: list[Member]) -> dict[str, list[Member]]:
    """Members indexed by person, in first-seen order (a change rebuilds the list from it)."""
    out: dict[str, list[Member]] = {}
    for member in members:
        out.setdefault(member.person, []).append(member)
    return out


def _completeness_event(
    ctx: ExecutionContext, batch: ActionBatch, interest: SolutionInterest, before: int, after: int
) -> list[JourneyEvent]:
    if before == after:
        return []
    return [
        event(
            ctx,
            batch,
            "accounts",
            "buying_group_completeness_changed",
            None,
            solutionInterest=interest.id,
            completeness=after,
            previousValue=before,
            newValue=after,
        )
    ]


def _publish(ctx: ExecutionContext, results: list[ActionResult], events: list[JourneyEvent]) -> None:
    if not events:
        return
    try:
        ctx.events.publish(events)
    except Exception as exc:
        raise Interrupted(results, exc) from exc


class AssignToBuyingGroup:
    action_id: ClassVar[str] = "assign_to_buying_group"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 100

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.AssignToBuyingGroup)
        interest = interest_of(ctx, batch, inputs.solutionInterest)
        if interest is None:
            error = f"unknown solution interest '{inputs.solutionInterest}'"
            return [ActionResult.failed(p.id, error) for p in batch.people]
        if interest.role(inputs.role) is None:
            error = f"'{inputs.role}' is not a role of '{interest.id}'"
            return [ActionResult.failed(p.id, error) for p in batch.people]
        account = batch.account.id

        def change(
            group: BuyingGroup | None,
        ) -> tuple[BuyingGroup | None, tuple[list[ActionResult], list[str], int, int]]:
            current = group or BuyingGroup(
                account=account,
                solutionInterest=interest.id,
                stage=interest.stages.entry[0] if interest.stages else None,
            )
            by_person = members_by_person(current.members)
            results: list[ActionResult] = []
            assigned: list[str] = []
            for person in batch.people:
                if person.account != account:
                    results.append(ActionResult.skipped(person.id, "person belongs to another account"))
                    continue
                mine = by_person.get(person.id, [])
                if any(m.role == inputs.role for m in mine):
                    results.append(ActionResult.skipped(person.id, "already a member with this role"))
                    continue
                if any(SOURCE_RANK[m.source] > SOURCE_RANK[JOURNEY_SOURCE] for m in mine):
                    results.append(ActionResult.skipped(person.id, "manual assignment kept"))
                    continue
                # A journey assignment replaces a journey or system one (one role per person).
                by_person.pop(person.id, None)
                by_person[person.id] = [Member(person=person.id, role=inputs.role, source=JOURNEY_SOURCE)]
                assigned.append(person.id)
                results.append(ActionResult.applied(person.id))
            members = [m for group_of in by_person.values() for m in group_of]
            before = completeness(interest, current.members)
            after = completeness(interest, members)
            if not assigned and group is not None:
                return None, (results, assigned, before, after)
            return current.model_copy(update={"members": members}), (results, assigned, before, after)

        try:
            results, assigned, before, after = update_group(ctx, account, interest.id, change)
        except Exception as exc:
            raise Interrupted([], exc) from exc
        events = [
            event(
                ctx,
                batch,
                "people",
                "assigned_to_buying_group",
                pid,
                solutionInterest=interest.id,
                role=inputs.role,
            )
            for pid in assigned
        ]
        _publish(ctx, results, events + _completeness_event(ctx, batch, interest, before, after))
        return results


class RemoveFromBuyingGroup:
    action_id: ClassVar[str] = "remove_from_buying_group"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 100

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.RemoveFromBuyingGroup)
        interest = interest_of(ctx, batch, inputs.solutionInterest)
        if interest is None:
            error = f"unknown solution interest '{inputs.solutionInterest}'"
            return [ActionResult.failed(p.id, error) for p in batch.people]
        account = batch.account.id

        def change(
            group: BuyingGroup | None,
        ) -> tuple[BuyingGroup | None, tuple[list[ActionResult], list[str], int, int]]:
            if group is None:
                return None, ([ActionResult.skipped(p.id, "not a member") for p in batch.people], [], 0, 0)
            by_person = members_by_person(group.members)
            results: list[ActionResult] = []
            removed: list[str] = []
            for person in batch.people:
                mine = by_person.get(person.id, [])
                if not mine:
                    results.append(ActionResult.skipped(person.id, "not a member"))
                elif any(SOURCE_RANK[m.source] > SOURCE_RANK[JOURNEY_SOURCE] for m in mine):
                    # Membership precedence: a journey cannot undo what a person did by hand.
                    results.append(ActionResult.skipped(person.id, "manual assignment kept"))
                else:
                    del by_person[person.id]
                    removed.append(person.id)
                    results.append(ActionResult.applied(person.id))
            members = [m for group_of in by_person.values() for m in group_of]
            before = completeness(interest, group.members)
            after = completeness(interest, members)
            updated = group.model_copy(update={"members": members}) if removed else None
            return updated, (results, removed, before, after)

        try:
            results, removed, before, after = update_group(ctx, account, interest.id, change)
        except Exception as exc:
            raise Interrupted([], exc) from exc
        events = [
            event(ctx, batch, "people", "removed_from_buying_group", pid, solutionInterest=interest.id)
            for pid in removed
        ]
        _publish(ctx, results, events + _completeness_event(ctx, batch, interest, before, after))
        return results


GroupChange = Callable[[BuyingGroup | None], tuple[BuyingGroup | None, tuple[ActionResult, str | None]]]


def _change_account_group(
    ctx: ExecutionContext,
    batch: ActionBatch,
    interest_id: str,
    change: GroupChange,
    *,
    event_type: str,
    field: str,
    value: str,
) -> list[ActionResult]:
    """Apply a one-field change to the account's group; an applied change is published as
    `event_type` with `new<field>` and `previous<field>`."""
    try:
        result, previous = update_group(ctx, batch.account.id, interest_id, change)
    except Exception as exc:
        raise Interrupted([], exc) from exc
    if result.outcome == "applied":
        data = {"solutionInterest": interest_id, f"new{field}": value, f"previous{field}": previous}
        _publish(ctx, [result], [event(ctx, batch, "accounts", event_type, None, **data)])
    return [result]


class UpdateBuyingGroupStage:
    action_id: ClassVar[str] = "update_buying_group_stage"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.UpdateBuyingGroupStage)
        account = batch.account.id
        interest = interest_of(ctx, batch, inputs.solutionInterest)
        if interest is None:
            return [ActionResult.failed(account, f"unknown solution interest '{inputs.solutionInterest}'")]
        model = interest.stages
        if model is None:
            return [ActionResult.skipped(account, "solution interest has no stage model")]
        if inputs.stage not in model.stages():
            return [ActionResult.failed(account, f"'{inputs.stage}' is not a stage of '{interest.id}'")]

        def change(group: BuyingGroup | None) -> tuple[BuyingGroup | None, tuple[ActionResult, str | None]]:
            if group is None:
                return None, (ActionResult.skipped(account, "no buying group"), None)
            if group.stage == inputs.stage:
                return None, (ActionResult.skipped(account, "already in this stage"), None)
            if not model.allows(group.stage, inputs.stage):
                reason = f"transition not allowed: {group.stage or '(none)'} -> {inputs.stage}"
                return None, (ActionResult.skipped(account, reason), None)
            return group.model_copy(update={"stage": inputs.stage}), (
                ActionResult.applied(account),
                group.stage,
            )

        return _change_account_group(
            ctx,
            batch,
            interest.id,
            change,
            event_type="buying_group_stage_changed",
            field="Stage",
            value=inputs.stage,
        )


class UpdateBuyingGroupStatus:
    action_id: ClassVar[str] = "update_buying_group_status"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.UpdateBuyingGroupStatus)
        account = batch.account.id
        interest = interest_of(ctx, batch, inputs.solutionInterest)
        if interest is None:
            return [ActionResult.failed(account, f"unknown solution interest '{inputs.solutionInterest}'")]

        def change(group: BuyingGroup | None) -> tuple[BuyingGroup | None, tuple[ActionResult, str | None]]:
            if group is None:
                return None, (ActionResult.skipped(account, "no buying group"), None)
            if group.status == inputs.status:
                return None, (ActionResult.skipped(account, "already has this status"), None)
            updated = group.model_copy(update={"status": inputs.status})
            return updated, (ActionResult.applied(account), group.status)

        return _change_account_group(
            ctx,
            batch,
            interest.id,
            change,
            event_type="buying_group_status_changed",
            field="Status",
            value=inputs.status,
        )
