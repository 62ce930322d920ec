"""Per-node counts (atomic increments) and the idempotency ledger."""

from __future__ import annotations

import threading

import pytest

from journeys.outcomes import ActionResult, Outcome
from journeys.store.records import NodeCounts
from journeys.store.repository import Store


def test_counts_accumulate_with_negative_waiting_and_reasons(store: Store) -> None:
    assert store.node_counts("onboarding") == {}

    store.add_counts("onboarding", "wait", {"entered": 3, "waiting": 3})
    store.add_counts("onboarding", "wait", {"waiting": -2, "exited": 2})
    store.add_counts("onboarding", "sms", {"applied": 4, "skipped": 3}, {"no phone": 2, "not a member": 1})
    store.add_counts("onboarding", "sms", {"skipped": 1, "failed": 1}, {"no phone": 1})
    store.add_counts("renewal", "sms", {"applied": 1})

    assert store.node_counts("onboarding") == {
        "wait": NodeCounts(entered=3, waiting=1, exited=2),
        "sms": NodeCounts(applied=4, skipped=4, failed=1, skippedByReason={"no phone": 3, "not a member": 1}),
    }


def test_counts_refuse_unknown_fields(store: Store) -> None:
    with pytest.raises(ValueError):
        store.add_counts("onboarding", "sms", {"bounced": 1})
    assert store.node_counts("onboarding") == {}


def test_concurrent_count_updates_add_up(store: Store) -> None:
    def record() -> None:
        for _ in range(25):
            store.add_counts("onboarding", "sms", {"applied": 1, "waiting": -1}, {"no phone": 1})

    threads = [threading.Thread(target=record) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert store.node_counts("onboarding")["sms"] == NodeCounts(
        applied=100, waiting=-100, skippedByReason={"no phone": 100}
    )


def test_ledger_claim_is_won_once(store: Store) -> None:
    assert store.ledger_get("e1", "n1", ["p1"]) == {}
    assert store.ledger_claim("e1", "n1", "p1") is True
    assert store.ledger_claim("e1", "n1", "p1") is False
    # Another node or entry is another person-action.
    assert store.ledger_claim("e1", "n2", "p1") is True
    assert store.ledger_claim("e2", "n1", "p1") is True

    row = store.ledger_get("e1", "n1", ["p1"])["p1"]
    assert (row.entryId, row.nodeId, row.subject, row.outcome) == ("e1", "n1", "p1", "pending")
    assert row.at.endswith("Z")


def test_ledger_record_finalises_pending_rows_but_never_a_final_one(store: Store) -> None:
    # Given a claimed person-action and one already final
    store.ledger_claim("e1", "n1", "p1")
    store.ledger_record("e1", "n1", [ActionResult.skipped("p2", "no phone")])

    # When a batch records outcomes for both (and one never claimed), then is redelivered
    store.ledger_record(
        "e1",
        "n1",
        [ActionResult.applied("p1"), ActionResult.failed("p2", "boom"), ActionResult.applied("p3")],
    )
    store.ledger_record("e1", "n1", [ActionResult.failed("p1", "late duplicate")])

    # Then the first final outcome of each stands
    rows = store.ledger_get("e1", "n1", ["p1", "p2", "p3", "p4"])
    assert {s: (r.outcome, r.reason) for s, r in rows.items()} == {
        "p1": (Outcome.APPLIED, None),
        "p2": (Outcome.SKIPPED, "no phone"),
        "p3": (Outcome.APPLIED, None),
    }
    assert store.ledger_claim("e1", "n1", "p3") is False


def test_ledger_reads_a_whole_cohort(store: Store) -> None:
    subjects = [f"p{n:03d}" for n in range(110)]
    store.ledger_record("e1", "n1", [ActionResult.applied(s) for s in subjects[::2]])
    rows = store.ledger_get("e1", "n1", subjects)
    assert sorted(rows) == subjects[::2]
    assert all(r.outcome is Outcome.APPLIED for r in rows.values())
