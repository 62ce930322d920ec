"""Tokens: how they are obtained, sent, cached, renewed and refused."""

from __future__ import annotations

import random

import httpx
import pytest

from journeys.connectors.marketo import (
    MarketoAuthError,
    MarketoClient,
    MarketoConfigurationError,
    MarketoSettings,
    UnlimitedRateLimiter,
    VirtualClock,
)
from journeys.connectors.marketo.embedded import EmbeddedMarketo, Fault


def _identity(marketo: EmbeddedMarketo) -> int:
    return sum(1 for r in marketo.requests if r.identity)


def test_token_is_posted_as_a_form_and_sent_only_as_bearer(
    marketo: EmbeddedMarketo, clock: VirtualClock
) -> None:
    seen: list[httpx.Request] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return marketo.handle(request)

    with MarketoClient(marketo.settings(), transport=httpx.MockTransport(spy), clock=clock) as client:
        client.partitions()
    identity, call = seen
    assert identity.method == "POST" and identity.url.query == b""
    assert identity.headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"client_secret=embedded-secret" in identity.content
    assert call.headers["authorization"].startswith("Bearer ")
    assert "access_token" not in str(call.url)


def test_token_is_cached_across_calls(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    for _ in range(5):
        client.partitions()
    assert _identity(marketo) == 1


def test_refresh_before_expiry_returns_the_same_token_and_is_not_repeated(
    client: MarketoClient, marketo: EmbeddedMarketo, clock: VirtualClock
) -> None:
    client.partitions()
    clock.advance(3600 - 50)  # inside the 60 s refresh margin
    for _ in range(5):
        client.partitions()
    # One early renewal attempt (Marketo hands back the same token), then no more asking.
    assert _identity(marketo) == 2
    assert marketo.error_counts() == {}


def test_expires_in_zero_waits_out_the_token_then_asks_again(
    client: MarketoClient, marketo: EmbeddedMarketo, clock: VirtualClock
) -> None:
    client.partitions()
    clock.advance(3599.5)  # Marketo now answers expires_in: 0 with the dying token
    slept = clock.slept
    client.partitions()
    assert clock.slept - slept == pytest.approx(1.0)  # expires_in + 1
    assert _identity(marketo) == 3  # the 0-second answer, then a fresh token
    assert marketo.error_counts() == {}


def test_identity_401_is_a_configuration_error(marketo: EmbeddedMarketo, clock: VirtualClock) -> None:
    bad = MarketoSettings(
        base_url="https://embedded.mktorest.com", client_id="embedded-client", client_secret="no"
    )
    with (
        MarketoClient(bad, transport=marketo.transport(), clock=clock) as client,
        pytest.raises(MarketoConfigurationError, match="Bad client credentials"),
    ):
        client.partitions()
    assert [r.status for r in marketo.requests] == [401]  # not retried, no REST call made


def test_identity_5xx_is_retried(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    marketo.inject(Fault("http", status=503, identity=True, times=2))
    assert len(client.partitions()) == 2
    assert _identity(marketo) == 3


@pytest.mark.parametrize(("expire", "code"), [("revoke_tokens", "601"), ("expire_tokens", "602")])
def test_601_602_reauthenticate_once_and_replay(
    client: MarketoClient, marketo: EmbeddedMarketo, expire: str, code: str
) -> None:
    client.partitions()
    getattr(marketo, expire)()
    assert len(client.partitions()) == 2
    assert marketo.error_counts() == {code: 1}
    assert _identity(marketo) == 2


def test_a_token_refused_twice_is_an_auth_error(client: MarketoClient, marketo: EmbeddedMarketo) -> None:
    marketo.inject(Fault("error", code="601", times=2))
    with pytest.raises(MarketoAuthError):
        client.partitions()
    assert marketo.error_counts() == {"601": 2}  # one replay only


def test_secrets_never_show_in_reprs(marketo: EmbeddedMarketo, clock: VirtualClock) -> None:
    settings = marketo.settings()
    assert "embedded-secret" not in repr(settings) and "embedded-secret" not in str(settings)
    assert "embedded-secret" not in settings.model_dump_json()
    client = MarketoClient(
        settings, transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
    )
    assert "embedded" in repr(client) and "secret" not in repr(client)
    client.partitions()
    # The embedded keeps no identity query or body, so request logs cannot leak the secret.
    assert all(r.query == () and r.body is None for r in marketo.requests if r.identity)
    client.close()


def test_client_ids_are_independent(marketo: EmbeddedMarketo, clock: VirtualClock) -> None:
    rng = random.Random(3)
    first = MarketoClient(marketo.settings(), transport=marketo.transport(), clock=clock, rng=rng)
    second = MarketoClient(marketo.settings(), transport=marketo.transport(), clock=clock, rng=rng)
    first.partitions()
    second.partitions()
    assert _identity(marketo) == 2  # each client keeps its own cache
    first.close()
    second.close()
