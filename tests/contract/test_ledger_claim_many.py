"""`ledger_claim_many`: claims only subjects with no row, once, in input order, on both adapters."""

from __future__ import annotations

from journeys.outcomes import ActionResult
from journeys.store.repository import Store


def test_claims_each_subject_once_in_order(store: Store) -> None:
    # Given one subject already claimed and one already final
    assert store.ledger_claim("e-1", "n-1", "p-2")
    store.ledger_record("e-1", "n-1", [ActionResult.applied("p-3")])
    # When a chunk claims four subjects (one twice)
    won = store.ledger_claim_many("e-1", "n-1", ["p-1", "p-2", "p-3", "p-4", "p-1"])
    # Then only the free ones are won, in input order, and a second call wins nothing
    assert won == ["p-1", "p-4"]
    assert store.ledger_claim_many("e-1", "n-1", ["p-1", "p-4"]) == []
    rows = store.ledger_get("e-1", "n-1", ["p-1", "p-2", "p-3", "p-4"])
    assert {s: r.outcome for s, r in rows.items()} == {
        "p-1": "pending",
        "p-2": "pending",
        "p-3": "applied",
        "p-4": "pending",
    }
