"""Small record builders shared by the contract tests."""

from __future__ import annotations

from typing import Any

from journeys.catalog.events import JourneyEvent
from journeys.model.buying_groups import BuyingGroup, Member
from journeys.model.profiles import Account, Person
from journeys.store.records import Entry, JourneyRecord, ListenerRecord


def account(account_id: str = "acme", **attrs: Any) -> Account:
    return Account.model_validate({"id": account_id, "name": account_id.title(), **attrs})


def person(person_id: str, account_id: str = "acme", **attrs: Any) -> Person:
    return Person.model_validate({"id": person_id, "account": account_id, **attrs})


def group(account_id: str = "acme", *members: tuple[str, str], stage: str | None = None) -> BuyingGroup:
    return BuyingGroup(
        account=account_id,
        solutionInterest="analytics",
        stage=stage,
        members=[Member(person=p, role=r) for p, r in members],
    )


def journey(journey_id: str = "onboarding", name: str = "Onboarding") -> JourneyRecord:
    return JourneyRecord(
        id=journey_id,
        name=name,
        definition={"id": journey_id, "start": "done", "nodes": {"done": {"type": "end"}}, "x": 1.5},
        createdAt="2026-01-01T00:00:00.000Z",
        updatedAt="2026-01-01T00:00:00.000Z",
    )


def entry(entry_id: str, account_id: str = "acme", started: str = "2026-01-01T00:00:00Z", **kw: Any) -> Entry:
    return Entry(
        entryId=entry_id,
        journeyId=kw.pop("journey_id", "onboarding"),
        journeyVersion=1,
        accountId=account_id,
        startedAt=started,
        **kw,
    )


def listener(entry_id: str, node_id: str = "listen", account_id: str = "acme", **kw: Any) -> ListenerRecord:
    return ListenerRecord(
        accountId=account_id,
        entryId=entry_id,
        nodeId=node_id,
        journeyId="onboarding",
        on=kw.pop("on", "people"),
        eventType=kw.pop("event_type", "email_clicked"),
        taskToken=f"token-{entry_id}-{node_id}",
        registeredAt=kw.pop("registered_at", "2026-01-01T00:00:00.000Z"),
        **kw,
    )


def event(when: str, account_id: str = "acme", **kw: Any) -> JourneyEvent:
    return JourneyEvent.model_validate(
        {
            "on": kw.pop("on", "people"),
            "type": kw.pop("type", "email_clicked"),
            "accountId": account_id,
            "occurredAt": when,
            **kw,
        }
    )
