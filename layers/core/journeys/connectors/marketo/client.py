"""The Marketo Engage REST client (httpx, sync) behind the four Marketo actions and the lookups."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from journeys.connectors.marketo.auth import TokenProvider
from journeys.connectors.marketo.clock import Clock, SystemClock
from journeys.connectors.marketo.envelope import Envelope
from journeys.connectors.marketo.errors import (
    MarketoApiError,
    MarketoAuthError,
    MarketoError,
    MarketoPermissionError,
    MarketoProtocolError,
    MarketoQuotaExhausted,
    MarketoUnavailable,
)
from journeys.connectors.marketo.models import Campaign, Partition, StaticList, Workspace
from journeys.connectors.marketo.ratelimit import InProcessRateLimiter, RateLimiter
from journeys.connectors.marketo.results import (
    ADD_OK,
    PARTITION_OK,
    REMOVE_OK,
    chunks,
    failed_all,
    map_records,
    unique_ids,
)
from journeys.connectors.marketo.retry import (
    AUTH_CODES,
    PERMISSION_CODE,
    QUOTA_CODE,
    RETRYABLE_CODES,
    RetryPolicy,
    next_quota_reset,
)
from journeys.connectors.marketo.settings import MarketoSettings
from journeys.outcomes import ActionResult

logger = logging.getLogger(__name__)

LIST_BATCH = 300  # ids per list add / remove / ismember call
PARTITION_BATCH = 300  # leads per partition change (the Lead DB batch maximum)
CAMPAIGN_BATCH = 100  # leads per Request Campaign call
CAMPAIGN_TOKENS_MAX = 100
FILTER_BATCH = 300  # filterValues per Get Leads by Filter call
# Marketo answers 414 above 8 KB of URI; keep filter queries well below with room for the rest.
FILTER_QUERY_BUDGET = 6000
PAGE_SIZE = 300
_AMBIGUOUS_HTTP = frozenset({500, 502, 504})


class MarketoOutcomeUnknown(MarketoUnavailable):
    """A non-idempotent call may or may not have run (timed out after being sent)."""


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    params: list[tuple[str, str | int]] = field(default_factory=list)
    json: Any = None
    long: bool = False  # endpoints whose server timeout is 60 s
    idempotent: bool = True


class _RedactQuery(logging.Filter):
    """httpx logs request URLs at INFO; ours carry emails in filter queries, so drop query strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 2:
            url = args[1]
            if isinstance(url, httpx.URL):
                record.args = (args[0], url.copy_with(query=None), *args[2:])
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactQuery) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactQuery())


