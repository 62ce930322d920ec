"""Outcome of one person-action (or account-action): applied, skipped with a reason, or failed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Outcome(StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"


class ActionResult(BaseModel):
    """What happened to one subject (a person id, or an account id for account actions)."""

    model_config = ConfigDict(frozen=True)

    subject: str
    outcome: Outcome
    reason: str | None = None  # why skipped, or the error when failed

    @classmethod
    def applied(cls, subject: str) -> ActionResult:
        return cls(subject=subject, outcome=Outcome.APPLIED)

    @classmethod
    def skipped(cls, subject: str, reason: str) -> ActionResult:
        return cls(subject=subject, outcome=Outcome.SKIPPED, reason=reason)

    @classmethod
    def failed(cls, subject: str, error: str) -> ActionResult:
        return cls(subject=subject, outcome=Outcome.FAILED, reason=error)


class OutcomeCounts(BaseModel):
    """Counts returned to Step Functions by an action task (SendTaskSuccess output)."""

    applied: int = 0
    skipped: int = 0
    failed: int = 0
    skippedByReason: dict[str, int] = {}

    @classmethod
    def of(cls, results: list[ActionResult]) -> OutcomeCounts:
        counts = cls()
        for r in results:
            counts.add(r)
        return counts

    def add(self, result: ActionResult) -> None:
        if result.outcome is Outcome.APPLIED:
            self.applied += 1
        elif result.outcome is Outcome.SKIPPED:
            self.skipped += 1
            key = result.reason or "unspecified"
            self.skippedByReason[key] = self.skippedByReason.get(key, 0) + 1
        else:
            self.failed += 1
