"""Handlers of the orchestration functions: entry (schedule), listener, cohort, tracker.

Each parses its event with pydantic, calls the orchestration package and maps the result.
Clients and the store are built on first use (cached), never at import time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from journeys.catalog.events import JourneyEvent
from journeys.compiler import compile_journey
from journeys.definition.model import Journey, ListenNode
from journeys.handlers.stepfunctions import StepFunctionsExecutionStarter, StepFunctionsTaskResponder
from journeys.messages import CohortSplitRequest, ListenRegistration
from journeys.model.journey_record import JourneyStatus
from journeys.orchestration import cohorts, entries, listeners, tracker
from journeys.orchestration.paths import entry_path, node_of_state
from journeys.ports import ExecutionStarter, TaskResponder
from journeys.settings import get_settings
from journeys.store.dynamodb import DynamoStore
from journeys.store.records import JourneyRecord
from journeys.store.repository import Store

logger = logging.getLogger(__name__)

SES_EVENTS = {"Email Opened": "email_opened", "Email Clicked": "email_clicked"}


@cache
def aws_store() -> Store:
    return DynamoStore(get_settings().table_name)


@cache
def aws_tasks() -> TaskResponder:
    return StepFunctionsTaskResponder(None)


@cache
def aws_starter() -> ExecutionStarter:
    return StepFunctionsExecutionStarter(aws_store())


def live_journey(record: JourneyRecord) -> Journey | None:
    """The definition of the live version, parsed (a stored version was validated at publish)."""
    return journey_version(record, record.liveVersion)


def journey_version(record: JourneyRecord, number: int | None) -> Journey | None:
    """The definition of one published version, parsed."""
    version = next((v for v in record.versions if v.version == number), None)
    if version is None:
        return None
    try:
        return Journey.model_validate(version.definition)
    except ValidationError:
        logger.exception("stored version does not parse", extra={"journey": record.id})
        return None


# -- entry function (schedule) ----------------------------------------------------------------------


class RefreshResult(BaseModel):
    started: dict[str, int] = {}
    restarted: dict[str, int] = {}
    finished: list[str] = []


def refresh(store: Store, starter: ExecutionStarter, now: datetime) -> RefreshResult:
    """Every live journey: enter the audience's eligible accounts; closed journeys with nobody left finish."""
    result = RefreshResult()
    for record in store.list_journeys():
        if record.status is JourneyStatus.CLOSED and tracker.finish_if_done(store, record.id):
            result.finished.append(record.id)
        if record.status is not JourneyStatus.LIVE or record.liveVersion is None:
            continue
        journey = live_journey(record)
        if journey is None:
            continue
        restarted = entries.restart_unstarted(store, record.id, record.liveVersion, starter)
        accounts = entries.audience_accounts(journey, store)
        entered = entries.enter_accounts(journey, record.liveVersion, status=record.status, account_ids=accounts,
                                         store=store, starter=starter, now=now)  # fmt: skip
        result.started[record.id] = len(entered.started)
        result.restarted[record.id] = len(restarted)
    return result


def entry_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return refresh(aws_store(), aws_starter(), datetime.now(UTC)).model_dump()


# -- cohort function --------------------------------------------------------------------------------


def cohort_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = CohortSplitRequest.model_validate(event)
    return cohorts.split_cohort(request, aws_store()).model_dump()


# -- listener function ------------------------------------------------------------------------------


class _BusEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    source: str = ""
    detail_type: str = ""
    time: datetime | None = None
    detail: dict[str, Any] = {}

    @classmethod
    def parse(cls, event: dict[str, Any]) -> _BusEvent:
        return cls.model_validate({**event, "detail_type": event.get("detail-type", "")})


def ses_event(bus: _BusEvent) -> JourneyEvent | None:
    """An SES open/click of an email our journeys sent (tagged with account, person and node)."""
    kind = SES_EVENTS.get(bus.detail_type)
    tags = bus.detail.get("mail", {}).get("tags", {})

    def tag(name: str) -> str | None:
        values = tags.get(name)
        return values[0] if isinstance(values, list) and values else None

    account, person = tag("account"), tag("person")
    if kind is None or account is None or person is None:
        return None
    link = bus.detail.get("click", {}).get("link")
    return JourneyEvent(on="people", type=kind, accountId=account, personId=person,
                        occurredAt=bus.time or datetime.now(UTC),
                        data={"node": tag("node"), "journey": tag("journey"), "link": link})  # fmt: skip


def listener(event: dict[str, Any], store: Store, tasks: TaskResponder, now: datetime) -> dict[str, Any]:
    """A registration from a state machine (it carries a task token), or an account/person event."""
    if "taskToken" in event:
        woken = listeners.register(ListenRegistration.model_validate(event), store, tasks, now.isoformat())
        return {"registered": True, "woken": woken}
    bus = _BusEvent.parse(event)
    journey_event = ses_event(bus) if bus.source == "aws.ses" else JourneyEvent.model_validate(bus.detail)
    if journey_event is None:
        return {"woken": 0, "ignored": True}
    return {"woken": listeners.on_event(journey_event, store, tasks)}


def listener_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return listener(event, aws_store(), aws_tasks(), datetime.now(UTC))


# -- tracker function -------------------------------------------------------------------------------


_STATE_NODES: dict[tuple[str, int], dict[str, str]] = {}


def _states_to_nodes(journey_id: str, version: int, journey: Journey) -> dict[str, str]:
    """State name -> node id of a published version; versions are immutable, so once per container."""
    key = (journey_id, version)
    if key not in _STATE_NODES:
        _STATE_NODES[key] = node_of_state(compile_journey(journey).node_states)
    return _STATE_NODES[key]


def track(event: dict[str, Any], store: Store, history: Any = None) -> dict[str, Any]:
    """Entry status, listeners of an ended entry forgotten, and (with a history reader) its path."""
    change = tracker.parse_event(event)
    status = tracker.track(change, store)
    if status is None:
        return {"changed": False}
    entry = store.get_entry(change.name)
    record = store.get_journey(entry.journeyId) if entry else None
    # The entry ran on its own version, which a later publish may have replaced as the live one.
    journey = journey_version(record, entry.journeyVersion) if record and entry else None
    if entry is not None and journey is not None:
        for node_id, node in journey.nodes.items():
            if isinstance(node, ListenNode):
                listeners.cancel(store, entry.accountId, entry.entryId, node_id, entry.journeyId)
        if history is not None:
            states = _states_to_nodes(entry.journeyId, entry.journeyVersion, journey)
            path = entry_path(history(change.executionArn), states)
            store.update_entry(entry.entryId, path=[step.model_dump() for step in path])
    return {"changed": True, "status": status}


@cache
def _sfn() -> Any:
    import boto3

    return boto3.client("stepfunctions")


def execution_history(execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in _sfn().get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events.extend(page["events"])
    return events


def tracker_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return track(event, aws_store(), execution_history)
