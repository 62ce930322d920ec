"""The activation sync delivers each audience's pending members to its destination's connector."""

from __future__ import annotations

from typing import Any

from journeys.connectors.destinations.base import ActivationRecord, DestinationUnavailable
from journeys.executors.base import ReferenceData
from journeys.handlers.activation import activate_all
from journeys.model.dataset import DataSet
from journeys.model.lists import Destination, ExternalAudience
from journeys.store.memory import InMemoryStore


class Recording:
    def __init__(self, fail: bool = False) -> None:
        self.delivered: list[tuple[str, str, list[str]]] = []
        self.fail = fail

    def deliver(
        self, destination: Destination, audience: ExternalAudience, records: list[ActivationRecord]
    ) -> Any:
        if self.fail:
            raise DestinationUnavailable("503 from the destination")
        self.delivered.append((destination.id, audience.id, [r.personId for r in records]))


def test_pending_members_are_delivered_once(store: InMemoryStore, data: DataSet) -> None:
    # Given the Q3 audience (LinkedIn webhook) with two new members queued by a journey action
    for audience in data.audiences:
        store.put_audience(audience)
    store.add_audience_members("aud-q3", ["p-ana", "p-ben"])
    webhook = Recording()
    reference = ReferenceData.from_dataset(data)
    # When the sync runs twice
    first = activate_all(store, reference, {"webhook": webhook})
    second = activate_all(store, reference, {"webhook": webhook})
    # Then both were delivered, once
    assert first.delivered == {"aud-q3": 2} and first.remaining == {"aud-q3": 0}
    assert second.delivered == {"aud-q3": 0}
    assert webhook.delivered == [("linkedin", "aud-q3", ["p-ana", "p-ben"])]


def test_a_failing_destination_keeps_members_pending(store: InMemoryStore, data: DataSet) -> None:
    for audience in data.audiences:
        store.put_audience(audience)
    store.add_audience_members("aud-q3", ["p-ana"])
    reference = ReferenceData.from_dataset(data)
    failed = activate_all(store, reference, {"webhook": Recording(fail=True)})
    assert failed.failed == {"aud-q3": "503 from the destination"}
    assert store.pending_activations("aud-q3", 10) == ["p-ana"]
    assert activate_all(store, reference, {}).skipped == {"aud-q3": "no webhook connector is configured"}
