"""The metered store counts what DynamoDB would bill: one unit per item a request touches."""

from __future__ import annotations

from journeys.local.metering import metered
from journeys.model.profiles import Account
from journeys.outcomes import ActionResult
from journeys.store.memory import InMemoryStore


def test_reads_and_writes_are_counted_per_item_touched() -> None:
    store, meter = metered(InMemoryStore([]))
    # Given one account written, then read twice (a miss costs a read too)
    store.put_account(Account(id="a1", name="Acme"))
    assert store.get_account("a1") is not None and store.get_account("nope") is None
    assert (meter.reads, meter.writes) == (2, 1)
    # When the ledger claims three subjects, records two and reads them back
    store.ledger_claim_many("e1", "n1", ["p1", "p2", "p3"])
    store.ledger_record("e1", "n1", [ActionResult.applied("p1"), ActionResult.applied("p2")])
    rows = store.ledger_get("e1", "n1", ["p1", "p2", "p3"])
    # Then the batch calls count their items (a claim is a conditional put per subject); a call
    # with nothing to write still costs one
    assert sorted(rows) == ["p1", "p2", "p3"]
    assert (meter.reads, meter.writes) == (2 + 3, 1 + 3 + 2)
    store.record_events([])
    assert meter.writes == 7
    # And what is not a store request passes through uncounted
    assert store._lock is not None and (meter.reads, meter.writes) == (5, 7)
