"""The HTTP API routes (Powertools APIGatewayHttpResolver, validated against pydantic models).

Identity comes from API Gateway's authorizer (JWT), configured on every route in template.yaml;
no route reads an identity from the request itself.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from journeys.api import service
from journeys.api.deps import ApiDependencies
from journeys.api.errors import ApiError, NotFoundError, UpstreamError
from journeys.api.models import (
    AccountListOut,
    AccountListsOut,
    AudienceCreate,
    AudienceListOut,
    AudienceOut,
    CampaignOut,
    CampaignsOut,
    CatalogOut,
    DeletedOut,
    DestinationOut,
    DestinationsOut,
    DuplicateRequest,
    EntriesOut,
    EntriesRequest,
    ErrorBody,
    GatewayError,
    JourneyDraft,
    JourneyListOut,
    JourneyOut,
    JourneySummaryOut,
    JourneyUpdate,
    LiveJourneyOut,
    LiveJourneysOut,
    MarketoListOut,
    MarketoListsOut,
    NamedOut,
    NodesOut,
    PartitionsOut,
    SolutionInterestsOut,
    ValidationOut,
    WorkspacesOut,
)
from journeys.api.ports import MarketoLookups, merge_journeys, solution_interests
from journeys.catalog import ACTIONS, EVENT_TYPES
from journeys.issues import Issue
from journeys.model.journey_record import JourneyStatus, JourneySummary
from journeys.model.lists import ExternalAudience
from journeys.store.records import Entry

TITLE = "Account Journeys API"
VERSION = "1.0.0"

logger = Logger(service="account-journeys")


def _error(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


# Documented on every route, so a client (and schemathesis) knows the error shape.
COMMON: dict[int, OpenAPIResponse] = {
    400: _error("Malformed request"),
    401: {
        "description": "No valid JWT (answered by API Gateway's authorizer)",
        "content": {"application/json": {"model": GatewayError}},
    },
    415: _error("The body is not JSON"),
    422: _error("Request or journey invalid: issues name each field"),
    500: _error("Internal error"),
}


def ok(errors: dict[int, OpenAPIResponse], status: int = 200) -> dict[int, OpenAPIResponse]:
    """The route's documented answers: its success (schema from the return type) and its errors."""
    return {status: {"description": "Success"}, **errors}


ONE = {**COMMON, 404: _error("Not found")}
CHANGE = {**ONE, 409: _error("The journey's status or a concurrent change forbids this")}
UPSTREAM = {**ONE, 502: _error("Marketo or AWS unavailable")}
CHANGE_UPSTREAM = {**CHANGE, 502: _error("Marketo or AWS unavailable")}


def _body(status: int, code: str, message: str, issues: list[Issue] | None = None) -> Response[Any]:
    body = ErrorBody(error=code, message=message, issues=issues)
    return Response(
        status_code=status,
        content_type="application/json",
        body=body.model_dump_json(exclude_none=True),
    )


