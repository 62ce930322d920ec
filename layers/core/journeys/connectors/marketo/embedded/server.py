"""The embedded Marketo: REST endpoints the client uses, Marketo's limits and error codes, and a
record of every request, reachable through an httpx transport. Time is a `Clock` (virtual by
default), so limits, token expiry and latency play out without sleeping.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from journeys.connectors.marketo.clock import Clock, VirtualClock
from journeys.connectors.marketo.contract import ContractViolation, SwaggerContract, official_contract
from journeys.connectors.marketo.embedded.faults import Fault, FaultPlan
from journeys.connectors.marketo.embedded.state import MarketoState
from journeys.connectors.marketo.retry import quota_day
from journeys.connectors.marketo.settings import MarketoSettings
from journeys.model.marketo import MarketoData

IDENTITY_PATH = "/identity/oauth/token"
BASE_URL = "https://embedded.mktorest.com"
# Response-level errors that Marketo does not count against the rate limit or the quota.
_UNCOUNTED = frozenset({"600", "601", "602", "604", "605", "606", "607", "608", "611", "615"})
# The Swagger types the trigger response as full Campaign records, but the docs (and Marketo)
# answer `result: [{"id": <campaignId>}]`; the embedded follows the docs, so it is not checked.
_DOCUMENTED_SHAPE = re.compile(r"/rest/v1/campaigns/\d+/trigger\.json")
_DEFAULT_FIELDS = ("id", "email", "firstName", "lastName", "createdAt", "updatedAt")


@dataclass(frozen=True)
class MarketoLimits:
    """Marketo's documented limits (defaults are the real ones)."""

    calls_per_window: int = 100
    window_seconds: float = 20.0
    concurrency: int = 10
    daily_quota: int = 50_000
    token_lifetime: int = 3600
    list_batch: int = 300
    partition_batch: int = 300
    campaign_leads: int = 100
    campaign_tokens: int = 100
    filter_values: int = 300
    filter_max_matches: int = 1000
    page_size: int = 300


@dataclass(frozen=True)
class ServedRequest:
    """One request as received (secrets never recorded) and how it was answered."""

    at: float
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any
    status: int
    codes: tuple[str, ...]
    identity: bool
    counted: bool
    contract_problems: tuple[str, ...] = ()


