"""Splits by people partition cohorts; listen nodes wake exactly once, whichever comes first."""

from __future__ import annotations

from datetime import timedelta

from journeys.catalog.events import JourneyEvent
from journeys.messages import CohortSplitRequest, ListenRegistration
from journeys.orchestration.cohorts import split_cohort
from journeys.orchestration.listeners import on_event, on_events, register
from journeys.store.memory import InMemoryStore
from tests.support.world import T0, RecordingTasks

DECISION = {"all": [{"attribute": "persona", "op": "eq", "value": "decision-maker"}]}
SCORED = {"all": [{"attribute": "scores.Person Score", "op": "gte", "value": 5}]}


def test_first_matching_path_wins_and_unmatched_people_belong_to_no_path(store: InMemoryStore) -> None:
    req = CohortSplitRequest(
        journeyId="j", entryId="e1", nodeId="split", accountId="acme", paths=[DECISION, SCORED]
    )
    result = split_cohort(req, store)
    assert result.sizes == [2, 1]  # ana and cy are decision makers; ben has 5 points; nobody else
    assert store.get_cohort(result.cohorts[0]) == ["p-ana", "p-cy"]
    assert store.get_cohort(result.cohorts[1]) == ["p-ben"]
    with_otherwise = split_cohort(req.model_copy(update={"paths": [SCORED, None]}), store)
    assert with_otherwise.sizes == [2, 1]


def test_a_split_of_a_stored_cohort_reads_only_that_cohort(store: InMemoryStore) -> None:
    store.put_cohort("e1/outer/0", ["p-ben", "p-cy"])
    req = CohortSplitRequest(journeyId="j", entryId="e1", nodeId="inner", accountId="acme", cohort="e1/outer/0",
                             paths=[DECISION])  # fmt: skip
    assert store.get_cohort(split_cohort(req, store).cohorts[0]) == ["p-cy"]


def _registration(token: str, entered: str, cohort: str | None = None) -> ListenRegistration:
    return ListenRegistration(taskToken=token, journeyId="j", entryId="e1", nodeId="listen", accountId="acme",
                              cohort=cohort, on="people", eventType="email_clicked", filters={"node": "welcome"},
                              enteredAt=entered)  # fmt: skip


def _click(person: str, at_days: int, node: str = "welcome") -> JourneyEvent:
    return JourneyEvent(on="people", type="email_clicked", accountId="acme", personId=person,
                        occurredAt=T0 + timedelta(days=at_days), data={"node": node})  # fmt: skip


def test_event_after_registration_wakes_once(store: InMemoryStore) -> None:
    tasks = RecordingTasks()
    assert register(_registration("tok", T0.isoformat()), store, tasks, T0.isoformat()) is False
    assert store.node_counts("j")["listen"].waiting == 1
    assert on_event(_click("p-ana", 1, node="other"), store, tasks) == 0  # filter does not match
    assert on_event(_click("p-ana", 2), store, tasks) == 1
    assert on_event(_click("p-ben", 3), store, tasks) == 0  # already woken
    assert [t for t, _ in tasks.successes] == ["tok"]
    assert store.node_counts("j")["listen"].waiting == 0


def test_event_before_registration_is_not_lost(store: InMemoryStore) -> None:
    tasks = RecordingTasks()
    on_event(_click("p-ana", 1), store, tasks)
    assert register(_registration("tok", T0.isoformat()), store, tasks, T0.isoformat()) is True
    assert [t for t, _ in tasks.successes] == ["tok"]
    # ...but an event older than the node's entry does not count
    tasks2 = RecordingTasks()
    later = (T0 + timedelta(days=5)).isoformat()
    assert (
        register(_registration("tok2", later).model_copy(update={"entryId": "e2"}), store, tasks2, later)
        is False
    )


def test_people_events_count_only_for_people_on_the_path(store: InMemoryStore) -> None:
    store.put_cohort("e1/split/0", ["p-ben"])
    tasks = RecordingTasks()
    register(_registration("tok", T0.isoformat(), cohort="e1/split/0"), store, tasks, T0.isoformat())
    assert on_event(_click("p-ana", 1), store, tasks) == 0
    assert on_event(_click("p-ben", 1), store, tasks) == 1


def test_a_timed_out_listener_is_dropped_quietly(store: InMemoryStore) -> None:
    tasks = RecordingTasks(gone={"tok"})
    register(_registration("tok", T0.isoformat()), store, tasks, T0.isoformat())
    assert on_event(_click("p-ana", 9), store, tasks) == 0
    assert store.node_counts("j")["listen"].waiting == 0


def test_events_routed_together_wake_as_if_one_by_one(store: InMemoryStore) -> None:
    # Given two entries of the account waiting for a click on "welcome"
    tasks = RecordingTasks()
    register(_registration("tok1", T0.isoformat()), store, tasks, T0.isoformat())
    second = _registration("tok2", T0.isoformat()).model_copy(update={"entryId": "e2"})
    register(second, store, tasks, T0.isoformat())

    # When a non-matching click and two matching clicks are routed in one batch
    woken = on_events(
        [_click("p-ana", 1, node="other"), _click("p-ana", 2), _click("p-ben", 3)], store, tasks
    )

    # Then the first matching click wakes both waiting entries once, the second finds none left
    assert woken == 2
    assert sorted(t for t, _ in tasks.successes) == ["tok1", "tok2"]
    assert {out["event"]["personId"] for _, out in tasks.successes} == {"p-ana"}
    assert store.node_counts("j")["listen"].waiting == 0
    # And every event was recorded for listen nodes entered later
    assert len(store.events_since("acme", "people", "email_clicked", T0.isoformat())) == 3
