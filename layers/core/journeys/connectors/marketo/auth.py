"""OAuth client-credentials tokens from Marketo's identity endpoint, cached per client."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from journeys.connectors.marketo.clock import Clock
from journeys.connectors.marketo.envelope import IdentityError, TokenResponse
from journeys.connectors.marketo.errors import (
    MarketoConfigurationError,
    MarketoProtocolError,
    MarketoUnavailable,
)
from journeys.connectors.marketo.retry import RetryPolicy
from journeys.connectors.marketo.settings import MarketoSettings

IDENTITY_PATH = "/identity/oauth/token"


@dataclass
class _Cached:
    value: str
    expires_at: float
    # Marketo hands back the same token until it expires, so once an early refresh has been
    # tried there is no point asking again until the token is nearly dead.
    renewal_tried: bool = False


class TokenProvider:
    """Gets, caches and renews the access token; thread-safe so workers do not stampede identity."""

    def __init__(
        self,
        settings: MarketoSettings,
        http: httpx.Client,
        clock: Clock,
        *,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._http = http
        self._clock = clock
        self._retry = retry or RetryPolicy(max_attempts=4, max_elapsed_seconds=60.0)
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._cached: _Cached | None = None
        self.identity_calls = 0

    def token(self) -> str:
        with self._lock:
            now = self._clock.now()
            cached = self._cached
            if cached is not None:
                remaining = cached.expires_at - now
                if remaining > self._settings.token_refresh_margin:
                    return cached.value
                if remaining > self._settings.token_min_lifetime and cached.renewal_tried:
                    return cached.value
            self._cached = self._fetch(previous=cached)
            return self._cached.value

    def invalidate(self, token: str | None = None) -> None:
        """Forget the token (after 601/602); a token other than `token` is kept (already renewed)."""
        with self._lock:
            if self._cached is not None and (token is None or self._cached.value == token):
                self._cached = None

    def _fetch(self, previous: _Cached | None) -> _Cached:
        waited_out = 0
        while True:
            resp = self._ask()
            if resp.expires_in <= self._settings.token_min_lifetime and waited_out < 2:
                # A token about to die (expires_in 0 happens) cannot be renewed early: wait it
                # out, then the identity endpoint mints a fresh one.
                self._clock.sleep(resp.expires_in + 1)
                waited_out += 1
                continue
            renewal_tried = resp.expires_in <= self._settings.token_refresh_margin or (
                previous is not None and previous.value == resp.access_token
            )
            return _Cached(resp.access_token, self._clock.now() + resp.expires_in, renewal_tried)

    def _ask(self) -> TokenResponse:
        attempt = 0
        started = self._clock.now()
        s = self._settings
        while True:
            attempt += 1
            problem: str
            try:
                # POST with a form body: the secret stays out of URLs, proxies and access logs.
                response = self._http.post(
                    IDENTITY_PATH,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": s.client_id.get_secret_value(),
                        "client_secret": s.client_secret.get_secret_value(),
                    },
                    timeout=httpx.Timeout(s.timeouts.default_read, connect=s.timeouts.connect),
                )
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code in (400, 401, 403):
                    raise MarketoConfigurationError(_identity_refusal(response))
                if response.status_code >= 500:
                    problem = f"HTTP {response.status_code}"
                elif response.status_code != 200:
                    raise MarketoProtocolError(f"identity endpoint answered HTTP {response.status_code}")
                else:
                    return _parse_token(response)
            elapsed = self._clock.now() - started
            if not self._retry.allows(attempt, None, elapsed):
                raise MarketoUnavailable(f"identity endpoint unavailable ({problem})")
            self._clock.sleep(self._retry.delay(attempt, None, self._rng))


def _identity_refusal(response: httpx.Response) -> str:
    detail = ""
    try:
        err = IdentityError.model_validate(response.json())
        detail = f": {err.error} {err.error_description}".rstrip()
    except (ValueError, ValidationError):
        pass
    return (
        f"Marketo identity refused the client credentials (HTTP {response.status_code}{detail}); "
        "check the client id/secret secret and the instance URL"
    )


def _parse_token(response: httpx.Response) -> TokenResponse:
    try:
        body = response.json()
    except ValueError as exc:
        raise MarketoProtocolError("identity endpoint returned a non-JSON body") from exc
    if isinstance(body, dict) and "access_token" not in body:
        # Some gateways answer 200 with an OAuth error body instead of 401.
        err = IdentityError.model_validate(body)
        raise MarketoConfigurationError(
            f"Marketo identity returned no token ({err.error or 'no error given'}); check credentials"
        )
    try:
        return TokenResponse.model_validate(body)
    except ValidationError as exc:
        raise MarketoProtocolError("identity response is not a token response") from exc