class _Reply(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class _Incoming:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    raw: bytes
    problems: tuple[str, ...]
    body: Any = None


@dataclass
class _Ctx:
    query: dict[str, list[str]]
    body: Any
    match: re.Match[str]


@dataclass
class CampaignRequest:
    at: float
    campaign_id: int
    lead_ids: list[int]
    tokens: dict[str, str] = field(default_factory=dict)


class EmbeddedMarketo:
    """An in-process Marketo instance; `client = MarketoClient(m.settings(), transport=m.transport(), clock=m.clock)`."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        limits: MarketoLimits | None = None,
        client_id: str = "embedded-client",
        client_secret: str = "embedded-secret",  # noqa: S107 - a local stand-in, not a credential
        strict_contract: bool = True,
        check_responses: bool = False,
        contract: SwaggerContract | None = None,
    ) -> None:
        self.clock: Clock = clock or VirtualClock()
        self.limits = limits or MarketoLimits()
        self.faults = FaultPlan()
        self.strict_contract = strict_contract
        self.check_responses = check_responses
        self._contract = contract or official_contract()
        self._client_id = client_id
        self._client_secret = client_secret
        self._state = MarketoState()
        self._lock = threading.RLock()
        self._tokens: dict[str, float] = {}  # token -> expiry
        self._current: str | None = None
        self._window: deque[float] = deque()
        self._daily: Counter[str] = Counter()
        self._in_flight = 0
        self._seq = 0
        self._created = _iso(self.clock.now())
        self.requests: list[ServedRequest] = []
        self.contract_violations: list[ContractViolation] = []
        self.response_problems: list[str] = []
        self.campaign_requests: list[CampaignRequest] = []
        self.max_in_flight = 0
        self._routes: list[tuple[str, re.Pattern[str], Callable[[_Ctx], Any]]] = [
            ("POST", re.compile(r"/rest/v1/lists/(\d+)/leads\.json"), self._add_to_list),
            ("DELETE", re.compile(r"/rest/v1/lists/(\d+)/leads\.json"), self._remove_from_list),
            ("GET", re.compile(r"/rest/v1/lists/(\d+)/leads/ismember\.json"), self._is_member),
            ("GET", re.compile(r"/rest/v1/lists\.json"), self._get_lists),
            ("POST", re.compile(r"/rest/v1/campaigns/(\d+)/trigger\.json"), self._trigger),
            ("GET", re.compile(r"/rest/v1/campaigns\.json"), self._get_campaigns),
            ("GET", re.compile(r"/rest/v1/leads/partitions\.json"), self._get_partitions),
            ("POST", re.compile(r"/rest/v1/leads/partitions\.json"), self._change_partitions),
            ("GET", re.compile(r"/rest/v1/leads\.json"), self._get_leads),
            ("GET", re.compile(r"/userservice/management/v1/users/workspaces\.json"), self._workspaces),
        ]

    # -- set-up and inspection ---------------------------------------------------------------

    def seed(  # noqa: PLR0917 - the signature mirrors the data set's `marketo:` keys
        self,
        workspaces: list[str],
        partitions: list[str],
        leads: list[dict[str, Any]],
        lists: list[dict[str, Any]],
        campaigns: list[dict[str, Any]],
        emails: list[dict[str, Any]] | None = None,
    ) -> EmbeddedMarketo:
        """Replace the instance's data with the data set's `marketo:` section."""
        data = MarketoData.model_validate(
            {
                "workspaces": workspaces,
                "partitions": partitions,
                "leads": leads,
                "lists": lists,
                "campaigns": campaigns,
                "emails": emails or [],
            }
        )
        with self._lock:
            self._state = MarketoState.from_data(data)
        return self

    @classmethod
    def from_data(cls, marketo: Mapping[str, Any] | None, **kwargs: Any) -> EmbeddedMarketo:
        data = MarketoData.model_validate(dict(marketo or {}))
        return cls(**kwargs).seed(
            data.workspaces,
            data.partitions,
            [x.model_dump() for x in data.leads],
            [x.model_dump() for x in data.lists],
            [x.model_dump() for x in data.campaigns],
            [x.model_dump() for x in data.emails],
        )

    def snapshot(self) -> dict[str, Any]:
        """The current data in the same shape `seed` takes."""
        with self._lock:
            return self._state.to_data()

    def settings(self, base_url: str = BASE_URL) -> MarketoSettings:
        """Settings with this instance's (stand-in) credentials."""
        return MarketoSettings(
            base_url=base_url, client_id=self._client_id, client_secret=self._client_secret
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def calls(self) -> int:
        """REST calls that counted against Marketo's limits (identity excluded)."""
        return sum(1 for r in self.requests if r.counted)

    def error_counts(self) -> Counter[str]:
        return Counter(code for r in self.requests for code in r.codes)

    def expire_tokens(self) -> None:
        """Make every issued token expire now (the next REST call gets 602)."""
        with self._lock:
            now = self.clock.now()
            self._tokens = {t: min(exp, now) for t, exp in self._tokens.items()}

    def revoke_tokens(self) -> None:
        """Forget every issued token (the next REST call gets 601)."""
        with self._lock:
            self._tokens.clear()
            self._current = None

    def inject(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    # -- the transport ------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method.upper(), request.url.path
        query = [(k, v) for k, v in request.url.params.multi_items()]
        raw = request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        problems = self._contract.check_request(method, path, query, headers, raw)
        identity = path == IDENTITY_PATH
        if problems:
            violation = ContractViolation(method, path, problems)
            with self._lock:
                self.contract_violations.append(violation)
            if self.strict_contract:
                raise violation
        incoming = _Incoming(method, path, query, headers, raw, tuple(problems), _parse_body(raw, headers))
        if identity:
            return self._identity(incoming)
        return self._rest(request, incoming)

    def _identity(self, inc: _Incoming) -> httpx.Response:
        method, path, query, headers, raw = inc.method, inc.path, inc.query, inc.headers, inc.raw
        params = dict(query)
        if raw and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(raw.decode()))
        for fault in self.faults.take(method, path, identity=True):
            if fault.kind == "timeout":
                raise httpx.ConnectTimeout("injected identity timeout")
            if fault.kind == "http":
                self._record(inc, fault.status, (), counted=False)
                return httpx.Response(fault.status, text="<html>gateway error</html>")
            if fault.kind == "latency":
                self.clock.sleep(fault.seconds)
        ok = params.get("client_id") == self._client_id and params.get("client_secret") == self._client_secret
        if not ok:
            self._record(inc, 401, (), counted=False)
            return httpx.Response(
                401, json={"error": "invalid_client", "error_description": "Bad client credentials"}
            )
        with self._lock:
            now = self.clock.now()
            token = self._current
            if token is None or self._tokens.get(token, 0.0) <= now:
                token = f"{secrets.token_hex(16)}:emb"
                self._tokens[token] = now + self.limits.token_lifetime
                self._current = token
            remaining = int(self._tokens[token] - now)  # whole seconds left: 0 when under one
        # The scope is the API-only user's email: not recorded, like the secret.
        self._record(inc, 200, (), counted=False)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "bearer",
                "expires_in": remaining,
                "scope": "api-user@embedded.invalid",
            },
        )

    def _rest(self, request: httpx.Request, inc: _Incoming) -> httpx.Response:
        method, path, headers = inc.method, inc.path, inc.headers
        auth_error = self._check_token(headers.get("authorization", ""))
        if auth_error:
            return self._answer(inc, _error(self._rid(), *auth_error), counted=False)
        faults = self.faults.take(method, path)
        injected = next((f for f in faults if f.kind == "error"), None)
        if injected and injected.code in _UNCOUNTED:
            return self._answer(inc, _error(self._rid(), injected.code, "injected"), counted=False)
        with self._lock:
            now = self.clock.now()
            while self._window and self._window[0] <= now - self.limits.window_seconds:
                self._window.popleft()
            day = quota_day(now)
            refusal: tuple[str, str] | None = None
            if self._daily[day] >= self.limits.daily_quota:
                refusal = ("607", "Daily quota reached")
            elif self._in_flight >= self.limits.concurrency:
                refusal = ("615", "Concurrent access limit reached")
            elif len(self._window) >= self.limits.calls_per_window:
                refusal = (
                    "606",
                    f"Max rate limit '{self.limits.calls_per_window}' exceeded with in '20' secs",
                )
            if refusal is None:
                self._window.append(now)
                self._daily[day] += 1
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
        if refusal is not None:
            return self._answer(inc, _error(self._rid(), *refusal), counted=False)
        try:
            for fault in faults:
                if fault.kind == "latency":
                    self.clock.sleep(fault.seconds)
            timeout = next((f for f in faults if f.kind == "timeout"), None)
            if timeout and not timeout.executed:
                self._record(inc, 0, ("timeout",), counted=True)
                raise httpx.ConnectTimeout("injected timeout before the request ran", request=request)
            http_fault = next((f for f in faults if f.kind == "http"), None)
            if http_fault:
                self._record(inc, http_fault.status, (), counted=True)
                return httpx.Response(http_fault.status, text="<html><body>Bad Gateway</body></html>")
            if injected:
                payload = _error(self._rid(), injected.code, "injected")
            else:
                payload = self._route(method, path, inc.query, inc.body)
            if timeout:
                self._record(inc, 0, ("timeout",), counted=True)
                raise httpx.ReadTimeout("injected timeout after the request ran", request=request)
            return self._answer(inc, payload, counted=True)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _check_token(self, authorization: str) -> tuple[str, str] | None:
        if not authorization.startswith("Bearer ") or not authorization[7:].strip():
            return ("600", "Access token not specified")
        token = authorization[7:].strip()
        with self._lock:
            expiry = self._tokens.get(token)
            if expiry is None:
                return ("601", "Access token invalid")
            if expiry <= self.clock.now():
                return ("602", "Access token expired")
        return None

    def _route(self, method: str, path: str, query: list[tuple[str, str]], body: Any) -> Any:
        params: dict[str, list[str]] = {}
        for key, value in query:
            params.setdefault(key, []).append(value)
        for verb, pattern, handler in self._routes:
            m = pattern.fullmatch(path)
            if m and verb == method:
                try:
                    with self._lock:
                        return handler(_Ctx(params, body, m))
                except _Reply as reply:
                    return _error(self._rid(), reply.code, reply.message)
        return _error(self._rid(), "610", "Requested resource not found (not served by the embedded Marketo)")

    def _answer(self, inc: _Incoming, payload: Any, *, counted: bool) -> httpx.Response:
        method, path = inc.method, inc.path
        codes: tuple[str, ...] = ()
        if isinstance(payload, dict) and not payload.get("success", True):
            codes = tuple(str(e.get("code")) for e in payload.get("errors", []))
            if counted and set(codes) & _UNCOUNTED:
                counted = False
        if self.check_responses and not _DOCUMENTED_SHAPE.fullmatch(path):
            found = self._contract.check_response(method, path, 200, payload)
            if found:
                with self._lock:
                    self.response_problems += [f"{method} {path}: {p}" for p in found]
        self._record(inc, 200, codes, counted=counted)
        return httpx.Response(200, json=payload)

    def _record(self, inc: _Incoming, status: int, codes: tuple[str, ...], *, counted: bool) -> None:
        identity = inc.path == IDENTITY_PATH
        # Identity requests carry the client secret: neither their query nor their body is kept.
        query = () if identity else tuple(inc.query)
        body = None if identity else inc.body
        served = ServedRequest(
            self.clock.now(),
            inc.method,
            inc.path,
            query,
            body,
            status,
            codes,
            identity,
            counted,
            inc.problems,
        )
        with self._lock:
            self.requests.append(served)

    def _rid(self) -> str:
        with self._lock:
            self._seq += 1
            return f"{self._seq:x}#{int(self.clock.now() * 1000):x}"

    def _ok(self, result: list[Any], next_token: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requestId": self._rid(),
            "success": True,
            "errors": [],
            "warnings": [],
            "result": result,
        }
        if next_token:
            out["nextPageToken"] = next_token
            out["moreResult"] = True
        return out

    # -- endpoints ----------------------------------------------------------------------------

    def _list_ids(self, ctx: _Ctx) -> list[int]:
        if isinstance(ctx.body, dict) and isinstance(ctx.body.get("input"), list):
            ids = [int(x["id"]) for x in ctx.body["input"]]
        else:
            ids = [int(v) for raw in ctx.query.get("id", []) for v in raw.split(",") if v]
        if not ids:
            raise _Reply("1003", "Invalid data: no lead ids")
        if len(ids) > self.limits.list_batch:
            raise _Reply("1003", f"Invalid data: at most {self.limits.list_batch} ids per call")
        return ids

    def _static_list(self, ctx: _Ctx) -> Any:
        found = self._state.lists.get(int(ctx.match.group(1)))
        if found is None:
            raise _Reply("1013", "Object not found: static list")
        return found

    def _add_to_list(self, ctx: _Ctx) -> Any:
        target = self._static_list(ctx)
        ids = self._list_ids(ctx)
        result: list[dict[str, Any]] = []
        for i in ids:
            if i not in self._state.leads:
                result.append(_skipped(i, "1004", "Lead not found"))
                continue
            target.members[i] = None
            result.append({"id": i, "status": "added"})
        return self._ok(result)

    def _remove_from_list(self, ctx: _Ctx) -> Any:
        target = self._static_list(ctx)
        ids = self._list_ids(ctx)
        result: list[dict[str, Any]] = []
        for i in ids:
            if i not in self._state.leads:
                result.append(_skipped(i, "1004", "Lead not found"))
            elif i not in target.members:
                result.append(_skipped(i, "1015", "Lead not in list"))
            else:
                del target.members[i]
                result.append({"id": i, "status": "removed"})
        return self._ok(result)

    def _is_member(self, ctx: _Ctx) -> Any:
        target = self._static_list(ctx)
        result: list[dict[str, Any]] = []
        for i in self._list_ids(ctx):
            if i not in self._state.leads:
                result.append(_skipped(i, "1004", "Lead not found"))
            else:
                result.append({"id": i, "status": "memberof" if i in target.members else "notmemberof"})
        return self._ok(result)

    def _get_lists(self, ctx: _Ctx) -> Any:
        ids = {int(v) for v in _csv(ctx.query, "id")}
        names = set(_csv(ctx.query, "name"))
        spaces = set(_csv(ctx.query, "workspaceName"))
        rows = [
            {
                "id": x.id,
                "name": x.name,
                "workspaceName": x.workspace,
                "createdAt": self._created,
                "updatedAt": self._created,
            }
            for x in self._state.lists.values()
            if (not ids or x.id in ids)
            and (not names or x.name in names)
            and (not spaces or x.workspace in spaces)
        ]
        return self._page(ctx, rows)

    def _trigger(self, ctx: _Ctx) -> Any:
        campaign_id = int(ctx.match.group(1))
        campaign = self._state.campaigns.get(campaign_id)
        if campaign is None:
            raise _Reply("1013", "Object not found: campaign")
        data = ctx.body.get("input") if isinstance(ctx.body, dict) else None
        if not isinstance(data, dict):
            raise _Reply("1003", "Invalid data: input is required")
        leads = [int(x["id"]) for x in data.get("leads", [])]
        tokens = {str(t["name"]): str(t["value"]) for t in data.get("tokens", [])}
        if len(leads) > self.limits.campaign_leads:
            raise _Reply("1003", f"Invalid data: at most {self.limits.campaign_leads} leads per call")
        if len(data.get("tokens", [])) > self.limits.campaign_tokens:
            raise _Reply("1003", f"Invalid data: at most {self.limits.campaign_tokens} tokens per call")
        if not campaign.requestable:
            raise _Reply("1003", "Invalid data: campaign is not a requestable trigger campaign")
        known = [i for i in leads if i in self._state.leads]
        self.campaign_requests.append(CampaignRequest(self.clock.now(), campaign_id, known, tokens))
        return self._ok([{"id": campaign_id}])

    def _get_campaigns(self, ctx: _Ctx) -> Any:
        ids = {int(v) for v in _csv(ctx.query, "id")}
        names = set(_csv(ctx.query, "name"))
        spaces = set(_csv(ctx.query, "workspaceName"))
        triggerable = ctx.query.get("isTriggerable", ["false"])[-1] == "true"
        rows = [
            {
                "id": x.id,
                "name": x.name,
                "description": "",
                "type": "trigger" if x.requestable else "batch",
                "active": x.requestable,
                "workspaceName": x.workspace,
                "createdAt": self._created,
                "updatedAt": self._created,
            }
            for x in self._state.campaigns.values()
            if (not ids or x.id in ids)
            and (not names or x.name in names)
            and (not spaces or x.workspace in spaces)
            and (not triggerable or x.requestable)
        ]
        return self._page(ctx, rows)

    def _get_partitions(self, ctx: _Ctx) -> Any:
        return self._ok(
            [{"id": n, "name": name, "description": ""} for n, name in enumerate(self._state.partitions, 1)]
        )

    def _change_partitions(self, ctx: _Ctx) -> Any:
        items = ctx.body.get("input") if isinstance(ctx.body, dict) else None
        if not isinstance(items, list) or not items:
            raise _Reply("1003", "Invalid data: input is required")
        if len(items) > self.limits.partition_batch:
            raise _Reply("1003", f"Invalid data: at most {self.limits.partition_batch} leads per call")
        result: list[dict[str, Any]] = []
        for item in items:
            lead = self._state.leads.get(int(item["id"]))
            name = str(item.get("partitionName") or "")
            if lead is None:
                result.append(_skipped(int(item["id"]), "1004", "Lead not found"))
            elif not name:
                result.append(_skipped(lead.id, "1009", "Partition name must be specified"))
            elif name not in self._state.partitions:
                result.append(_skipped(lead.id, "1003", f"Invalid data: unknown partition '{name}'"))
            else:
                lead.partition = name
                result.append({"id": lead.id, "status": "updated"})
        return self._ok(result)

    def _get_leads(self, ctx: _Ctx) -> Any:
        filter_type = (ctx.query.get("filterType") or [""])[-1]
        values = _csv(ctx.query, "filterValues")
        if len(values) > self.limits.filter_values:
            raise _Reply("1003", f"Invalid data: at most {self.limits.filter_values} filter values")
        if filter_type == "email":
            wanted = {v.lower() for v in values}
            matches = [x for x in self._state.leads.values() if x.email and x.email.lower() in wanted]
        elif filter_type == "id":
            wanted_ids = {int(v) for v in values if v.lstrip("-").isdigit()}
            matches = [x for x in self._state.leads.values() if x.id in wanted_ids]
        else:
            raise _Reply("1011", f"Field '{filter_type}' not supported as filterType")
        if len(matches) > self.limits.filter_max_matches:
            raise _Reply("1003", "Too many results match the filter")
        fields = _csv(ctx.query, "fields") or list(_DEFAULT_FIELDS)
        rows = []
        for lead in sorted(matches, key=lambda x: x.id):
            full = {
                "id": lead.id,
                "email": lead.email,
                "leadPartitionId": self._state.partition_id(lead.partition),
            }
            rows.append({k: full.get(k) for k in fields if k == "id" or k in full})
        return self._page(ctx, rows)

    def _workspaces(self, ctx: _Ctx) -> Any:
        return [
            {
                "id": n,
                "name": name,
                "description": "",
                "status": "active",
                "currencyInfo": "USD",
                "globalViz": 0,
                "createdAt": self._created,
                "updatedAt": self._created,
            }
            for n, name in enumerate(self._state.workspaces, 1)
        ]

    def _page(self, ctx: _Ctx, rows: list[dict[str, Any]]) -> Any:
        size = int((ctx.query.get("batchSize") or [str(self.limits.page_size)])[-1])
        if not 1 <= size <= self.limits.page_size:
            raise _Reply("1003", f"Invalid data: batchSize must be 1..{self.limits.page_size}")
        start = 0
        tokens = ctx.query.get("nextPageToken") or []
        if tokens:
            token = tokens[-1]
            try:
                start = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
            except ValueError as exc:
                raise _Reply("1003", "Invalid data: nextPageToken") from exc
        end = start + size
        more = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(rows) else None
        return self._ok(rows[start:end], more)


def _skipped(lead_id: int, code: str, message: str) -> dict[str, Any]:
    return {"id": lead_id, "status": "skipped", "reasons": [{"code": code, "message": message}]}


def _error(request_id: str, code: str, message: str) -> dict[str, Any]:
    return {
        "requestId": request_id,
        "success": False,
        "errors": [{"code": code, "message": message}],
        "warnings": [],
        "result": [],
    }


def _csv(query: dict[str, list[str]], key: str) -> list[str]:
    return [part for raw in query.get(key, []) for part in raw.split(",") if part]


def _parse_body(raw: bytes, headers: dict[str, str]) -> Any:
    if not raw:
        return None
    if headers.get("content-type", "").startswith("application/json"):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
