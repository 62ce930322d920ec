"""The client's answer to every Marketo error it must handle, against the embedded Marketo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.connectors.marketo import (
    MarketoApiError,
    MarketoClient,
    MarketoPermissionError,
    MarketoQuotaExhausted,
    MarketoUnavailable,
    UnlimitedRateLimiter,
    VirtualClock,
)
from journeys.connectors.marketo.embedded import EmbeddedMarketo, Fault, MarketoLimits
from journeys.connectors.marketo.retry import next_quota_reset
from journeys.outcomes import Outcome

from .conftest import seeded

TRANSIENT = ["604", "606", "608", "611", "614", "615", "713", "719"]


def _rest(marketo: EmbeddedMarketo) -> list[str]:
    return [",".join(r.codes) or str(r.status) for r in marketo.requests if not r.identity]


@pytest.mark.parametrize("code", TRANSIENT)
def test_transient_codes_are_retried_with_backoff(
    client: MarketoClient, marketo: EmbeddedMarketo, clock: VirtualClock, code: str
) -> None:
    marketo.inject(Fault("error", code=code, times=2, path="/lists/501/"))
    results = client.add_to_list(501, [1002])
    assert [r.outcome for r in results] == [Outcome.APPLIED]
    assert _rest(marketo) == [code, code, "200"]
    assert clock.slept > 0  # waited (virtually) between attempts
    if code == "606":
        assert clock.slept >= 40  # a full window each time


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_5xx_is_retried(client: MarketoClient, marketo: EmbeddedMarketo, status: int) -> None:
    marketo.inject(Fault("http", status=status, times=1))
    assert len(client.static_lists()) == 2
    assert _rest(marketo) == [str(status), "200"]


def test_timeouts_are_retried_for_idempotent_calls(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    marketo.inject(Fault("timeout", executed=True, times=1, path="/lists/501/"))
    results = client.add_to_list(501, [1002])
    assert [r.outcome for r in results] == [Outcome.APPLIED]
    assert len(_rest(marketo)) == 2


def test_campaign_request_is_not_replayed_after_an_ambiguous_timeout(
    client: MarketoClient, marketo: EmbeddedMarketo
) -> None:
    marketo.inject(Fault("timeout", executed=True, times=1, path="/trigger"))
    results = client.request_campaign(9001, [1001])
    assert results[0].outcome is Outcome.FAILED and "outcome unknown" in (results[0].reason or "")
    assert len(marketo.campaign_requests) == 1  # it did run once, and only once
    assert len(_rest(marketo)) == 1


def test_campaign_request_is_retried_when_it_never_left(
    client: MarketoClient, marketo: EmbeddedMarketo
) -> None:
    marketo.inject(Fault("timeout", executed=False, times=1, path="/trigger"))
    marketo.inject(Fault("error", code="615", times=1, path="/trigger"))
    results = client.request_campaign(9001, [1001])
    assert [r.outcome for r in results] == [Outcome.APPLIED]
    assert len(marketo.campaign_requests) == 1


def test_campaign_request_is_not_replayed_after_a_gateway_error(
    client: MarketoClient, marketo: EmbeddedMarketo
) -> None:
    marketo.inject(Fault("http", status=502, times=1, path="/trigger"))
    results = client.request_campaign(9001, [1001, 1002])
    assert {r.outcome for r in results} == {Outcome.FAILED}
    assert len(_rest(marketo)) == 1


def test_retries_give_up_with_a_typed_error(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    marketo.inject(Fault("error", code="608", times=None))
    with pytest.raises(MarketoUnavailable) as info:
        client.partitions()
    assert info.value.last_code == "608"
    assert len(_rest(marketo)) == 8  # RetryPolicy.max_attempts


def test_611_gives_up_early(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    marketo.inject(Fault("error", code="611", times=None))
    with pytest.raises(MarketoUnavailable):
        client.partitions()
    assert len(_rest(marketo)) == 3


@pytest.mark.parametrize("code", ["605", "609", "610", "612", "701", "702", "1003", "1013"])
def test_bad_request_codes_are_never_retried(
    client: MarketoClient, marketo: EmbeddedMarketo, code: str
) -> None:
    marketo.inject(Fault("error", code=code, times=None))
    with pytest.raises(MarketoApiError) as info:
        client.partitions()
    assert info.value.code == code
    assert len(_rest(marketo)) == 1


def test_permission_denied_is_typed(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    marketo.inject(Fault("error", code="603", times=None))
    with pytest.raises(MarketoPermissionError):
        client.static_lists()
    assert len(_rest(marketo)) == 1


def test_action_batch_error_fails_every_remaining_lead_without_more_calls(
    client: MarketoClient, marketo: EmbeddedMarketo
) -> None:
    results = client.add_to_list(999, list(range(1, 701)))  # list 999 does not exist
    assert len(results) == 700 and {r.outcome for r in results} == {Outcome.FAILED}
    assert results[0].reason == "1013 Object not found: static list"
    assert len(_rest(marketo)) == 1


def test_daily_quota_stops_the_work_until_midnight_central(clock: VirtualClock) -> None:
    marketo = seeded(clock, limits=MarketoLimits(daily_quota=2))
    ids = [1001, 1002, 1003, *range(5000, 5600)]  # three batches of <= 300
    with (
        MarketoClient(
            marketo.settings(), transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
        ) as client,
        pytest.raises(MarketoQuotaExhausted) as info,
    ):
        client.add_to_list(502, ids)
    err = info.value
    assert err.retry_at == next_quota_reset(clock.now())
    assert err.retry_at > datetime.fromtimestamp(clock.now(), UTC)
    assert len(err.completed) == 600  # the two batches that ran are reported, not lost
    assert _rest(marketo)[-1] == "607" and len(_rest(marketo)) == 3  # no retry of a 607
    assert marketo.contract_violations == []


def test_embedded_rate_limit_is_survived_without_a_limiter(clock: VirtualClock) -> None:
    marketo = seeded(clock, limits=MarketoLimits(calls_per_window=5))
    with MarketoClient(
        marketo.settings(), transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
    ) as client:
        for _ in range(8):
            client.partitions()
    assert marketo.error_counts()["606"] >= 1
    assert marketo.calls() == 8


def test_permission_denied_during_an_action_raises_with_what_completed(
    client: MarketoClient, marketo: EmbeddedMarketo
) -> None:
    marketo.inject(Fault("error", code="603", times=None, path="/lists/502/"))
    with pytest.raises(MarketoPermissionError) as info:
        client.add_to_list(502, [1001])
    assert info.value.completed == []
    marketo.faults.clear()
    marketo.inject(Fault("error", code="603", times=None, path="/trigger"))
    with pytest.raises(MarketoPermissionError):
        client.request_campaign(9001, [1001])