class MarketoClient:
    """Implements `MarketoApi` over HTTP; pass `transport=` to reach an embedded Marketo."""

    def __init__(
        self,
        settings: MarketoSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock or SystemClock()
        self._limiter = limiter or InProcessRateLimiter(clock=self._clock)
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        t = settings.timeouts
        self._http = httpx.Client(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(t.default_read, connect=t.connect),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._tokens = TokenProvider(settings, self._http, self._clock, rng=self._rng)
        self.calls = 0  # REST calls sent (identity excluded), for cost reports and benchmarks

    def __repr__(self) -> str:
        return f"MarketoClient(base_url={self._settings.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MarketoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- actions ------------------------------------------------------------------------------

    def add_to_list(self, list_id: int, lead_ids: Sequence[int]) -> list[ActionResult]:
        """Add leads to a static list, 300 ids a call; unknown leads are skipped (1004)."""
        path = f"/rest/v1/lists/{int(list_id)}/leads.json"
        return self._per_record(
            unique_ids(lead_ids),
            LIST_BATCH,
            ADD_OK,
            lambda ids: _Call("POST", path, json={"input": [{"id": i} for i in ids]}),
        )

    def remove_from_list(self, list_id: int, lead_ids: Sequence[int]) -> list[ActionResult]:
        """Remove leads from a static list; non-members are skipped (1015), not failed."""
        path = f"/rest/v1/lists/{int(list_id)}/leads.json"

        def call(ids: Sequence[int]) -> _Call:
            # The contract marks both the `id` query and the JSON body as required on this DELETE;
            # sending the same ids in both satisfies it whichever one Marketo reads.
            return _Call(
                "DELETE", path, params=[("id", i) for i in ids], json={"input": [{"id": i} for i in ids]}
            )

        return self._per_record(unique_ids(lead_ids), LIST_BATCH, REMOVE_OK, call)

    def request_campaign(
        self, campaign_id: int, lead_ids: Sequence[int], tokens: Mapping[str, str] | None = None
    ) -> list[ActionResult]:
        """Request a trigger campaign for leads, 100 a call, with optional {{my.*}} token overrides."""
        token_list = [{"name": _token_name(k), "value": str(v)} for k, v in (tokens or {}).items()]
        if len(token_list) > CAMPAIGN_TOKENS_MAX:
            raise ValueError(f"Request Campaign takes at most {CAMPAIGN_TOKENS_MAX} tokens")
        path = f"/rest/v1/campaigns/{int(campaign_id)}/trigger.json"
        ids = unique_ids(lead_ids)
        results: list[ActionResult] = []
        batches = list(chunks(ids, CAMPAIGN_BATCH))
        for n, batch in enumerate(batches):
            body: dict[str, Any] = {"leads": [{"id": i} for i in batch]}
            if token_list:
                body["tokens"] = token_list
            try:
                self._send(_Call("POST", path, json={"input": body}, idempotent=False))
            except MarketoOutcomeUnknown as exc:
                results += failed_all(batch, f"outcome unknown, not retried: {exc}")
                continue
            except MarketoPermissionError as exc:
                exc.completed = results + exc.completed
                raise
            except MarketoApiError as exc:
                # Response-level errors (unknown or non-requestable campaign) hold for every batch.
                rest = [i for b in batches[n:] for i in b]
                return results + failed_all(rest, f"{exc.code} {exc.marketo_message}")
            except MarketoError as exc:
                exc.completed = results + exc.completed
                raise
            # Marketo returns no per-lead status here: a sent request is all we can know.
            results += [ActionResult.applied(str(i)) for i in batch]
        return results

    def change_partition(self, lead_ids: Sequence[int], partition_name: str) -> list[ActionResult]:
        """Move leads to another person partition, 300 a call."""
        return self._per_record(
            unique_ids(lead_ids),
            PARTITION_BATCH,
            PARTITION_OK,
            lambda ids: _Call(
                "POST",
                "/rest/v1/leads/partitions.json",
                json={"input": [{"id": i, "partitionName": partition_name} for i in ids]},
                long=True,
            ),
        )

    def membership(self, list_id: int, lead_ids: Sequence[int]) -> dict[int, bool]:
        """Which leads are members of a static list (unknown leads are reported as non-members)."""
        out: dict[int, bool] = {}
        for batch in chunks(unique_ids(lead_ids), LIST_BATCH):
            env = self._envelope(
                _Call("GET", f"/rest/v1/lists/{int(list_id)}/leads/ismember.json", [("id", i) for i in batch])
            )
            statuses = {r.get("id"): r.get("status") for r in env.result if isinstance(r, dict)}
            out.update({i: statuses.get(i) == "memberof" for i in batch})
        return out

    # -- lookups ------------------------------------------------------------------------------

    def workspaces(self) -> list[Workspace]:
        body = self._send(_Call("GET", "/userservice/management/v1/users/workspaces.json"))
        items = body if isinstance(body, list) else Envelope.model_validate(body).result
        return [Workspace.model_validate(w) for w in items if isinstance(w, dict)]

    def static_lists(self, workspace: str | None = None) -> list[StaticList]:
        params: list[tuple[str, str | int]] = [("workspaceName", workspace)] if workspace else []
        return [StaticList.model_validate(r) for r in self._pages("/rest/v1/lists.json", params)]

    def campaigns(self, workspace: str | None = None, requestable_only: bool = True) -> list[Campaign]:
        """Campaigns; `requestable` comes from Marketo's `isTriggerable=true` filter."""
        params: list[tuple[str, str | int]] = [("workspaceName", workspace)] if workspace else []
        triggerable = list(self._pages("/rest/v1/campaigns.json", [*params, ("isTriggerable", "true")]))
        if requestable_only:
            return [Campaign.model_validate({**r, "requestable": True}) for r in triggerable]
        requestable = {r.get("id") for r in triggerable}
        return [
            Campaign.model_validate({**r, "requestable": r.get("id") in requestable})
            for r in self._pages("/rest/v1/campaigns.json", params)
        ]

    def partitions(self) -> list[Partition]:
        env = self._envelope(_Call("GET", "/rest/v1/leads/partitions.json"))
        return [Partition.model_validate(r) for r in env.result if isinstance(r, dict)]

    def leads_by_email(self, emails: Iterable[str]) -> dict[str, int]:
        """Lead id per email (case-insensitive); emails without a lead are absent from the result."""
        wanted: dict[str, str] = {}
        for email in emails:
            if email and email.strip():
                wanted.setdefault(email.strip().lower(), email)
        found: dict[str, int] = {}
        for batch in _filter_batches(list(wanted)):
            params: list[tuple[str, str | int]] = [
                ("filterType", "email"),
                ("filterValues", ",".join(batch)),
                ("fields", "id,email"),
            ]
            for row in self._pages("/rest/v1/leads.json", params, long=True):
                row_email, lead_id = row.get("email"), row.get("id")
                if not isinstance(row_email, str) or not isinstance(lead_id, int):
                    continue
                key = row_email.lower()
                if key in wanted:
                    # Duplicate leads share an email; the oldest (lowest id) is the stable choice.
                    original = wanted[key]
                    found[original] = min(lead_id, found.get(original, lead_id))
        return found

    # -- plumbing -----------------------------------------------------------------------------

    def _per_record(
        self,
        ids: list[int],
        size: int,
        ok: frozenset[str],
        make: Any,
    ) -> list[ActionResult]:
        results: list[ActionResult] = []
        batches = list(chunks(ids, size))
        for n, batch in enumerate(batches):
            try:
                env = self._envelope(make(batch))
            except MarketoPermissionError as exc:
                # A role or IP problem is the stack's configuration, not these people's outcome.
                exc.completed = results + exc.completed
                raise
            except MarketoApiError as exc:
                # A response-level error concerns the request as a whole (list unknown, no
                # permission): the remaining batches would fail the same way.
                rest = [i for b in batches[n:] for i in b]
                return results + failed_all(rest, f"{exc.code} {exc.marketo_message}")
            except MarketoError as exc:
                exc.completed = results + exc.completed
                raise
            results += map_records(batch, env, ok)
        return results

    def _pages(
        self, path: str, params: list[tuple[str, str | int]], *, long: bool = False
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        seen: set[str] = set()
        page: list[tuple[str, str | int]]
        while True:
            page = [*params, ("batchSize", PAGE_SIZE)]
            if token:
                page.append(("nextPageToken", token))
            env = self._envelope(_Call("GET", path, page, long=long))
            yield from (r for r in env.result if isinstance(r, dict))
            token = env.next_page_token
            if not token or not env.result or token in seen:
                return
            seen.add(token)

    def _envelope(self, call: _Call) -> Envelope:
        body = self._send(call)
        try:
            return Envelope.model_validate(body)
        except ValidationError as exc:
            raise MarketoProtocolError(f"{call.method} {call.path}: not a Marketo envelope") from exc

    def _send(self, call: _Call) -> Any:
        """One logical call: rate-limited, authenticated, retried; returns the JSON body on success."""
        attempt = 0
        reauthenticated = False
        started = self._clock.now()
        t = self._settings.timeouts
        timeout = httpx.Timeout(t.long_read if call.long else t.default_read, connect=t.connect)
        while True:
            token = self._tokens.token()
            code: str | None
            try:
                with self._limiter.acquire():
                    self.calls += 1
                    response = self._http.request(
                        call.method,
                        call.path,
                        params=list(call.params) or None,
                        json=call.json,
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=timeout,
                    )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                code = type(exc).__name__  # never reached Marketo: safe to retry anything
            except httpx.TransportError as exc:
                if not call.idempotent:
                    raise MarketoOutcomeUnknown(f"{call.method} {call.path}: {type(exc).__name__}") from exc
                code = type(exc).__name__
            else:
                if response.status_code >= 500:
                    if not call.idempotent and response.status_code in _AMBIGUOUS_HTTP:
                        raise MarketoOutcomeUnknown(f"{call.method} {call.path}: HTTP {response.status_code}")
                    code = str(response.status_code)
                elif response.status_code != 200:
                    raise MarketoApiError(
                        str(response.status_code),
                        f"HTTP {response.status_code} for {call.method} {call.path}",
                    )
                else:
                    body = _json(response, call)
                    errors = _errors(body)
                    if errors is None:
                        return body
                    codes = [c for c, _ in errors]
                    if AUTH_CODES.intersection(codes):
                        if reauthenticated:
                            raise MarketoAuthError("Marketo refused a freshly issued access token")
                        self._tokens.invalidate(token)
                        reauthenticated = True
                        continue  # replay once, outside the backoff budget
                    if QUOTA_CODE in codes:
                        raise MarketoQuotaExhausted(next_quota_reset(self._clock.now()))
                    request_id = body.get("requestId") if isinstance(body, dict) else None
                    messages = dict(errors)
                    if PERMISSION_CODE in codes:
                        raise MarketoPermissionError(
                            PERMISSION_CODE, messages[PERMISSION_CODE], request_id=request_id
                        )
                    fatal = [c for c in codes if c not in RETRYABLE_CODES]
                    if fatal:
                        raise MarketoApiError(fatal[0], messages[fatal[0]], request_id=request_id)
                    code = codes[0]
            attempt += 1
            elapsed = self._clock.now() - started
            if not self._retry.allows(attempt, code, elapsed):
                raise MarketoUnavailable(
                    f"{call.method} {call.path}: gave up after {attempt} attempts (last: {code})",
                    last_code=code,
                )
            delay = self._retry.delay(attempt, code, self._rng)
            logger.info("Marketo %s %s: %s, retrying in %.1fs", call.method, call.path, code, delay)
            self._clock.sleep(delay)


def _json(response: httpx.Response, call: _Call) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise MarketoProtocolError(f"{call.method} {call.path}: response is not JSON") from exc


def _errors(body: Any) -> list[tuple[str, str]] | None:
    """The response-level errors, or None when the call succeeded (bare arrays are successes)."""
    if isinstance(body, list):
        return None
    if not isinstance(body, dict):
        raise MarketoProtocolError("response is neither a JSON object nor an array")
    env = Envelope.model_validate(body)
    if env.success:
        return None
    if not env.errors:
        return [("unknown", "success is false and no error was given")]
    return [(e.code, e.message) for e in env.errors]


def _token_name(name: str) -> str:
    """Marketo wants {{my.name}}; accept `name`, `my.name` or the full form."""
    n = name.strip()
    if n.startswith("{{") and n.endswith("}}"):
        return n
    if not n.startswith("my."):
        n = f"my.{n}"
    return "{{" + n + "}}"


def _filter_batches(values: list[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for value in values:
        cost = len(quote(value, safe="")) + 3  # the encoded comma
        if batch and (len(batch) >= FILTER_BATCH or size + cost > FILTER_QUERY_BUDGET):
            yield batch
            batch, size = [], 0
        batch.append(value)
        size += cost
    if batch:
        yield batch