def _request_issues(exc: RequestValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        where, field = (loc[0], ".".join(loc[1:])) if loc else ("request", "")
        issues.append(Issue(node=where, field=field or "(root)", message=str(err.get("msg", "is invalid"))))
    return issues


class JsonHttpResolver(APIGatewayHttpResolver):
    """Accepts JSON bodies only. Powertools would also parse form and multipart bodies, and fail
    with a 500 on a malformed multipart header; this API has no use for either."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        body = event.get("body")
        if body and content_type not in ("", "application/json"):
            return _raw(_body(415, "unsupported_media_type", f"send application/json, not '{content_type}'"))
        if body and event.get("isBase64Encoded"):
            try:
                base64.b64decode(str(body), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return _raw(_body(400, "bad_request", "the body is not UTF-8 encoded JSON"))
        return super().resolve(event, context)


def _raw(response: Response[Any]) -> dict[str, Any]:
    """An API Gateway proxy result for an answer given before routing."""
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": "application/json"},
        "body": response.body,
        "isBase64Encoded": False,
    }


def build_app(deps: ApiDependencies) -> APIGatewayHttpResolver:
    """A resolver bound to its dependencies (one per Lambda container, one per test)."""
    app = JsonHttpResolver(enable_validation=True)

    def _api_error(exc: ApiError) -> Response[Any]:
        return _body(exc.status, exc.code, exc.message, exc.issues)

    def _invalid_request(exc: RequestValidationError) -> Response[Any]:
        return _body(
            422, "invalid_request", "the request does not match the API schema", _request_issues(exc)
        )

    @app.not_found
    def _not_found(exc: Exception) -> Response[Any]:
        return _body(404, "not_found", "no such route")

    def _internal(exc: Exception) -> Response[Any]:
        # Log the type and stack only: events and bodies may hold personal data and tokens.
        logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
        return _body(500, "internal_error", "internal error; see the function logs")

    # Registered by call rather than as decorators: Powertools' decorator is untyped.
    app.exception_handler(ApiError)(_api_error)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(Exception)(_internal)

    # ---- catalog ------------------------------------------------------------------------

    @app.get(
        "/actions",
        tags=["catalog"],
        summary="The action catalog with input schemas",
        responses=ok(COMMON, 200),
    )
    def list_actions() -> CatalogOut:
        return CatalogOut.model_validate(
            {
                "actions": [a.describe() for a in ACTIONS.values()],
                "events": [e.describe() for e in EVENT_TYPES.values()],
            }
        )

    # ---- journeys -----------------------------------------------------------------------

    @app.post(
        "/journeys", tags=["journeys"], summary="Create a draft", status_code=201, responses=ok(CHANGE, 201)
    )
    def create_journey(body: Annotated[JourneyDraft, Body()]) -> JourneyOut:
        return service.journey_out(service.create(deps, body.model_dump(mode="json", exclude_none=True)))

    @app.get("/journeys", tags=["journeys"], summary="List journeys", responses=ok(COMMON, 200))
    def list_journeys(status: Annotated[JourneyStatus | None, Query()] = None) -> JourneyListOut:
        records = sorted(deps.store.list_journeys(), key=lambda r: r.id)
        return JourneyListOut(
            journeys=[
                JourneySummaryOut(
                    id=r.id, name=r.name, status=r.status, liveVersion=r.liveVersion, updatedAt=r.updatedAt
                )
                for r in records
                if status is None or r.status == status
            ]
        )

    @app.get("/journeys/<journey_id>", tags=["journeys"], summary="Get a journey", responses=ok(ONE, 200))
    def get_journey(journey_id: str) -> JourneyOut:
        return service.journey_out(service.load(deps, journey_id))

    @app.put(
        "/journeys/<journey_id>",
        tags=["journeys"],
        summary="Replace a draft's definition",
        responses=ok(CHANGE, 200),
    )
    def update_journey(journey_id: str, body: Annotated[JourneyUpdate, Body()]) -> JourneyOut:
        definition = body.model_dump(mode="json", exclude_none=True)
        return service.journey_out(service.update(deps, journey_id, definition))

    @app.delete(
        "/journeys/<journey_id>",
        tags=["journeys"],
        summary="Delete a draft, finished or aborted journey",
        responses=ok(CHANGE, 200),
    )
    def delete_journey(journey_id: str) -> DeletedOut:
        service.delete(deps, journey_id)
        return DeletedOut(id=journey_id)

    @app.post(
        "/journeys/<journey_id>/validate",
        tags=["journeys"],
        summary="Validate the definition (graph, inputs, references)",
        responses=ok({**ONE, 502: _error("Marketo unavailable")}, 200),
    )
    def validate_journey(journey_id: str) -> ValidationOut:
        return service.validate(deps, journey_id)

    @app.post(
        "/journeys/<journey_id>/publish",
        tags=["journeys"],
        summary="Validate, compile, deploy the state machine and freeze the version",
        responses=ok(CHANGE_UPSTREAM, 200),
    )
    def publish_journey(journey_id: str) -> JourneyOut:
        return service.journey_out(service.publish(deps, journey_id))

    @app.post(
        "/journeys/<journey_id>/close",
        tags=["journeys"],
        summary="Close to new entries",
        responses=ok(CHANGE, 200),
    )
    def close_journey(journey_id: str) -> JourneyOut:
        return service.journey_out(service.close(deps, journey_id))

    @app.post(
        "/journeys/<journey_id>/abort",
        tags=["journeys"],
        summary="Abort: stop every running entry",
        responses=ok(CHANGE_UPSTREAM, 200),
    )
    def abort_journey(journey_id: str) -> JourneyOut:
        return service.journey_out(service.abort(deps, journey_id))

    @app.post(
        "/journeys/<journey_id>/duplicate",
        tags=["journeys"],
        summary="Copy into a new draft",
        status_code=201,
        responses=ok(CHANGE, 201),
    )
    def duplicate_journey(journey_id: str, body: Annotated[DuplicateRequest, Body()]) -> JourneyOut:
        return service.journey_out(service.duplicate(deps, journey_id, body.id, body.name))

    # ---- entries and counts ---------------------------------------------------------------

    @app.post(
        "/journeys/<journey_id>/entries",
        tags=["entries"],
        summary="Accounts enter the live journey now (idempotent per idempotencyKey)",
        status_code=202,
        responses=ok(CHANGE_UPSTREAM, 202),
    )
    def enter_accounts(journey_id: str, body: Annotated[EntriesRequest, Body()]) -> EntriesOut:
        return service.enter(deps, journey_id, body)

    @app.get(
        "/journeys/<journey_id>/nodes",
        tags=["entries"],
        summary="Per-node counts: entered, applied, skipped, failed, waiting",
        responses=ok(ONE, 200),
    )
    def journey_nodes(journey_id: str) -> NodesOut:
        return service.node_counts(deps, journey_id)

    @app.get(
        "/journeys/<journey_id>/entries/<entry_id>",
        tags=["entries"],
        summary="An entry and its path",
        responses=ok(ONE, 200),
    )
    def get_entry(journey_id: str, entry_id: str) -> Entry:
        return service.entry(deps, journey_id, entry_id)

    # ---- external audiences ---------------------------------------------------------------

    @app.post(
        "/audiences",
        tags=["audiences"],
        summary="Create an external audience",
        status_code=201,
        responses=ok(COMMON, 201),
    )
    def create_audience(body: Annotated[AudienceCreate, Body()]) -> AudienceOut:
        audience = ExternalAudience(
            id=deps.new_id("aud"), name=body.name, description=body.description, destination=body.destination
        )
        deps.store.put_audience(audience)
        return _audience_out(audience)

    @app.get("/audiences", tags=["audiences"], summary="List external audiences", responses=ok(COMMON, 200))
    def list_audiences() -> AudienceListOut:
        return AudienceListOut(audiences=[_audience_out(a) for a in deps.store.list_audiences()])

    # ---- lookups --------------------------------------------------------------------------

    @app.get("/lookups/account-lists", tags=["lookups"], summary="Account lists", responses=ok(COMMON, 200))
    def account_lists(actionable: Annotated[bool | None, Query()] = None) -> AccountListsOut:
        lists = deps.store.list_account_lists() or deps.reference_data().accountLists
        return AccountListsOut(
            accountLists=[
                AccountListOut(id=x.id, name=x.name, kind=x.kind, status=x.status, actionable=x.actionable)
                for x in lists
                if actionable is None or x.actionable is actionable
            ]
        )

    @app.get(
        "/lookups/journeys",
        tags=["lookups"],
        summary="Live account journeys (action targets)",
        responses=ok(COMMON, 200),
    )
    def live_journeys() -> LiveJourneysOut:
        snapshot = merge_journeys(
            [JourneySummary(id=r.id, name=r.name, status=r.status) for r in deps.store.list_journeys()],
            deps.reference_data().journeys,
        )
        return LiveJourneysOut(
            journeys=[
                LiveJourneyOut(id=j.id, name=j.name, kind=j.kind)
                for j in snapshot
                if j.status is JourneyStatus.LIVE
            ]
        )

    @app.get(
        "/lookups/solution-interests",
        tags=["lookups"],
        summary="Solution interests with their roles and stages",
        responses=ok(COMMON, 200),
    )
    def list_solution_interests() -> SolutionInterestsOut:
        return SolutionInterestsOut(
            solutionInterests=solution_interests(deps.store, deps.reference_data().solutionInterests)
        )

    @app.get("/lookups/destinations", tags=["lookups"], summary="Destinations", responses=ok(COMMON, 200))
    def destinations() -> DestinationsOut:
        return DestinationsOut(
            destinations=[
                DestinationOut(id=d.id, name=d.name, kind=d.kind) for d in deps.reference_data().destinations
            ]
        )

    @app.get(
        "/lookups/marketo/workspaces",
        tags=["lookups"],
        summary="Marketo workspaces",
        responses=ok(UPSTREAM, 200),
    )
    def marketo_workspaces() -> WorkspacesOut:
        return WorkspacesOut(workspaces=[NamedOut(id=w.id, name=w.name) for w in _marketo().workspaces()])

    @app.get(
        "/lookups/marketo/lists",
        tags=["lookups"],
        summary="Marketo static lists",
        responses=ok(UPSTREAM, 200),
    )
    def marketo_lists(workspace: Annotated[str | None, Query(min_length=1)] = None) -> MarketoListsOut:
        found = _marketo().static_lists(workspace)
        return MarketoListsOut(
            lists=[MarketoListOut(id=x.id, name=x.name, workspace=x.workspace) for x in found]
        )

    @app.get(
        "/lookups/marketo/campaigns",
        tags=["lookups"],
        summary="Requestable Marketo campaigns",
        responses=ok(UPSTREAM, 200),
    )
    def marketo_campaigns(workspace: Annotated[str | None, Query(min_length=1)] = None) -> CampaignsOut:
        found = _marketo().campaigns(workspace, requestable_only=True)
        return CampaignsOut(
            campaigns=[
                CampaignOut(id=c.id, name=c.name, workspace=c.workspace, requestable=c.requestable)
                for c in found
            ]
        )

    @app.get(
        "/lookups/marketo/partitions",
        tags=["lookups"],
        summary="Marketo person partitions",
        responses=ok(UPSTREAM, 200),
    )
    def marketo_partitions() -> PartitionsOut:
        return PartitionsOut(partitions=[NamedOut(id=p.id, name=p.name) for p in _marketo().partitions()])

    def _marketo() -> MarketoLookups:
        if deps.marketo is None:
            raise NotFoundError("Marketo Engage is not configured for this deployment")
        return _Guarded(deps.marketo)

    return app


class _Guarded:
    """Turns a Marketo client failure into a 502 with a reason instead of a 500."""

    def __init__(self, inner: MarketoLookups) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except ApiError:
                raise
            except Exception as exc:
                raise UpstreamError(f"Marketo lookup failed: {type(exc).__name__}") from exc

        return call


def _audience_out(audience: ExternalAudience) -> AudienceOut:
    return AudienceOut(
        id=audience.id,
        name=audience.name,
        description=audience.description,
        destination=audience.destination,
        memberCount=len(audience.members),
    )
