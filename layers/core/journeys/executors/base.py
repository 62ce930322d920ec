"""What every executor receives (context and batch), returns, and raises."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel, Field

from journeys.catalog.events import JourneyEvent, new_event
from journeys.connectors.marketo.api import MarketoApi
from journeys.executors.ports import (
    Clock,
    EmailSender,
    EventPublisher,
    JourneyStarter,
    SmsSender,
)
from journeys.model.dataset import AttributeSchema, DataSet
from journeys.model.lists import Destination
from journeys.model.profiles import Account, Person
from journeys.outcomes import ActionResult
from journeys.store.repository import Store

I = TypeVar("I", bound=BaseModel)  # noqa: E741 - the conventional name of an inputs type
T = TypeVar("T")

COUNTS_MARKER = "#node-counts#"  # ledger subject that guards the per-node counts of one message


class ReferenceData(BaseModel):
    """Configuration the store does not hold: updatable attributes, score names, destinations."""

    attributes: AttributeSchema = Field(default_factory=AttributeSchema)
    scores: list[str] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)

    @classmethod
    def from_dataset(cls, dataset: DataSet) -> ReferenceData:
        return cls(attributes=dataset.attributes, scores=dataset.scores, destinations=dataset.destinations)

    def destination(self, ref: str) -> Destination | None:
        return next((d for d in self.destinations if d.id == ref), None) or _unique(
            [d for d in self.destinations if d.name == ref]
        )


def _unique(found: list[T]) -> T | None:
    return found[0] if len(found) == 1 else None


@dataclass
class ExecutionContext:
    """The ports an executor may use. Built once per process (cold start) and shared by batches."""

    store: Store
    clock: Clock
    email: EmailSender
    sms: SmsSender
    events: EventPublisher
    journeys: JourneyStarter
    reference: ReferenceData = field(default_factory=ReferenceData)
    marketo: MarketoApi | None = None
    email_from: str | None = None  # default sender when an authored email names none


class MessageMeta(NamedTuple):
    """Where a batch comes from: one node of one entry (a named tuple: one is made per message)."""

    journey_id: str
    journey_version: int
    entry_id: str
    node_id: str
    account_id: str


@dataclass
class ActionBatch:
    """One cohort (or one account) to apply one action to.

    `people` is the chunk of the cohort to act on (empty for account actions); `shared` is a cache
    shared by every batch of the same SQS batch and action inputs (Marketo lookups, journey names).
    """

    action_id: str
    inputs: BaseModel
    account: Account
    people: list[Person]
    meta: MessageMeta
    shared: dict[str, Any] = field(default_factory=dict)

    def inputs_as(self, model: type[I]) -> I:
        if not isinstance(self.inputs, model):
            raise TypeError(
                f"{self.action_id}: inputs are {type(self.inputs).__name__}, not {model.__name__}"
            )
        return self.inputs

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.shared:
            self.shared[key] = make()
        return self.shared[key]


class PermanentActionError(Exception):
    """The message cannot succeed as sent (bad inputs, unknown account, missing configuration):
    the task is failed (SendTaskFailure) instead of being retried."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class Interrupted(Exception):
    """A transient error stopped an executor part-way: `completed` holds the outcomes of the work
    that did happen (they are recorded), the rest is retried with the redelivered message."""

    def __init__(self, completed: list[ActionResult], cause: BaseException) -> None:
        super().__init__(f"interrupted after {len(completed)} outcomes: {cause!r}")
        self.completed = completed
        self.cause = cause


class Executor(Protocol):
    """Applies one action in bulk; one result per person (people actions) or for the account."""

    action_id: ClassVar[str]
    # Whether running it again for the same subject changes nothing more (set semantics): the
    # pipeline warns when it must re-run a non-idempotent one whose outcome was never recorded.
    idempotent: ClassVar[bool]
    chunk_size: ClassVar[int]  # subjects claimed, executed and recorded together
    # Optional `bulk: ClassVar[bool] = True`: chunks may mix the people of several messages with the
    # same inputs (Marketo: fewer calls against a shared quota); results are recorded per message.

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]: ...


def for_each(
    subjects: Iterable[Any],
    apply: Callable[[Any], ActionResult],
    *,
    events: list[JourneyEvent] | None = None,
    publisher: EventPublisher | None = None,
) -> list[ActionResult]:
    """Apply one subject at a time; a transient error raises `Interrupted` with what completed.

    Events gathered in `events` while applying are published at the end (or up to the failure),
    so a listen node wakes for every change that did happen.
    """
    done: list[ActionResult] = []
    try:
        for subject in subjects:
            done.append(apply(subject))
    except Exception as exc:
        _publish_quietly(publisher, events)
        raise Interrupted(done, exc) from exc
    if publisher is not None and events:
        try:
            publisher.publish(events)
        except Exception as exc:
            # The changes are made and must be recorded as such (never repeated); the message
            # is still retried so the failure is visible, but those events are lost.
            raise Interrupted(done, exc) from exc
    return done


def _publish_quietly(publisher: EventPublisher | None, events: list[JourneyEvent] | None) -> None:
    if publisher is None or not events:
        return
    # The original error is the one to report; the events of the completed work still go out.
    with contextlib.suppress(Exception):
        publisher.publish(events)


def event(
    ctx: ExecutionContext, batch: ActionBatch, on: str, type_: str, person_id: str | None, **data: Any
) -> JourneyEvent:
    """A `JourneyEvent` for a change made by this batch (journey and node included for filters)."""
    # `data` is this call's own keyword dict: completed in place (as `{**data, ...}` would be)
    # and copied once into the event (one or more per person-action).
    meta = batch.meta
    data["journey"] = meta.journey_id
    data["node"] = meta.node_id
    return new_event(on, type_, batch.account.id, person_id, occurred_at=ctx.clock.now(), data=data)


def by_id_or_name(
    items: Sequence[T], ref: str, ident: Callable[[T], str], name: Callable[[T], str]
) -> T | None:
    """Resolve a reference by id first, then by a unique name (DESIGN section 3)."""
    for item in items:
        if ident(item) == ref:
            return item
    return _unique([item for item in items if name(item) == ref])
