"""Split by people: partition an entry's cohort into one stored cohort per path."""

from __future__ import annotations

from typing import Any

from journeys.conditions import first_matching_path
from journeys.definition.model import Conditions
from journeys.messages import CohortSplitRequest, CohortSplitResult
from journeys.model.profiles import Person
from journeys.store.repository import Store


def person_record(person: Person) -> dict[str, Any]:
    """What split-by-people conditions read: attributes, plus `scores.<name>`."""
    record: dict[str, Any] = person.model_dump(mode="json", exclude_none=True)
    record["scores"] = dict(person.scores)
    return record


def cohort_people(store: Store, account_id: str, cohort: str | None) -> list[Person]:
    """The people a node acts on: a stored cohort, or everyone in the account."""
    if cohort is None:
        return store.people_of_account(account_id)
    return store.get_people(store.get_cohort(cohort))


def cohort_ref(entry_id: str, node_id: str, path_index: int) -> str:
    return f"{entry_id}/{node_id}/{path_index}"


def split_cohort(request: CohortSplitRequest, store: Store) -> CohortSplitResult:
    """First matching path wins; unmatched people belong to no path (they continue after the merge).

    Deterministic and idempotent: a retried task rewrites the same cohorts.
    """
    paths = [Conditions.model_validate(p) if p is not None else None for p in request.paths]
    buckets: list[list[str]] = [[] for _ in paths]
    for person in cohort_people(store, request.accountId, request.cohort):
        index = first_matching_path(paths, person_record(person))
        if index is not None:
            buckets[index].append(person.id)
    refs = []
    for i, members in enumerate(buckets):
        ref = cohort_ref(request.entryId, request.nodeId, i)
        store.put_cohort(ref, members)
        refs.append(ref)
    return CohortSplitResult(cohorts=refs, sizes=[len(b) for b in buckets])
