"""A small seeded world for executor and pipeline tests: one data set, any store, recording ports."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeys.catalog.actions import ACTIONS
from journeys.connectors.marketo import MarketoClient, RetryPolicy, UnlimitedRateLimiter, VirtualClock
from journeys.connectors.marketo.embedded import EmbeddedMarketo
from journeys.executors import (
    EXECUTORS,
    ActionBatch,
    ExecutionContext,
    FixedClock,
    InMemoryEventBus,
    MessageMeta,
    Outbox,
    RecordingJourneyStarter,
    ReferenceData,
)
from journeys.messages import NodeEntryMessage
from journeys.model.dataset import DataSet
from journeys.outcomes import ActionResult
from journeys.store.records import JourneyRecord
from journeys.store.repository import Store
from journeys.store.seeding import seed

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DATA: dict[str, Any] = {
    "attributes": {
        "account": {"tier": "string", "employees": "integer", "vip": "boolean"},
        "person": {"jobTitle": "string", "newsletter": "boolean", "region": "string"},
    },
    "scores": ["Person Score", "Behavior Score"],
    "accounts": [
        {
            "id": "acme",
            "name": "Acme Corp",
            "industry": "Software",
            "employees": 12000,
            "country": "US",
            "owner": {"name": "Dana Reyes", "email": "dana@example.com"},
            "tier": "gold",
        },
        {"id": "globex", "name": "Globex", "employees": 300, "country": "DE"},
    ],
    "people": [
        {
            "id": "p-ana",
            "account": "acme",
            "email": "ana@acme.example",
            "phone": "+15551230001",
            "firstName": "Ana",
            "lastName": "Lee",
            "jobTitle": "Director of IT",
            "marketoLeadId": 1001,
            "scores": {"Person Score": 10},
        },
        {
            "id": "p-bo",
            "account": "acme",
            "email": "bo@acme.example",
            "firstName": "Bo",
            "lastName": "Chen",
            "marketoLeadId": 1002,
        },
        {"id": "p-cy", "account": "acme", "phone": "+15551230003", "firstName": "Cy"},
        {
            "id": "p-di",
            "account": "globex",
            "email": "di@globex.example",
            "firstName": "Di",
            "marketoLeadId": 1003,
        },
    ],
    "solutionInterests": [
        {
            "id": "analytics",
            "name": "Analytics",
            "roles": [{"name": "Decision Maker", "required": 1}, {"name": "Influencer", "required": 2}],
            "stages": {
                "entry": ["Awareness"],
                "success": "Won",
                "failure": ["Lost"],
                "transitions": {
                    "Awareness": ["Consideration", "Lost"],
                    "Consideration": ["Purchase", "Lost"],
                    "Purchase": ["Won", "Lost"],
                },
            },
        }
    ],
    "buyingGroups": [
        {
            "account": "acme",
            "solutionInterest": "analytics",
            "stage": "Awareness",
            "status": "",
            "members": [{"person": "p-ana", "role": "Decision Maker", "source": "manual"}],
        }
    ],
    "accountLists": [
        {
            "id": "installed-base",
            "name": "Installed base",
            "kind": "static",
            "status": "live",
            "members": ["acme"],
        },
        {"id": "dyn", "name": "Dynamic", "kind": "dynamic", "status": "live", "members": []},
    ],
    "destinations": [
        {
            "id": "linkedin",
            "name": "LinkedIn matched audiences",
            "kind": "webhook",
            "url": "https://hooks.example/li",
        }
    ],
    "audiences": [
        {"id": "aud-q3", "name": "Q3 retargeting", "destination": "linkedin", "members": ["test@email.com"]}
    ],
    "marketo": {
        "workspaces": ["Default", "EMEA"],
        "partitions": ["Default", "EMEA"],
        "leads": [
            {"id": 1001, "email": "ana@acme.example", "partition": "Default"},
            {"id": 1002, "email": "bo@acme.example", "partition": "Default"},
            {"id": 1003, "email": "di@globex.example", "partition": "Default"},
        ],
        "lists": [{"id": 501, "name": "Nurture", "workspace": "Default", "members": [1001]}],
        "campaigns": [
            {"id": 9001, "name": "Expansion follow-up", "workspace": "Default", "requestable": True},
            {"id": 9002, "name": "Monthly batch", "workspace": "Default", "requestable": False},
        ],
    },
}

JOURNEYS = [
    {"id": "onboarding", "name": "Onboarding", "status": "live", "liveVersion": 1},
    {"id": "renewal", "name": "Renewal", "status": "live", "liveVersion": 1},
    {"id": "old", "name": "Old campaign", "status": "closed", "liveVersion": 1},
    {"id": "gone", "name": "Aborted one", "status": "aborted", "liveVersion": 1},
]


def journey_record(spec: dict[str, Any], reentry: dict[str, Any] | None = None) -> JourneyRecord:
    definition = {"id": spec["id"], "name": spec["name"], "reentry": reentry or {"enabled": False}}
    return JourneyRecord.model_validate(
        {
            **spec,
            "definition": definition,
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
            "versions": [
                {
                    "version": 1,
                    "definition": definition,
                    "publishedAt": "2026-01-01T00:00:00Z",
                    "stateMachineArn": f"arn:aws:states:us-east-1:123456789012:stateMachine:{spec['id']}-v1",
                }
            ],
        }
    )


@dataclass
class World:
    store: Store
    ctx: ExecutionContext
    outbox: Outbox
    bus: InMemoryEventBus
    starter: RecordingJourneyStarter
    marketo: EmbeddedMarketo
    clock: FixedClock
    shared: dict[str, Any] = field(default_factory=dict)

    def batch(
        self,
        action_id: str,
        params: dict[str, Any],
        people: list[str] | None = None,
        account: str = "acme",
        entry: str = "e-1",
        node: str = "n-1",
    ) -> ActionBatch:
        spec = ACTIONS[action_id]
        acc = self.store.get_account(account)
        assert acc is not None
        if spec.target == "people":
            chosen = (
                self.store.get_people(people) if people is not None else self.store.people_of_account(account)
            )
        else:
            chosen = []
        return ActionBatch(
            action_id=action_id,
            inputs=spec.inputs.model_validate(params),
            account=acc,
            people=chosen,
            meta=MessageMeta(
                journey_id="onboarding", journey_version=1, entry_id=entry, node_id=node, account_id=account
            ),
            shared=self.shared,
        )

    def run(self, action_id: str, params: dict[str, Any], **kwargs: Any) -> dict[str, ActionResult]:
        results = EXECUTORS[action_id].execute(self.ctx, self.batch(action_id, params, **kwargs))
        return {r.subject: r for r in results}


def seed_world(store: Store, dataset: dict[str, Any] | None = None) -> None:
    seed(store, DataSet.model_validate(dataset or DATA))
    for spec in JOURNEYS:
        store.save_journey(journey_record(spec), None)


def make_world(store: Store, dataset: dict[str, Any] | None = None, *, seeded: bool = False) -> World:
    """Ports that record, an embedded Marketo, and the store seeded (unless it already is)."""
    ds = DataSet.model_validate(dataset or DATA)
    if not seeded:
        seed_world(store, dataset)
    vclock = VirtualClock()
    marketo = EmbeddedMarketo.from_data(ds.marketo.model_dump(), clock=vclock)
    client = MarketoClient(
        marketo.settings(),
        transport=marketo.transport(),
        clock=vclock,
        limiter=UnlimitedRateLimiter(),
        retry=RetryPolicy(),
        rng=random.Random(7),
    )
    outbox = Outbox()
    bus = InMemoryEventBus()
    starter = RecordingJourneyStarter()
    clock = FixedClock(NOW)
    ctx = ExecutionContext(
        store=store,
        clock=clock,
        email=outbox.email_sender,
        sms=outbox.sms_sender,
        events=bus,
        journeys=starter,
        reference=ReferenceData.from_dataset(ds),
        marketo=client,
        email_from="journeys@example.com",
    )
    return World(store, ctx, outbox, bus, starter, marketo, clock)


def message(
    action_id: str,
    params: dict[str, Any],
    *,
    entry: str = "e-1",
    node: str = "n-1",
    account: str = "acme",
    cohort: str | None = None,
    token: str | None = None,
    journey: str = "onboarding",
) -> NodeEntryMessage:
    return NodeEntryMessage(
        taskToken=token or f"token-{entry}-{node}",
        journeyId=journey,
        journeyVersion=1,
        entryId=entry,
        nodeId=node,
        accountId=account,
        cohort=cohort,
        target=ACTIONS[action_id].target,
        action=action_id,
        params=params,
    )


def sqs_record(
    msg: NodeEntryMessage, message_id: str | None = None, body: str | None = None
) -> dict[str, Any]:
    """An SQS event record as Lambda receives it."""
    return {
        "messageId": message_id or f"m-{msg.entryId}-{msg.nodeId}",
        "receiptHandle": "handle",
        "body": body if body is not None else msg.model_dump_json(),
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1767225600000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1767225600000",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:actions",
        "awsRegion": "us-east-1",
    }
