"""Turning Marketo's per-record statuses into applied / skipped / failed person-action results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from journeys.connectors.marketo.envelope import Envelope, Reason, RecordResult
from journeys.outcomes import ActionResult

# Reasons that mean "nothing to do for this person", not an error: no such lead, not a member.
_SKIP_REASONS = {"1004": "lead not found", "1015": "not in list"}

ADD_OK = frozenset({"added"})
REMOVE_OK = frozenset({"removed"})
PARTITION_OK = frozenset({"updated"})

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def unique_ids(lead_ids: Iterable[int]) -> list[int]:
    """Lead ids in first-seen order without repeats: Marketo rejects duplicate keys in one input."""
    return list(dict.fromkeys(int(i) for i in lead_ids))


def describe_reason(reason: Reason) -> str:
    canonical = _SKIP_REASONS.get(reason.code)
    if canonical:
        return f"{reason.code} {canonical}"
    return reason.describe() or "unspecified"


def map_records(lead_ids: Sequence[int], envelope: Envelope, ok: frozenset[str]) -> list[ActionResult]:
    """One result per requested lead, matched by id (Marketo also keeps input order)."""
    records = [RecordResult.parse(r) for r in envelope.result]
    by_id = {r.id: r for r in records if r.id is not None}
    results: list[ActionResult] = []
    for index, lead_id in enumerate(lead_ids):
        record = by_id.get(lead_id)
        if record is None and index < len(records) and records[index].id is None:
            record = records[index]
        results.append(_one(str(lead_id), record, ok))
    return results


def _one(subject: str, record: RecordResult | None, ok: frozenset[str]) -> ActionResult:
    if record is None:
        return ActionResult.failed(subject, "no result returned by Marketo for this lead")
    if record.status in ok:
        return ActionResult.applied(subject)
    reason = record.reasons[0] if record.reasons else None
    if record.status == "skipped" and reason is not None and reason.code in _SKIP_REASONS:
        return ActionResult.skipped(subject, describe_reason(reason))
    detail = "; ".join(describe_reason(r) for r in record.reasons) or "no reason given"
    return ActionResult.failed(subject, f"{record.status or 'unknown status'}: {detail}")


def failed_all(lead_ids: Iterable[int], error: str) -> list[ActionResult]:
    return [ActionResult.failed(str(i), error) for i in lead_ids]
