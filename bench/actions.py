"""Person-actions per second for every action, on the in-memory store (embedded Marketo for Marketo).

Run: .venv/bin/python -m bench.actions

Each action runs through the whole pipeline (`ActionPipeline.process_message`: ledger claim and
record, executor, per-node counts) in a freshly seeded world:
- people actions: one node-entry message whose cohort is 1,000 people of one account;
- account actions: 1,000 messages, one per account (an account action acts on its account).
Email and SMS go to outboxes, events to an in-memory bus; Marketo is the embedded instance on a
virtual clock, so its rate limits cost no real time.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

from journeys.catalog.actions import ACTIONS
from journeys.connectors.marketo import MarketoClient, RetryPolicy, UnlimitedRateLimiter, VirtualClock
from journeys.connectors.marketo.embedded import EmbeddedMarketo
from journeys.executors import (
    ExecutionContext,
    FixedClock,
    InMemoryEventBus,
    Outbox,
    RecordingJourneyStarter,
    ReferenceData,
)
from journeys.handlers.actions import ActionPipeline
from journeys.handlers.stepfunctions import RecordingTaskResponder
from journeys.messages import NodeEntryMessage
from journeys.model.dataset import DataSet
from journeys.outcomes import OutcomeCounts
from journeys.store.memory import InMemoryStore
from journeys.store.records import JourneyRecord
from journeys.store.seeding import seed

COMMAND = ".venv/bin/python -m bench.actions"
RESULTS = Path(__file__).parent / "results"
COHORT = 1_000
ACCOUNTS = 1_000

PARAMS: dict[str, dict[str, Any]] = {
    "change_account_data_value": {"attribute": "tier", "value": "gold"},
    "account_interesting_moment": {"type": "milestone", "description": "Benchmark milestone"},
    "activate_to_destination": {"destination": "linkedin", "audienceName": "Bench"},
    "add_account_to_journey": {"journey": "renewal"},
    "add_to_account_list": {"list": "installed-base"},
    "remove_account_from_journey": {"journey": "renewal"},
    "remove_from_account_list": {"list": "installed-base"},
    "send_sales_alert": {"solutionInterest": "analytics", "sendTo": ["owner", "sales@example.com"]},
    "update_buying_group_stage": {"solutionInterest": "analytics", "stage": "Consideration"},
    "update_buying_group_status": {"solutionInterest": "analytics", "status": "Evaluating vendors"},
    "add_to_external_audience": {"audience": "aud-bench"},
    "assign_to_buying_group": {"solutionInterest": "analytics", "role": "Decision Maker"},
    "change_data_value": {"attribute": "jobTitle", "value": "Buyer"},
    "change_score": {"score": "Person Score", "change": "+5"},
    "interesting_moment": {"type": "web", "description": "Visited pricing"},
    "remove_from_buying_group": {"solutionInterest": "analytics"},
    "send_email": {
        "email": {
            "subject": "Hello {{ person.firstName }} at {{ account.name }}",
            "html": "<p>Hi {{ person.firstName }} {{ person.lastName }}, welcome to {{ journey.name }}.</p>",
            "text": "Hi {{ person.firstName }}",
        }
    },
    "send_sms": {"sms": {"text": "Hi {{ person.firstName }}, your {{ account.name }} demo is ready"}},
    "marketo_add_to_list": {"workspace": "Default", "list": "Nurture"},
    "marketo_request_campaign": {"workspace": "Default", "campaign": "Expansion follow-up"},
    "marketo_change_partition": {"partition": "EMEA"},
    "marketo_remove_from_list": {"workspace": "Default", "list": "Nurture"},
}

INTEREST = {
    "id": "analytics",
    "name": "Analytics",
    "roles": [{"name": "Decision Maker", "required": 1}, {"name": "Influencer", "required": 3}],
    "stages": {
        "entry": ["Awareness"],
        "success": "Won",
        "failure": ["Lost"],
        "transitions": {"Awareness": ["Consideration", "Lost"], "Consideration": ["Won", "Lost"]},
    },
}


def dataset() -> dict[str, Any]:
    accounts = [{"id": "bench", "name": "Bench Co", "owner": {"name": "Sam", "email": "sam@bench.example"}}]
    accounts += [
        {"id": f"a-{k:04d}", "name": f"Account {k}", "owner": {"name": "Owner", "email": f"o{k}@x.example"}}
        for k in range(ACCOUNTS)
    ]
    people = [
        {
            "id": f"p-{k:04d}",
            "account": "bench",
            "email": f"p{k:04d}@bench.example",
            "phone": f"+1555{k:07d}",
            "firstName": f"First{k}",
            "lastName": f"Last{k}",
            "marketoLeadId": 10_000 + k,
            "scores": {"Person Score": 1},
        }
        for k in range(COHORT)
    ]
    # One person per small account, so account actions that read people have some.
    people += [
        {"id": f"q-{k:04d}", "account": f"a-{k:04d}", "email": f"q{k}@x.example", "firstName": "Q"}
        for k in range(ACCOUNTS)
    ]
    groups = [
        {
            "account": f"a-{k:04d}",
            "solutionInterest": "analytics",
            "stage": "Awareness",
            "members": [{"person": f"q-{k:04d}", "role": "Decision Maker", "source": "manual"}],
        }
        for k in range(ACCOUNTS)
    ]
    groups.append(
        {
            "account": "bench",
            "solutionInterest": "analytics",
            "stage": "Awareness",
            "members": [
                {"person": f"p-{k:04d}", "role": "Influencer", "source": "journey"} for k in range(COHORT)
            ],
        }
    )
    return {
        "attributes": {"account": {"tier": "string"}, "person": {"jobTitle": "string"}},
        "scores": ["Person Score"],
        "accounts": accounts,
        "people": people,
        "solutionInterests": [INTEREST],
        "buyingGroups": groups,
        "accountLists": [{"id": "installed-base", "name": "Installed base", "members": []}],
        "destinations": [{"id": "linkedin", "name": "LinkedIn", "url": "https://hooks.example/li"}],
        "audiences": [{"id": "aud-bench", "name": "Bench audience", "destination": "linkedin"}],
        "marketo": {
            "workspaces": ["Default"],
            "partitions": ["Default", "EMEA"],
            "leads": [{"id": 10_000 + k, "email": f"p{k:04d}@bench.example"} for k in range(COHORT)],
            "lists": [{"id": 501, "name": "Nurture", "members": [10_000 + k for k in range(COHORT)]}],
            "campaigns": [{"id": 9001, "name": "Expansion follow-up", "requestable": True}],
        },
    }


def world(action: str) -> tuple[ActionPipeline, Outbox, EmbeddedMarketo, InMemoryStore]:
    ds = DataSet.model_validate(dataset())
    store = InMemoryStore()
    seed(store, ds)
    definition = {"id": "renewal", "reentry": {"enabled": True}}
    for jid in ("bench", "renewal"):
        store.save_journey(
            JourneyRecord.model_validate(
                {
                    "id": jid,
                    "name": jid.title(),
                    "status": "live",
                    "liveVersion": 1,
                    "definition": definition,
                    "createdAt": "2026-01-01T00:00:00Z",
                    "updatedAt": "2026-01-01T00:00:00Z",
                    "versions": [
                        {"version": 1, "definition": definition, "publishedAt": "2026-01-01T00:00:00Z"}
                    ],
                }
            ),
            None,
        )
    vclock = VirtualClock()
    marketo = EmbeddedMarketo.from_data(ds.marketo.model_dump(), clock=vclock)
    client = MarketoClient(
        marketo.settings(),
        transport=marketo.transport(),
        clock=vclock,
        limiter=UnlimitedRateLimiter(),
        retry=RetryPolicy(),
        rng=random.Random(1),
    )
    outbox = Outbox()
    ctx = ExecutionContext(
        store=store,
        clock=FixedClock(),
        email=outbox.email_sender,
        sms=outbox.sms_sender,
        events=InMemoryEventBus(),
        journeys=RecordingJourneyStarter(),
        reference=ReferenceData.from_dataset(ds),
        marketo=client,
        email_from="journeys@example.com",
    )
    return ActionPipeline(action, ctx, RecordingTaskResponder()), outbox, marketo, store


def messages(action: str) -> list[NodeEntryMessage]:
    spec = ACTIONS[action]
    accounts = ["bench"] if spec.target == "people" else [f"a-{k:04d}" for k in range(ACCOUNTS)]
    return [
        NodeEntryMessage(
            taskToken=f"t-{n}",
            journeyId="bench",
            journeyVersion=1,
            entryId=f"e-{n}",
            nodeId="n-1",
            accountId=account,
            target=spec.target,
            action=action,
            params=PARAMS[action],
        )
        for n, account in enumerate(accounts)
    ]


def run(action: str) -> dict[str, Any]:
    pipeline, outbox, marketo, store = world(action)
    if action == "remove_account_from_journey":
        # Something to remove: put every account in the target journey first (not timed).
        adder = ActionPipeline("add_account_to_journey", pipeline.context, RecordingTaskResponder())
        for m in messages("add_account_to_journey"):
            adder.process_message(m.model_copy(update={"params": {"journey": "renewal"}, "nodeId": "n-0"}))
    if action == "remove_from_account_list":
        for k in range(ACCOUNTS):
            store.add_to_account_list("installed-base", f"a-{k:04d}")
    todo = messages(action)
    shared: dict[str, Any] = {}
    total = OutcomeCounts()
    started = time.perf_counter()
    for m in todo:
        counts = pipeline.process_message(m, shared)
        total.applied += counts.applied
        total.skipped += counts.skipped
        total.failed += counts.failed
    elapsed = time.perf_counter() - started
    subjects = total.applied + total.skipped + total.failed
    return {
        "action": action,
        "target": ACTIONS[action].target,
        "messages": len(todo),
        "person_actions": subjects,
        "applied": total.applied,
        "skipped": total.skipped,
        "failed": total.failed,
        "seconds": round(elapsed, 4),
        "per_second": round(subjects / elapsed, 1),
        "emails": len(outbox.emails),
        "sms": len(outbox.sms),
        "marketo_calls": marketo.calls(),
    }


def main() -> None:
    wall = time.perf_counter()
    rows = [run(action) for action in ACTIONS]
    wall = time.perf_counter() - wall
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "command": COMMAND,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cohort": COHORT,
        "accounts": ACCOUNTS,
        "store": "InMemoryStore",
        "wall_seconds": round(wall, 2),
    }
    (RESULTS / "actions.json").write_text(json.dumps({**meta, "results": rows}, indent=2) + "\n")
    lines = [
        "# Action throughput (in-memory store)",
        "",
        f"Command: `{COMMAND}` (Python {meta['python']}, {meta['machine']}; wall time {meta['wall_seconds']} s).",
        "",
        "Whole pipeline per message (ledger claim and record, executor, per-node counts). People actions:",
        f"one message with a {COHORT:,}-person cohort. Account actions: {ACCOUNTS:,} messages, one per account.",
        "Email/SMS to outboxes, events to an in-memory bus, Marketo embedded on a virtual clock.",
        "",
        "| action | target | person-actions | applied | skipped | failed | seconds | per second | Marketo calls |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['action']} | {r['target']} | {r['person_actions']:,} | {r['applied']:,} | {r['skipped']:,} | "
        f"{r['failed']:,} | {r['seconds']:.3f} | {r['per_second']:,.0f} | {r['marketo_calls']} |"
        for r in rows
    ]
    (RESULTS / "actions.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
