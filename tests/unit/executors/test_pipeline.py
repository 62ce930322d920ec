"""The SQS batch pipeline on the in-memory store: parsing, grouping, ledger, counts, task tokens."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from journeys.executors import EXECUTORS, ActionBatch, ExecutionContext, Interrupted
from journeys.executors.base import COUNTS_MARKER
from journeys.handlers.actions import ActionPipeline
from journeys.handlers.stepfunctions import RecordingTaskResponder
from journeys.outcomes import ActionResult, OutcomeCounts
from tests.unit.executors.world import World, message, sqs_record

SCORE = {"score": "Person Score", "change": "+5"}


def pipeline(world: World, action: str, responder: RecordingTaskResponder, **kwargs: Any) -> ActionPipeline:
    return ActionPipeline(action, world.ctx, responder, **kwargs)


def event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def scores(world: World) -> dict[str, float | None]:
    return {p.id: p.scores.get("Person Score") for p in world.store.people_of_account("acme")}


def test_success_answers_the_token_and_counts_once(world: World) -> None:
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE)
    response = pipeline(world, "change_score", responder).handle(event(sqs_record(msg)))
    assert response == {"batchItemFailures": []}
    assert responder.successes == {msg.taskToken: [OutcomeCounts(applied=3)]}
    counts = world.store.node_counts("onboarding")["n-1"]
    assert (counts.applied, counts.skipped, counts.failed) == (3, 0, 0)
    assert scores(world) == {"p-ana": 15.0, "p-bo": 5.0, "p-cy": 5.0}


def test_redelivered_message_repeats_nothing(world: World) -> None:
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE)
    pipe = pipeline(world, "change_score", responder)
    pipe.handle(event(sqs_record(msg)))
    pipe.handle(event(sqs_record(msg)))
    assert scores(world) == {"p-ana": 15.0, "p-bo": 5.0, "p-cy": 5.0}
    assert responder.successes[msg.taskToken] == [OutcomeCounts(applied=3)] * 2
    assert world.store.node_counts("onboarding")["n-1"].applied == 3
    assert len(world.bus.events) == 3


def test_cohort_ref_and_unknown_people(world: World) -> None:
    world.store.put_cohort("c-1", ["p-bo", "p-gone", "p-bo"])
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE, cohort="c-1")
    pipeline(world, "change_score", responder).handle(event(sqs_record(msg)))
    [counts] = responder.successes[msg.taskToken]
    assert counts == OutcomeCounts(applied=1, skipped=1, skippedByReason={"person not found": 1})
    assert scores(world) == {"p-ana": 10.0, "p-bo": 5.0, "p-cy": None}
    node = world.store.node_counts("onboarding")["n-1"]
    assert node.skippedByReason == {"person not found": 1}


@pytest.mark.parametrize(
    ("msg_kwargs", "params", "error"),
    [
        ({}, {"score": "Person Score", "change": "*5"}, "Action.InvalidInputs"),
        ({"account": "nobody"}, SCORE, "Action.AccountNotFound"),
        ({"cohort": "missing"}, SCORE, "Action.CohortNotFound"),
    ],
)
def test_permanent_errors_fail_the_task(
    world: World, msg_kwargs: dict[str, Any], params: dict[str, Any], error: str
) -> None:
    responder = RecordingTaskResponder()
    msg = message("change_score", params, **msg_kwargs)
    response = pipeline(world, "change_score", responder).handle(event(sqs_record(msg)))
    assert response == {"batchItemFailures": []}  # answered: SQS must not redeliver it
    assert [e for e, _ in responder.failures[msg.taskToken]] == [error]
    assert responder.successes == {}


def test_status_over_50_characters_fails_the_task(world: World) -> None:
    responder = RecordingTaskResponder()
    msg = message("update_buying_group_status", {"solutionInterest": "analytics", "status": "x" * 51})
    pipeline(world, "update_buying_group_status", responder).handle(event(sqs_record(msg)))
    [(error, cause)] = responder.failures[msg.taskToken]
    assert error == "Action.InvalidInputs" and "status" in cause


def test_wrong_queue_and_bad_bodies(world: World) -> None:
    responder = RecordingTaskResponder()
    wrong = message("send_sms", {"sms": {"text": "hi"}}, entry="e-2")
    no_token = sqs_record(wrong, message_id="m-poison", body="not json")
    bad_shape = sqs_record(
        wrong, message_id="m-shape", body=json.dumps({"taskToken": "t-shape", "nodeId": 3})
    )
    response = pipeline(world, "change_score", responder).handle(
        event(sqs_record(wrong), no_token, bad_shape)
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-poison"}]}
    assert [e for e, _ in responder.failures[wrong.taskToken]] == ["Action.WrongQueue"]
    assert [e for e, _ in responder.failures["t-shape"]] == ["Action.InvalidMessage"]
    assert world.outbox.sms == []


def test_grouped_messages_share_lookups(world: World) -> None:
    responder = RecordingTaskResponder()
    params = {"workspace": "Default", "list": "Nurture"}
    first = message("marketo_add_to_list", params, entry="e-1")
    second = message("marketo_add_to_list", params, entry="e-2", account="globex")
    other = message("marketo_add_to_list", {"workspace": "Default", "list": 501}, entry="e-3")
    pipeline(world, "marketo_add_to_list", responder).handle(
        event(sqs_record(first), sqs_record(other), sqs_record(second))
    )
    assert responder.successes[first.taskToken] == [
        OutcomeCounts(applied=2, skipped=1, skippedByReason={"no Marketo lead": 1})
    ]
    assert responder.successes[second.taskToken] == [OutcomeCounts(applied=1)]
    lookups = [r for r in world.marketo.requests if r.path.endswith("/rest/v1/lists.json")]
    assert len(lookups) == 2  # one per distinct params, not one per message


class _Flaky:
    """Applies scores like the real executor but fails transiently at the third person, once."""

    action_id: ClassVar[str] = "change_score"
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 100

    def __init__(self) -> None:
        self.failed = False

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        done: list[ActionResult] = []
        for person in batch.people:
            if len(done) == 2 and not self.failed:
                self.failed = True
                raise Interrupted(done, TimeoutError("store timed out"))
            ctx.store.change_score(person.id, "Person Score", "+1")
            done.append(ActionResult.applied(person.id))
        return done


def test_interrupted_executor_records_progress_and_resumes(world: World) -> None:
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE)
    pipe = pipeline(world, "change_score", responder, executor=_Flaky())
    first = pipe.handle(event(sqs_record(msg)))
    assert first == {"batchItemFailures": [{"itemIdentifier": sqs_record(msg)["messageId"]}]}
    rows = world.store.ledger_get("e-1", "n-1", ["p-ana", "p-bo", "p-cy", COUNTS_MARKER])
    # The counts marker was claimed with the first chunk: held for the redelivery, nothing counted
    assert {k: v.outcome for k, v in rows.items()} == {
        "p-ana": "applied",
        "p-bo": "applied",
        "p-cy": "pending",
        COUNTS_MARKER: "pending",
    }
    assert responder.successes == {} and world.store.node_counts("onboarding") == {}
    pipe.handle(event(sqs_record(msg)))
    assert scores(world) == {"p-ana": 11.0, "p-bo": 1.0, "p-cy": 1.0}
    assert responder.successes[msg.taskToken] == [OutcomeCounts(applied=3)]
    assert world.store.node_counts("onboarding")["n-1"].applied == 3


class _Forgetful:
    action_id: ClassVar[str] = "change_score"
    idempotent: ClassVar[bool] = True
    chunk_size: ClassVar[int] = 100

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        return [ActionResult.applied(batch.people[0].id)]


def test_a_subject_without_outcome_is_failed_visibly(world: World) -> None:
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE)
    pipeline(world, "change_score", responder, executor=_Forgetful()).handle(event(sqs_record(msg)))
    [counts] = responder.successes[msg.taskToken]
    assert (counts.applied, counts.failed) == (1, 2)


def test_account_action_through_the_pipeline(world: World) -> None:
    responder = RecordingTaskResponder()
    msg = message("add_to_account_list", {"list": "installed-base"}, account="globex")
    pipe = pipeline(world, "add_to_account_list", responder)
    pipe.handle(event(sqs_record(msg)))
    pipe.handle(event(sqs_record(msg)))
    assert responder.successes[msg.taskToken] == [OutcomeCounts(applied=1)] * 2
    assert world.store.node_counts("onboarding")["n-1"].applied == 1


def test_process_message_without_sqs(world: World) -> None:
    responder = RecordingTaskResponder()
    counts = pipeline(world, "send_sms", responder).process_message(
        message("send_sms", {"sms": {"text": "hi"}})
    )
    assert counts == OutcomeCounts(applied=2, skipped=1, skippedByReason={"no phone": 1})
    assert responder.successes == {}  # no token answered: the caller owns the task


def test_local_wiring_runs_every_action_and_fills_the_outbox(store: Any) -> None:
    from journeys.executors import local_execution
    from journeys.handlers.actions import pipelines
    from journeys.model.dataset import DataSet
    from tests.unit.executors.world import DATA, seed_world

    seed_world(store)
    local = local_execution(store, DataSet.model_validate(DATA))
    responder = RecordingTaskResponder()
    every = pipelines(local.context, responder)
    assert set(every) == set(EXECUTORS)
    every["send_email"].process_message(message("send_email", {"email": {"subject": "s", "html": "h"}}))
    alert = {"solutionInterest": "analytics", "sendTo": ["owner"]}
    every["send_sales_alert"].process_message(message("send_sales_alert", alert, node="n-2"))
    every["send_sms"].process_message(message("send_sms", {"sms": {"text": "t"}}, node="n-3"))
    out = local.outbox_json()
    assert (len(out["emails"]), len(out["salesAlerts"]), len(out["sms"])) == (2, 1, 2)
    assert out["salesAlerts"][0]["to"] == ["dana@example.com"]


def test_minimal_sqs_records_are_enough(world: World) -> None:
    """The embedded runtime only has a message id and a body; that is all the pipeline reads."""
    responder = RecordingTaskResponder()
    msg = message("send_sms", {"sms": {"text": "hi"}})
    bad = {"messageId": "m-bad", "body": "{"}
    response = pipeline(world, "send_sms", responder).handle(
        {"Records": [{"messageId": "m-1", "body": msg.model_dump_json()}, bad]}
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    assert responder.successes[msg.taskToken] == [
        OutcomeCounts(applied=2, skipped=1, skippedByReason={"no phone": 1})
    ]


NURTURE = {"workspace": "Default", "list": "Nurture"}


def list_adds(world: World) -> int:
    return sum(
        1 for r in world.marketo.requests if r.method == "POST" and r.path.endswith("/lists/501/leads.json")
    )


def test_marketo_cohorts_of_several_messages_share_calls(world: World) -> None:
    # Given two entries (two accounts) reaching the same Marketo node in one SQS batch
    responder = RecordingTaskResponder()
    acme = message("marketo_add_to_list", NURTURE, entry="e-1", account="acme")
    globex = message("marketo_add_to_list", NURTURE, entry="e-2", account="globex")
    # When the batch is processed
    response = pipeline(world, "marketo_add_to_list", responder).handle(
        event(sqs_record(acme), sqs_record(globex))
    )
    # Then one call added the leads of both cohorts, and each token got its own outcome
    assert response == {"batchItemFailures": []}
    assert list_adds(world) == 1
    assert responder.successes[acme.taskToken] == [
        OutcomeCounts(applied=2, skipped=1, skippedByReason={"no Marketo lead": 1})
    ]
    [globex_counts] = responder.successes[globex.taskToken]
    assert globex_counts.applied + globex_counts.skipped == len(world.store.people_of_account("globex"))
    assert world.store.node_counts("onboarding")["n-1"].applied == 2 + globex_counts.applied


def test_a_failing_bulk_call_loses_and_repeats_nothing(world: World) -> None:
    from journeys.connectors.marketo.embedded.faults import Fault

    responder = RecordingTaskResponder()
    acme = message("marketo_add_to_list", NURTURE, entry="e-1", account="acme")
    globex = message("marketo_add_to_list", NURTURE, entry="e-2", account="globex")
    records = event(sqs_record(acme), sqs_record(globex))
    pipe = pipeline(world, "marketo_add_to_list", responder)
    # Given Marketo answering 503 to every list change
    fault = world.marketo.faults.add(
        Fault(kind="http", status=503, method="POST", path="/lists/501/", times=None)
    )
    # When the batch is processed, it fails as a whole: both messages come back
    failed = pipe.handle(records)["batchItemFailures"]
    assert {f["itemIdentifier"] for f in failed} == {"m-e-1-n-1", "m-e-2-n-1"}
    assert responder.successes == {}
    # And when Marketo recovers and SQS redelivers, each person-action happens exactly once
    world.marketo.faults.faults.remove(fault)
    assert pipe.handle(records) == {"batchItemFailures": []}
    assert pipe.handle(records) == {"batchItemFailures": []}  # a duplicate delivery changes nothing
    applied = sum(c.applied for counts in responder.successes.values() for c in counts[:1])
    assert world.store.node_counts("onboarding")["n-1"].applied == applied
    members = next(lst for lst in world.marketo.snapshot()["lists"] if lst["id"] == 501)["members"]
    assert sorted(members) == [1001, 1002, 1003]


def _claimed_meanwhile(world: World, monkeypatch: pytest.MonkeyPatch, subject: str, *, finish: bool) -> None:
    """Another consumer claims `subject` between this message's ledger read and its own claim."""
    store = world.ctx.store
    claim = store.ledger_claim_many

    def racing(entry: str, node: str, subjects: Any) -> list[str]:
        if subject in subjects and not store.ledger_get(entry, node, [subject]):
            claim(entry, node, [subject])
            if finish:
                store.ledger_record(entry, node, [ActionResult.skipped(subject, "done elsewhere")])
        return claim(entry, node, subjects)

    monkeypatch.setattr(store, "ledger_claim_many", racing)


