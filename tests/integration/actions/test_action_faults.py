"""Fault tests: afterwards every person-action happened exactly once, none is lost, counts add up."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from journeys.messages import NodeEntryMessage
from journeys.outcomes import OutcomeCounts
from tests.integration.actions.conftest import COHORT, Rig
from tests.unit.executors.world import message, sqs_record

SCORE = {"score": "Behavior Score", "change": "+5"}
EMAIL = {"email": {"subject": "Hi {{ person.firstName }}", "html": "<p>{{ account.name }}</p>"}}
BIG = [f"b-{k:02d}" for k in range(COHORT)]


class Crash(BaseException):
    """The process dies: nothing after this point runs, nothing is reported to SQS."""


def msg(action: str, params: dict[str, Any], entry: str = "e-1", node: str = "n-1") -> NodeEntryMessage:
    return message(action, params, entry=entry, node=node, account="big")


def deliver(rig: Rig, action: str, messages: list[NodeEntryMessage]) -> list[str]:
    """One Lambda invocation with these SQS records; the ids SQS will redeliver."""
    response = rig.pipeline(action).handle({"Records": [sqs_record(m) for m in messages]})
    return [str(f["itemIdentifier"]) for f in response["batchItemFailures"]]


def drain(rig: Rig, action: str, messages: list[NodeEntryMessage], rounds: int = 6) -> int:
    """Deliver until SQS has nothing left to redeliver; the number of invocations it took."""
    pending = messages
    for attempt in range(1, rounds + 1):
        failed = set(deliver(rig, action, pending))
        pending = [m for m in pending if sqs_record(m)["messageId"] in failed]
        if not pending:
            return attempt
    raise AssertionError("messages still failing after redeliveries")


def scores(rig: Rig, score: str = "Behavior Score") -> dict[str, float | None]:
    return {p.id: p.scores.get(score) for p in rig.store.get_people(BIG)}


def counts(rig: Rig, node_id: str = "n-1") -> tuple[int, int, int]:
    node = rig.store.node_counts("onboarding")[node_id]
    return node.applied, node.skipped, node.failed


def answered(rig: Rig, m: NodeEntryMessage) -> list[OutcomeCounts]:
    return [OutcomeCounts.model_validate_json(o) for o in rig.sfn.answers(m.taskToken)]


class StoreProxy:
    """The real store with one method intercepted."""

    def __init__(self, real: Any, **overrides: Any) -> None:
        self._real = real
        self.__dict__.update(overrides)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_same_message_delivered_twice(rig: Rig) -> None:
    score, email = msg("change_score", SCORE), msg("send_email", EMAIL, node="n-2")
    for _ in range(2):
        assert deliver(rig, "change_score", [score]) == []
        assert deliver(rig, "send_email", [email]) == []
    assert scores(rig) == dict.fromkeys(BIG, 5.0)
    assert len(rig.sent_emails()) == COHORT
    assert sorted(e.destinations["ToAddresses"][0] for e in rig.sent_emails()) == [
        f"b{k:02d}@big.example" for k in range(COHORT)
    ]
    assert answered(rig, score) == [OutcomeCounts(applied=COHORT)] * 2
    assert answered(rig, email) == [OutcomeCounts(applied=COHORT)] * 2
    assert counts(rig, "n-1") == (COHORT, 0, 0)
    assert counts(rig, "n-2") == (COHORT, 0, 0)


@pytest.mark.parametrize("crash_at", ["claim", "answer"])
def test_crash_after_half_a_batch_then_redelivery(rig: Rig, crash_at: str) -> None:
    batch = [msg("change_score", SCORE, entry=f"e-{k}") for k in range(6)]
    real_store, sfn = rig.store, rig.sfn
    if crash_at == "claim":
        # Dies while claiming the 4th message's subjects: 3 messages done, 5 rows left pending.
        calls = {"n": 0}

        def claim(entry: str, node: str, subject: str) -> bool:
            calls["n"] += 1
            if calls["n"] == 3 * (COHORT + 1) + 6:
                raise Crash
            return bool(real_store.ledger_claim(entry, node, subject))

        def claim_many(entry: str, node: str, subjects: list[str]) -> list[str]:
            return [subject for subject in subjects if claim(entry, node, subject)]

        rig.ctx.store = StoreProxy(real_store, ledger_claim=claim, ledger_claim_many=claim_many)  # type: ignore[assignment]
    else:
        # Dies while answering the 4th task token: its person-actions are recorded, not answered.
        original = sfn.send_task_success
        crashed = {"done": False}

        def answer(taskToken: str, output: str) -> Any:
            if taskToken == batch[3].taskToken and not crashed["done"]:
                crashed["done"] = True
                raise Crash
            return original(taskToken=taskToken, output=output)

        sfn.send_task_success = answer  # type: ignore[method-assign]
    with pytest.raises(Crash):
        deliver(rig, "change_score", batch)
    assert [len(rig.sfn.answers(m.taskToken)) for m in batch] == [1, 1, 1, 0, 0, 0]

    rig.ctx.store = real_store  # the next invocation runs in a fresh process
    assert deliver(rig, "change_score", batch) == []  # a crash reports nothing: all redelivered
    assert scores(rig) == dict.fromkeys(BIG, 6 * 5.0)
    assert [len(rig.sfn.answers(m.taskToken)) for m in batch] == [2, 2, 2, 1, 1, 1]
    assert all(answered(rig, m)[-1] == OutcomeCounts(applied=COHORT) for m in batch)
    assert counts(rig) == (6 * COHORT, 0, 0)


def test_connector_failing_for_some_people(rig: Rig) -> None:
    """SES refuses some addresses for good and throttles once mid-cohort."""
    ses = rig.ses
    rejected = {f"b{k:02d}@big.example" for k in (0, 4, 8)}
    throttled = {"done": False}

    class FlakySes:
        def send_email(self, **kwargs: Any) -> Any:
            to = kwargs["Destination"]["ToAddresses"][0]
            if to in rejected:
                raise ClientError(
                    {"Error": {"Code": "MessageRejected", "Message": "bad address"}}, "SendEmail"
                )
            if to == "b06@big.example" and not throttled["done"]:
                throttled["done"] = True
                raise ClientError(
                    {"Error": {"Code": "TooManyRequestsException", "Message": "slow"}}, "SendEmail"
                )
            return ses.send_email(**kwargs)

    rig.ctx.email = type(rig.ctx.email)(client=FlakySes())  # type: ignore[call-arg]
    email = msg("send_email", EMAIL)
    assert drain(rig, "send_email", [email]) == 2  # the throttle made SQS redeliver once
    sent = sorted(e.destinations["ToAddresses"][0] for e in rig.sent_emails())
    assert sent == sorted(f"b{k:02d}@big.example" for k in range(COHORT) if k not in (0, 4, 8))
    assert answered(rig, email) == [OutcomeCounts(applied=COHORT - 3, failed=3)]
    assert counts(rig) == (COHORT - 3, 0, 3)
    rows = rig.store.ledger_get("e-1", "n-1", ["b-00", "b-06"])
    assert (rows["b-00"].outcome, rows["b-00"].reason) == ("failed", "rejected: MessageRejected")
    assert rows["b-06"].outcome == "applied"


def test_event_bus_refusing_some_entries(rig: Rig) -> None:
    """EventBridge refuses part of a PutEvents call: the publisher retries exactly those entries."""
    events = rig.ctx.events
    client = events.client  # type: ignore[attr-defined]
    accepted: list[str] = []
    calls = {"n": 0}

    class PartialBus:
        def put_events(self, Entries: list[dict[str, Any]]) -> Any:
            calls["n"] += 1
            refuse = {0, 3} if calls["n"] == 1 else set()
            keep = [e for k, e in enumerate(Entries) if k not in refuse]
            client.put_events(Entries=keep)
            accepted.extend(json.loads(e["Detail"])["personId"] for e in keep)
            ok = iter([{"EventId": "x"}] * len(keep))
            return {
                "FailedEntryCount": len(refuse),
                "Entries": [
                    {"ErrorCode": "ThrottlingException"} if k in refuse else next(ok)
                    for k in range(len(Entries))
                ],
            }

    events._client = PartialBus()  # type: ignore[attr-defined]
    score = msg("change_score", SCORE)
    assert drain(rig, "change_score", [score]) == 1
    assert sorted(accepted) == BIG  # every score change published exactly once
    assert scores(rig) == dict.fromkeys(BIG, 5.0)


def _throttle(rig: Rig, operation: str, key_prefix: str, nth: set[int]) -> list[int]:
    """Make the n-th matching DynamoDB call fail with a throttling error before it reaches moto
    (a before-call hook short-circuits botocore, so its own retries do not hide the fault)."""
    seen: list[int] = []
    thrown: list[int] = []

    class _Http:
        status_code = 400
        headers: dict[str, str] = {}

    def mark(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        # API parameters are readable before serialisation; the decision rides in the context.
        pk = params.get("Key", params.get("Item", {})).get("pk", {}).get("S", "")
        if pk.startswith(key_prefix):
            seen.append(1)
            if len(seen) in nth:
                thrown.append(len(seen))
                context["throttle"] = True

    def hook(context: dict[str, Any], **_: Any) -> Any:
        if not context.pop("throttle", False):
            return None
        error = {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}
        return _Http(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    rig.dynamodb.meta.events.register(f"before-parameter-build.dynamodb.{operation}", mark)
    rig.dynamodb.meta.events.register(f"before-call.dynamodb.{operation}", hook)
    return thrown


def test_throttled_dynamodb_writes(rig: Rig) -> None:
    score_writes = _throttle(rig, "UpdateItem", "PERSON#", {5})
    claims = _throttle(rig, "PutItem", "LEDGER#", {9})
    score = msg("change_score", SCORE)
    assert drain(rig, "change_score", [score]) == 3
    assert score_writes == [5] and claims == [9]
    assert scores(rig) == dict.fromkeys(BIG, 5.0)
    assert answered(rig, score) == [OutcomeCounts(applied=COHORT)]
    assert counts(rig) == (COHORT, 0, 0)
    rows = rig.store.ledger_get("e-1", "n-1", BIG)
    assert {r.outcome for r in rows.values()} == {"applied"} and len(rows) == COHORT
