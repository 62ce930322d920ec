"""The four Marketo Engage actions, through the `MarketoApi` client (never creating a lead).

People are mapped to their `marketoLeadId`; a person without one is skipped. The client answers
per lead id; results are mapped back to every person holding that lead. List and campaign names
are resolved through the client's lookups, cached for the SQS batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

from journeys.catalog import inputs as i
from journeys.connectors.marketo.api import MarketoApi
from journeys.connectors.marketo.errors import (
    MarketoAuthError,
    MarketoConfigurationError,
    MarketoError,
    MarketoPermissionError,
)
from journeys.connectors.marketo.models import Campaign, StaticList
from journeys.executors.base import ActionBatch, ExecutionContext, Interrupted, PermanentActionError
from journeys.outcomes import ActionResult, Outcome

NO_LEAD = "no Marketo lead"
# The client's skip reasons ("<code> <text>") in this product's words.
_REASONS = {"1015": "not a member", "1004": "Marketo lead not found"}

T = TypeVar("T", StaticList, Campaign)
# Credentials or permissions: every retry would fail the same way until someone fixes them.
_PERMANENT = (MarketoConfigurationError, MarketoAuthError, MarketoPermissionError)


def client(ctx: ExecutionContext) -> MarketoApi:
    if ctx.marketo is None:
        raise PermanentActionError("Action.Configuration", "Marketo Engage is not configured")
    return ctx.marketo


def resolve(items: Sequence[T], ref: str | int, kind: str, workspace: str) -> T | str:
    """By id (an int, or digits matching no name), else by exact name; an error text otherwise."""
    if isinstance(ref, int):
        found = [x for x in items if x.id == ref]
    else:
        found = [x for x in items if x.name == ref]
        if not found and ref.isdigit():
            found = [x for x in items if x.id == int(ref)]
    if len(found) == 1:
        return found[0]
    if not found:
        return f"unknown Marketo {kind} '{ref}' in workspace '{workspace}'"
    return f"ambiguous Marketo {kind} '{ref}' in workspace '{workspace}' ({len(found)} match)"


def _lookup(batch: ActionBatch, key: str, fetch: Callable[[], list[T]]) -> list[T]:
    """A lookup cached for the SQS batch; credential problems fail the task instead of retrying."""
    try:
        found: list[T] = batch.cached(key, fetch)
    except _PERMANENT as exc:
        raise PermanentActionError("Marketo.Configuration", str(exc)) from exc
    return found


def _lists(ctx: ExecutionContext, batch: ActionBatch, workspace: str) -> list[StaticList]:
    return _lookup(batch, f"marketo-lists:{workspace}", lambda: client(ctx).static_lists(workspace))


def _campaigns(ctx: ExecutionContext, batch: ActionBatch, workspace: str) -> list[Campaign]:
    return _lookup(
        batch,
        f"marketo-campaigns:{workspace}",
        lambda: client(ctx).campaigns(workspace, requestable_only=False),
    )


def _normalise(result: ActionResult, subject: str) -> ActionResult:
    reason = result.reason
    if result.outcome is Outcome.SKIPPED and reason:
        reason = _REASONS.get(reason.split(" ", 1)[0], reason)
    return ActionResult(subject=subject, outcome=result.outcome, reason=reason)


def run_on_leads(batch: ActionBatch, call: Callable[[list[int]], list[ActionResult]]) -> list[ActionResult]:
    """Call Marketo for the people's leads; one result per person, in the batch's order."""
    leads = {p.id: p.marketoLeadId for p in batch.people if p.marketoLeadId is not None}
    lead_ids = list(dict.fromkeys(leads.values()))

    def per_person(by_lead: dict[str, ActionResult], only_done: bool) -> list[ActionResult]:
        out: list[ActionResult] = []
        for person in batch.people:
            lead = leads.get(person.id)
            if lead is None:
                out.append(ActionResult.skipped(person.id, NO_LEAD))
            elif str(lead) in by_lead:
                out.append(_normalise(by_lead[str(lead)], person.id))
            elif not only_done:
                out.append(ActionResult.failed(person.id, f"no result returned for Marketo lead {lead}"))
        return out

    if not lead_ids:
        return per_person({}, only_done=False)
    try:
        results = call(lead_ids)
    except _PERMANENT as exc:
        raise PermanentActionError("Marketo.Configuration", str(exc)) from exc
    except MarketoError as exc:
        # Unavailable, quota exhausted, unreadable answer: record what completed, retry the rest.
        done = per_person({r.subject: r for r in exc.completed}, only_done=True)
        raise Interrupted(done, exc) from exc
    return per_person({r.subject: r for r in results}, only_done=False)


def _all_with_leads(batch: ActionBatch, error: str) -> list[ActionResult]:
    return [
        ActionResult.failed(p.id, error)
        if p.marketoLeadId is not None
        else ActionResult.skipped(p.id, NO_LEAD)
        for p in batch.people
    ]


class _MarketoListChange:
    """Add the people's leads to, or remove them from, a static list, 300 ids a call."""

    action_id: ClassVar[str]
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 300  # Marketo takes 300 ids a call
    bulk: ClassVar[bool] = True  # the pipeline may run several messages' cohorts in one call
    adds: ClassVar[bool]

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.MarketoListTarget)
        api = client(ctx)
        target = resolve(_lists(ctx, batch, inputs.workspace), inputs.list, "list", inputs.workspace)
        if isinstance(target, str):
            return _all_with_leads(batch, target)
        change = api.add_to_list if self.adds else api.remove_from_list
        return run_on_leads(batch, lambda ids: change(target.id, ids))


class MarketoAddToList(_MarketoListChange):
    action_id: ClassVar[str] = "marketo_add_to_list"
    adds: ClassVar[bool] = True


class MarketoRemoveFromList(_MarketoListChange):
    action_id: ClassVar[str] = "marketo_remove_from_list"
    adds: ClassVar[bool] = False


class MarketoRequestCampaign:
    action_id: ClassVar[str] = "marketo_request_campaign"
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 100  # Marketo takes 100 leads a call
    bulk: ClassVar[bool] = True

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.MarketoRequestCampaign)
        api = client(ctx)
        target = resolve(
            _campaigns(ctx, batch, inputs.workspace), inputs.campaign, "campaign", inputs.workspace
        )
        if isinstance(target, str):
            return _all_with_leads(batch, target)
        if not target.requestable:
            return _all_with_leads(batch, f"Marketo campaign '{target.name}' is not requestable")
        tokens = dict(inputs.tokens) or None
        return run_on_leads(batch, lambda ids: api.request_campaign(target.id, ids, tokens))


class MarketoChangePartition:
    action_id: ClassVar[str] = "marketo_change_partition"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 300
    bulk: ClassVar[bool] = True

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.MarketoChangePartition)
        api = client(ctx)
        return run_on_leads(batch, lambda ids: api.change_partition(ids, inputs.partition))