def test_a_subject_another_consumer_is_on_sends_the_message_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another consumer that claims Bo just before this message does, and is still on it
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE)
    _claimed_meanwhile(world, monkeypatch, "p-bo", finish=False)
    # When the message is handled, then it goes back to the queue with nothing applied
    first = pipeline(world, "change_score", responder).handle(event(sqs_record(msg)))
    assert first == {"batchItemFailures": [{"itemIdentifier": sqs_record(msg)["messageId"]}]}
    assert scores(world) == {"p-ana": 10.0, "p-bo": None, "p-cy": None} and responder.successes == {}
    # And once the other consumer has recorded Bo, the redelivery applies the rest, once
    world.ctx.store.ledger_record("e-1", "n-1", [ActionResult.applied("p-bo")])
    pipeline(world, "change_score", responder).handle(event(sqs_record(msg)))
    assert scores(world) == {"p-ana": 15.0, "p-bo": None, "p-cy": 5.0}
    assert responder.successes[msg.taskToken] == [OutcomeCounts(applied=3)]


def test_a_subject_another_consumer_finished_keeps_its_outcome(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given another consumer that claims and records Bo just before this message claims him
    responder = RecordingTaskResponder()
    msg = message("change_score", SCORE)
    _claimed_meanwhile(world, monkeypatch, "p-bo", finish=True)
    # When the message is handled, then Bo keeps that outcome and the others are applied
    assert pipeline(world, "change_score", responder).handle(event(sqs_record(msg))) == {
        "batchItemFailures": []
    }
    assert scores(world) == {"p-ana": 15.0, "p-bo": None, "p-cy": 5.0}
    expected = OutcomeCounts(applied=2, skipped=1, skippedByReason={"done elsewhere": 1})
    assert responder.successes[msg.taskToken] == [expected]
