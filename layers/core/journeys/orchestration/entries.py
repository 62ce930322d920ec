"""Who enters a journey, when: the audience, re-entry rules, idempotent entry ids."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from journeys.conditions import evaluate
from journeys.definition.model import AccountListAudience, Journey, Reentry
from journeys.messages import ExecutionInput
from journeys.model.journey_record import JourneyStatus
from journeys.ports import ExecutionStarter
from journeys.store.records import Entry
from journeys.store.repository import Store

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def entry_id(journey_id: str, version: int, account_id: str, sequence: int) -> str:
    """Execution name: <= 80 chars of [A-Za-z0-9-_], readable, unique per (journey, account, n-th entry)."""
    digest = hashlib.sha256(f"{journey_id}\x00{account_id}".encode()).hexdigest()[:10]
    readable = _UNSAFE.sub("-", account_id)[:30]
    return f"{_UNSAFE.sub('-', journey_id)[:28]}-v{version}-{readable}-{digest}-{sequence}"


def audience_accounts(journey: Journey, store: Store) -> list[str]:
    """Accounts of the journey's audience; accounts without a name are excluded (as in the product)."""
    audience = journey.audience
    if isinstance(audience, AccountListAudience):
        lst = store.get_account_list(audience.accountList)
        if lst is None or lst.status != "live":
            return []
        accounts = [a for a in (store.get_account(m) for m in lst.members) if a is not None]
        return [a.id for a in accounts if a.name.strip()]
    return [
        a.id for a in store.iter_accounts() if a.name.strip() and evaluate(audience.segment, a.attributes())
    ]


def eligibility(rules: Reentry, previous: list[Entry], now: datetime) -> str | None:
    """None when the account may enter now under the journey's re-entry rules; else why not."""
    if not previous:
        return None
    if any(e.status == "running" for e in previous):
        return "already in the journey"
    if not rules.enabled:
        return "re-entry is disabled"
    if rules.limit is not None and len(previous) >= rules.limit:
        return f"entry limit of {rules.limit} reached"
    last = max(previous, key=lambda e: e.startedAt)
    since = last.startedAt if rules.from_ == "start" else (last.endedAt or last.startedAt)
    ready = datetime.fromisoformat(since) + timedelta(seconds=rules.wait_seconds)
    if now < ready:
        return f"re-entry wait until {ready.isoformat()}"
    return None


class EnterResult(BaseModel):
    started: list[str] = Field(default_factory=list)  # entry ids
    skipped: dict[str, str] = Field(default_factory=dict)  # account id -> reason


def enter_accounts(
    journey: Journey,
    version: int,
    *,
    status: JourneyStatus,
    account_ids: Iterable[str],
    store: Store,
    starter: ExecutionStarter,
    now: datetime,
) -> EnterResult:
    """Start one entry per eligible account. Safe to repeat: a started entry is not started twice."""
    result = EnterResult()
    if status is not JourneyStatus.LIVE:
        for account_id in account_ids:
            result.skipped[account_id] = f"the journey is {status.value}; it takes no new entries"
        return result
    for account_id in account_ids:
        if store.get_account(account_id) is None:
            result.skipped[account_id] = "unknown account"
            continue
        previous = store.entries_of(journey.id, account_id)
        reason = eligibility(journey.reentry, previous, now)
        if reason:
            result.skipped[account_id] = reason
            continue
        ident = entry_id(journey.id, version, account_id, len(previous) + 1)
        entry = Entry(entryId=ident, journeyId=journey.id, journeyVersion=version, accountId=account_id,
                      startedAt=now.isoformat())  # fmt: skip
        # Record first: a crash before StartExecution leaves a running entry the next refresh re-starts
        # under the same name, which Step Functions treats as the same execution.
        store.put_entry(entry)
        payload = ExecutionInput(journeyId=journey.id, journeyVersion=version, accountId=account_id)
        arn = starter.start_entry(journey.id, version, ident, payload.model_dump())
        store.update_entry(ident, executionArn=arn)
        result.started.append(ident)
    return result


def restart_unstarted(store: Store, journey_id: str, version: int, starter: ExecutionStarter) -> list[str]:
    """Entries recorded but never started (a crash between the two writes): start them now."""
    out = []
    for entry in store.entries_of(journey_id):
        if entry.status == "running" and entry.executionArn is None and entry.journeyVersion == version:
            payload = ExecutionInput(journeyId=journey_id, journeyVersion=version, accountId=entry.accountId)
            arn = starter.start_entry(journey_id, version, entry.entryId, payload.model_dump())
            store.update_entry(entry.entryId, executionArn=arn)
            out.append(entry.entryId)
    return out
