"""Account lists: add and remove the account (only live static lists are targets)."""

from __future__ import annotations

from typing import ClassVar

from journeys.catalog import inputs as i
from journeys.executors.base import ActionBatch, ExecutionContext, by_id_or_name, for_each
from journeys.model.lists import AccountList
from journeys.outcomes import ActionResult
from journeys.store.repository import NotFound


def account_list(ctx: ExecutionContext, batch: ActionBatch, ref: str) -> AccountList | None:
    # Without members: resolving the reference must not read a list of millions.
    found: AccountList | None = batch.cached(
        f"account-list:{ref}", lambda: ctx.store.get_account_list(ref, members=False)
    )
    if found is not None:
        return found
    lists = batch.cached("account-lists", lambda: ctx.store.list_account_lists(members=False))
    named: AccountList | None = by_id_or_name(lists, ref, lambda x: x.id, lambda x: x.name)
    return named


def _target(ctx: ExecutionContext, batch: ActionBatch, ref: str) -> AccountList | ActionResult:
    account = batch.account.id
    found = account_list(ctx, batch, ref)
    if found is None:
        return ActionResult.failed(account, f"unknown account list '{ref}'")
    if not found.actionable:
        return ActionResult.skipped(account, "list is not a live static list")
    return found


class _AccountListChange:
    """Add the account to, or remove it from, a live static list; a no-op change is skipped."""

    action_id: ClassVar[str]
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 1
    adds: ClassVar[bool]

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.AccountListTarget)
        target = _target(ctx, batch, inputs.list)
        if isinstance(target, ActionResult):
            return [target]
        change = ctx.store.add_to_account_list if self.adds else ctx.store.remove_from_account_list
        unchanged = "already a member" if self.adds else "not a member"

        def apply(account: str) -> ActionResult:
            try:
                changed = change(target.id, account)
            except NotFound:
                return ActionResult.failed(account, f"unknown account list '{inputs.list}'")
            return ActionResult.applied(account) if changed else ActionResult.skipped(account, unchanged)

        return for_each([batch.account.id], apply)


class AddToAccountList(_AccountListChange):
    action_id: ClassVar[str] = "add_to_account_list"
    adds: ClassVar[bool] = True


class RemoveFromAccountList(_AccountListChange):
    action_id: ClassVar[str] = "remove_from_account_list"
    adds: ClassVar[bool] = False
