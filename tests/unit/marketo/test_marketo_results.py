"""Per-record statuses to applied / skipped / failed, and the batching helpers."""

from __future__ import annotations

from journeys.connectors.marketo.client import _filter_batches, _token_name
from journeys.connectors.marketo.envelope import Envelope
from journeys.connectors.marketo.results import ADD_OK, REMOVE_OK, chunks, map_records, unique_ids
from journeys.outcomes import ActionResult, Outcome


def _env(*records: dict[str, object]) -> Envelope:
    return Envelope.model_validate({"success": True, "result": list(records)})


def test_remove_statuses() -> None:
    env = _env(
        {"id": 1, "status": "removed"},
        {"id": 2, "status": "skipped", "reasons": [{"code": "1015", "message": "Lead not in list"}]},
        {"id": 3, "status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]},
        {
            "id": 4,
            "status": "skipped",
            "reasons": [{"code": "1008", "message": "Access denied to partition"}],
        },
    )
    results = map_records([1, 2, 3, 4, 5], env, REMOVE_OK)
    assert results[0] == ActionResult.applied("1")
    assert results[1] == ActionResult.skipped("2", "1015 not in list")
    assert results[2] == ActionResult.skipped("3", "1004 lead not found")
    assert results[3].outcome is Outcome.FAILED and "1008 Access denied to partition" in (
        results[3].reason or ""
    )
    assert results[4].outcome is Outcome.FAILED  # Marketo returned nothing for lead 5


def test_results_matched_by_id_not_position() -> None:
    env = _env({"id": 2, "status": "added"}, {"id": 1, "status": "skipped", "reasons": [{"code": "1004"}]})
    results = map_records([1, 2], env, ADD_OK)
    assert [r.outcome for r in results] == [Outcome.SKIPPED, Outcome.APPLIED]


def test_positional_fallback_when_ids_missing() -> None:
    env = _env({"status": "added"})
    assert map_records([9], env, ADD_OK) == [ActionResult.applied("9")]


def test_unique_ids_and_chunks() -> None:
    assert unique_ids([3, 1, 3, 2, 1]) == [3, 1, 2]
    assert [len(c) for c in chunks(list(range(601)), 300)] == [300, 300, 1]


def test_token_names() -> None:
    assert _token_name("offer") == "{{my.offer}}"
    assert _token_name("my.offer") == "{{my.offer}}"
    assert _token_name("{{my.offer}}") == "{{my.offer}}"


def test_filter_batches_respect_count_and_uri_budget() -> None:
    short = [f"p{i}@x.example" for i in range(700)]
    assert [len(b) for b in _filter_batches(short)] == [300, 300, 100]
    long = [("a" * 60) + f"{i}@example.com" for i in range(300)]
    batches = list(_filter_batches(long))
    assert len(batches) > 1 and sum(len(b) for b in batches) == 300
