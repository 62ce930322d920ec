"""A small world for orchestration tests: the example data set in a store, recording ports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeys.model.dataset import DataSet, load_dataset
from journeys.store.memory import InMemoryStore

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def small_data() -> DataSet:
    return load_dataset(ROOT / "examples/data/small.yaml")


def small_store(data: DataSet) -> InMemoryStore:
    """The small example's profiles and lists in an in-memory store."""
    s = InMemoryStore(data.solutionInterests)
    for account in data.accounts:
        s.put_account(account)
    for person in data.people:
        s.put_person(person)
    for lst in data.accountLists:
        s.put_account_list(lst)
    return s


class RecordingStarter:
    def __init__(self) -> None:
        self.started: list[tuple[str, int, str, dict[str, Any]]] = []

    def start_entry(
        self, journey_id: str, version: int, entry_id: str, execution_input: dict[str, Any]
    ) -> str:
        self.started.append((journey_id, version, entry_id, execution_input))
        return f"arn:aws:states:us-east-1:123456789012:execution:{journey_id}:{entry_id}"

    def stop_entry(self, execution_arn: str, cause: str) -> None:
        raise AssertionError("not used")


class RecordingTasks:
    def __init__(self, gone: set[str] | None = None) -> None:
        self.successes: list[tuple[str, dict[str, Any]]] = []
        self.gone = gone or set()

    def send_task_success(self, token: str, output: dict[str, Any]) -> None:
        from journeys.ports import TaskTokenGone

        if token in self.gone:
            raise TaskTokenGone(token)
        self.successes.append((token, output))

    def send_task_failure(self, token: str, error: str, cause: str) -> None:
        raise AssertionError("not used")
