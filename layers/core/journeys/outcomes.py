"""Outcome of one person-action (or account-action): applied, skipped with a reason, or failed."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel


class Outcome(StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"


class ActionResult(NamedTuple):
    """What happened to one subject (a person id, or an account id for account actions).

    A named tuple, not a model: one is made and recorded per person-action, inside the package."""

    subject: str
    outcome: Outcome
    reason: str | None = None  # why skipped, or the error when failed

    @classmethod
    def applied(cls, subject: str) -> ActionResult:
        return cls(subject, Outcome.APPLIED)

    @classmethod
    def skipped(cls, subject: str, reason: str) -> ActionResult:
        return cls(subject, Outcome.SKIPPED, reason)

    @classmethod
    def failed(cls, subject: str, error: str) -> ActionResult:
        return cls(subject, Outcome.FAILED, error)


class OutcomeCounts(BaseModel):
    """Counts returned to Step Functions by an action task (SendTaskSuccess output)."""

    applied: int = 0
    skipped: int = 0
    failed: int = 0
    skippedByReason: dict[str, int] = {}

    @classmethod
    def of(cls, results: Iterable[ActionResult]) -> OutcomeCounts:
        applied = failed = 0
        reasons: dict[str, int] = {}
        for r in results:
            if r.outcome is Outcome.APPLIED:
                applied += 1
            elif r.outcome is Outcome.SKIPPED:
                key = r.reason or "unspecified"
                reasons[key] = reasons.get(key, 0) + 1
            else:
                failed += 1
        return cls(applied=applied, skipped=sum(reasons.values()), failed=failed, skippedByReason=reasons)
