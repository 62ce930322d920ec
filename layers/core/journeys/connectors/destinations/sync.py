"""The scheduled sync: push an audience's pending members to its destination, mark them activated."""

from __future__ import annotations

from dataclasses import dataclass

from journeys.connectors.destinations.base import ActivationRecord, DestinationConnector
from journeys.model.lists import DUMMY_AUDIENCE_RECORD, Destination, ExternalAudience
from journeys.store.repository import Store


@dataclass(frozen=True)
class SyncReport:
    audience: str
    delivered: int
    dropped: int  # pending ids without a profile any more: nothing to send, no longer pending
    remaining: int  # still pending after this run (beyond `limit`)


def activate_pending(
    store: Store,
    audience: ExternalAudience | str,
    connector: DestinationConnector,
    destination: Destination,
    *,
    batch_size: int = 500,
    limit: int = 10_000,
) -> SyncReport:
    """Deliver up to `limit` pending members, `batch_size` at a time; each delivered batch is marked
    activated before the next, so a failure leaves exactly the undelivered members pending."""
    found = store.get_audience(audience) if isinstance(audience, str) else audience
    if found is None:
        raise ValueError(f"unknown audience '{audience}'")
    delivered = dropped = 0
    while delivered + dropped < limit:
        pending = store.pending_activations(found.id, min(batch_size, limit - delivered - dropped))
        if not pending:
            break
        people = {p.id: p for p in store.get_people([p for p in pending if p != DUMMY_AUDIENCE_RECORD])}
        missing = [pid for pid in pending if pid not in people]
        records = [ActivationRecord.of(people[pid]) for pid in pending if pid in people]
        if records:
            connector.deliver(destination, found, records)
        store.mark_activated(found.id, pending)
        delivered += len(records)
        dropped += len(missing)
    remaining = len(store.pending_activations(found.id, 1))
    return SyncReport(audience=found.id, delivered=delivered, dropped=dropped, remaining=remaining)
