"""The four actions and the lookups, end to end through the client and the embedded Marketo."""

from __future__ import annotations

import math

import pytest

from journeys.connectors.marketo import MarketoApi, MarketoClient, UnlimitedRateLimiter, VirtualClock
from journeys.connectors.marketo.embedded import EmbeddedMarketo
from journeys.outcomes import ActionResult, Outcome, OutcomeCounts


def _rest_calls(marketo: EmbeddedMarketo) -> list[str]:
    return [f"{r.method} {r.path}" for r in marketo.requests if not r.identity]


def test_client_satisfies_the_executor_interface(client: MarketoClient) -> None:
    api: MarketoApi = client  # checked by mypy; the call proves the wiring
    assert [p.name for p in api.partitions()] == ["Default", "EMEA"]


def test_add_to_list(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    results = client.add_to_list(501, [1002, 1001, 77])
    assert results == [
        ActionResult.applied("1002"),
        ActionResult.applied("1001"),  # already a member: still added, nothing to report
        ActionResult.skipped("77", "1004 lead not found"),
    ]
    assert marketo.snapshot()["lists"][0]["members"] == [1001, 1002]


def test_remove_non_member_is_skipped_not_failed(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    results = client.remove_from_list(501, [1001, 1002, 42])
    assert results == [
        ActionResult.applied("1001"),
        ActionResult.skipped("1002", "1015 not in list"),
        ActionResult.skipped("42", "1004 lead not found"),
    ]
    counts = OutcomeCounts.of(results)
    assert counts.skippedByReason == {"1015 not in list": 1, "1004 lead not found": 1}
    assert marketo.snapshot()["lists"][0]["members"] == []


def test_request_campaign_with_tokens(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    results = client.request_campaign(9001, [1001, 1002], {"offer": "20% off", "{{my.cta}}": "Book"})
    assert {r.outcome for r in results} == {Outcome.APPLIED}
    (run,) = marketo.campaign_requests
    assert run.lead_ids == [1001, 1002]
    assert run.tokens == {"{{my.offer}}": "20% off", "{{my.cta}}": "Book"}


def test_request_of_a_batch_campaign_fails_every_lead_once(
    client: MarketoClient, marketo: EmbeddedMarketo
) -> None:
    results = client.request_campaign(9002, list(range(1, 251)))
    assert {r.outcome for r in results} == {Outcome.FAILED} and len(results) == 250
    assert "1003" in (results[0].reason or "")
    assert len(_rest_calls(marketo)) == 1


def test_request_campaign_token_maximum(client: MarketoClient) -> None:
    with pytest.raises(ValueError, match="100 tokens"):
        client.request_campaign(9001, [1001], {f"t{i}": "v" for i in range(101)})


def test_change_partition(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    results = client.change_partition([1001, 1003, 8], "EMEA")
    assert [r.outcome for r in results] == [Outcome.APPLIED, Outcome.APPLIED, Outcome.SKIPPED]
    partitions = {lead["id"]: lead["partition"] for lead in marketo.snapshot()["leads"]}
    assert partitions == {1001: "EMEA", 1002: "Default", 1003: "EMEA"}


def test_change_to_an_unknown_partition_fails(client: MarketoClient) -> None:
    (result,) = client.change_partition([1001], "Mars")
    assert result.outcome is Outcome.FAILED and "unknown partition" in (result.reason or "")


@pytest.mark.parametrize(
    ("action", "size"),
    [("add", 300), ("remove", 300), ("partition", 300), ("campaign", 100)],
)
def test_batches_hit_the_lower_bound(clock: VirtualClock, action: str, size: int) -> None:
    n = 1234
    marketo = EmbeddedMarketo(clock=clock).seed(
        ["Default"],
        ["Default", "EMEA"],
        [{"id": i, "email": f"p{i}@x.example"} for i in range(1, n + 1)],
        [{"id": 1, "name": "L", "members": list(range(1, n + 1, 2))}],
        [{"id": 1, "name": "C", "requestable": True}],
    )
    ids = list(range(1, n + 1))
    with MarketoClient(
        marketo.settings(), transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
    ) as client:
        results = {
            "add": lambda: client.add_to_list(1, ids),
            "remove": lambda: client.remove_from_list(1, ids),
            "partition": lambda: client.change_partition(ids, "EMEA"),
            "campaign": lambda: client.request_campaign(1, ids),
        }[action]()
    assert len(results) == n and [r.subject for r in results] == [str(i) for i in ids]
    assert marketo.calls() == math.ceil(n / size)
    assert marketo.contract_violations == []


def test_duplicates_are_sent_once(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    results = client.add_to_list(502, [1001, 1001, 1002])
    assert [r.subject for r in results] == ["1001", "1002"]


def test_lookups(client: MarketoClient) -> None:
    assert [w.name for w in client.workspaces()] == ["Default", "EMEA"]
    assert [(s.id, s.workspace) for s in client.static_lists()] == [(501, "Default"), (502, "EMEA")]
    assert [s.id for s in client.static_lists("EMEA")] == [502]
    assert [c.id for c in client.campaigns()] == [9001, 9003]
    assert [c.id for c in client.campaigns("EMEA")] == [9003]
    every = client.campaigns(requestable_only=False)
    assert [(c.id, c.requestable) for c in every] == [(9001, True), (9002, False), (9003, True)]
    assert [(p.id, p.name) for p in client.partitions()] == [(1, "Default"), (2, "EMEA")]


def test_lookups_follow_paging_tokens(clock: VirtualClock) -> None:
    marketo = EmbeddedMarketo(clock=clock, check_responses=True).seed(
        ["Default"], ["Default"], [], [{"id": i, "name": f"L{i}"} for i in range(1, 702)], []
    )
    with MarketoClient(
        marketo.settings(), transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
    ) as client:
        assert [s.id for s in client.static_lists()] == list(range(1, 702))
    assert marketo.calls() == 3
    assert marketo.response_problems == []


def test_leads_by_email(client: MarketoClient) -> None:
    found = client.leads_by_email(["ANA@acme.example", "cy@globex.example", "ghost@nowhere.example", ""])
    assert found == {"ANA@acme.example": 1001, "cy@globex.example": 1003}


def test_leads_by_email_in_batches(clock: VirtualClock) -> None:
    n = 650
    marketo = EmbeddedMarketo(clock=clock).seed(
        ["Default"], ["Default"], [{"id": i, "email": f"p{i}@x.example"} for i in range(1, n + 1)], [], []
    )
    with MarketoClient(
        marketo.settings(), transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
    ) as client:
        found = client.leads_by_email([f"p{i}@x.example" for i in range(1, n + 1)])
    assert len(found) == n and found["p650@x.example"] == 650
    assert marketo.calls() == 3


def test_duplicate_leads_resolve_to_the_oldest(clock: VirtualClock) -> None:
    marketo = EmbeddedMarketo(clock=clock).seed(
        ["Default"],
        ["Default"],
        [{"id": 7, "email": "a@x.example"}, {"id": 3, "email": "A@x.example"}],
        [],
        [],
    )
    with MarketoClient(marketo.settings(), transport=marketo.transport(), clock=clock) as client:
        assert client.leads_by_email(["a@x.example"]) == {"a@x.example": 3}


def test_membership(client: MarketoClient) -> None:
    assert client.membership(501, [1001, 1002, 9]) == {1001: True, 1002: False, 9: False}
