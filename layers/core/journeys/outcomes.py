"""Outcome of one person-action (or account-action): applied, skipped with a reason, or failed."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel

from journeys.model.common import assembled


class Outcome(StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"


_tuple_new = tuple.__new__


class ActionResult(NamedTuple):
    """What happened to one subject (a person id, or an account id for account actions).

    A named tuple, not a model: one is made and recorded per person-action, inside the package."""

    subject: str
    outcome: Outcome
    reason: str | None = None  # why skipped, or the error when failed

    # One per person-action: built as the tuple it is (the generated `__new__` costs twice as much).
    @classmethod
    def applied(cls, subject: str) -> ActionResult:
        return _tuple_new(cls, (subject, Outcome.APPLIED, None))

    @classmethod
    def skipped(cls, subject: str, reason: str) -> ActionResult:
        return _tuple_new(cls, (subject, Outcome.SKIPPED, reason))

    @classmethod
    def failed(cls, subject: str, error: str) -> ActionResult:
        return _tuple_new(cls, (subject, Outcome.FAILED, error))


class OutcomeCounts(BaseModel):
    """Counts returned to Step Functions by an action task (SendTaskSuccess output)."""

    applied: int = 0
    skipped: int = 0
    failed: int = 0
    skippedByReason: dict[str, int] = {}

    @classmethod
    def of(cls, results: Iterable[ActionResult]) -> OutcomeCounts:
        results = results if isinstance(results, list) else list(results)
        outcomes = [r[1] for r in results]
        applied = outcomes.count(Outcome.APPLIED)
        skipped = outcomes.count(Outcome.SKIPPED)
        reasons: dict[str, int] = {}
        if skipped:
            for r in results:
                if r[1] == Outcome.SKIPPED:
                    key = r[2] or "unspecified"
                    reasons[key] = reasons.get(key, 0) + 1
        # Counted here, so valid by construction: one per message, validation would be pure cost.
        values = {
            "applied": applied,
            "skipped": skipped,
            "failed": len(outcomes) - applied - skipped,
            "skippedByReason": reasons,
        }
        return assembled(cls, values, set(values))  # its own fields-set: the model is not frozen

    def output(self) -> dict[str, Any]:
        """The task output (`model_dump(mode="json")`, built directly)."""
        return {
            "applied": self.applied,
            "skipped": self.skipped,
            "failed": self.failed,
            "skippedByReason": dict(self.skippedByReason),
        }
