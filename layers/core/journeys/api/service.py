"""What the routes do, apart from HTTP: lifecycle, publishing, entries, counts, lookups."""

from __future__ import annotations

import hashlib
from typing import Any

from journeys.api.deps import ApiDependencies
from journeys.api.errors import ConflictError, InvalidJourneyError, NotFoundError, UpstreamError
from journeys.api.models import (
    EntriesOut,
    EntriesRequest,
    EntryOutcome,
    EntryResult,
    JourneyOut,
    NodeCountsOut,
    NodesOut,
    ValidationOut,
    VersionOut,
)
from journeys.api.ports import marketo_section, merge_journeys, solution_interests
from journeys.compiler.errors import CompileError
from journeys.definition.model import Journey
from journeys.definition.validate import validate_definition
from journeys.messages import ExecutionInput
from journeys.model.dataset import DataSet
from journeys.model.journey_record import (
    JourneyStatus,
    JourneySummary,
    JourneyVersion,
    LifecycleError,
    next_status,
)
from journeys.orchestration.entries import eligibility
from journeys.store.records import Entry, JourneyRecord
from journeys.store.repository import Conflict

MAX_SLUG = 128


def entry_id(journey_id: str, version: int, account_id: str, idempotency_key: str) -> str:
    """Deterministic, so a retried request names the same entry and the same execution.
    Valid as a Step Functions execution name (<= 80 characters of [A-Za-z0-9-_])."""
    digest = hashlib.sha256("\x1f".join((journey_id, str(version), account_id, idempotency_key)).encode())
    return f"{journey_id[:40]}-v{version}-{digest.hexdigest()[:32]}"


def journey_out(record: JourneyRecord) -> JourneyOut:
    return JourneyOut(
        id=record.id,
        name=record.name,
        status=record.status,
        definition=record.definition,
        createdAt=record.createdAt,
        updatedAt=record.updatedAt,
        liveVersion=record.liveVersion,
        versions=[
            VersionOut(version=v.version, publishedAt=v.publishedAt, stateMachineArn=v.stateMachineArn)
            for v in record.versions
        ],
        revision=record.revision,
    )


def load(deps: ApiDependencies, journey_id: str) -> JourneyRecord:
    record = deps.store.get_journey(journey_id)
    if record is None:
        raise NotFoundError(f"journey '{journey_id}' does not exist")
    return record


def _save(deps: ApiDependencies, record: JourneyRecord, expected: int | None) -> JourneyRecord:
    try:
        return deps.store.save_journey(record, expected)
    except Conflict as exc:
        raise ConflictError(f"journey '{record.id}' changed meanwhile; read it again and retry") from exc


def _transition(record: JourneyRecord, operation: str) -> JourneyStatus:
    try:
        return next_status(record.status, operation)
    except LifecycleError as exc:
        raise ConflictError(str(exc)) from exc


def create(deps: ApiDependencies, definition: dict[str, Any]) -> JourneyRecord:
    journey_id = str(definition["id"])
    if deps.store.get_journey(journey_id) is not None:
        raise ConflictError(f"journey '{journey_id}' already exists")
    now = deps.timestamp()
    record = JourneyRecord(
        id=journey_id, name=str(definition["name"]), definition=definition, createdAt=now, updatedAt=now
    )
    return _save(deps, record, None)


def update(deps: ApiDependencies, journey_id: str, definition: dict[str, Any]) -> JourneyRecord:
    record = load(deps, journey_id)
    if definition.get("id") not in (None, journey_id):
        raise ConflictError(
            f"the definition's id '{definition['id']}' is not the journey's id '{journey_id}'"
        )
    _transition(record, "update")
    changed = record.model_copy(
        update={
            "definition": {**definition, "id": journey_id},
            "name": str(definition["name"]),
            "updatedAt": deps.timestamp(),
        }
    )
    return _save(deps, changed, record.revision)


def delete(deps: ApiDependencies, journey_id: str) -> None:
    record = load(deps, journey_id)
    _transition(record, "delete")
    deps.store.delete_journey(journey_id)


def reference_snapshot(deps: ApiDependencies) -> DataSet:
    """What exists, for reference checks: configured data + the store + the Marketo instance."""
    base = deps.reference_data()
    stored = [JourneySummary(id=r.id, name=r.name, status=r.status) for r in deps.store.list_journeys()]
    marketo = base.marketo
    if deps.marketo is not None:
        try:
            marketo = marketo_section(deps.marketo, base.marketo)
        except Exception as exc:  # any client failure: never validate against a guess
            raise UpstreamError(f"Marketo lookups failed: {type(exc).__name__}") from exc
    return base.model_copy(
        update={
            "accountLists": deps.store.list_account_lists() or base.accountLists,
            "solutionInterests": solution_interests(deps.store, base.solutionInterests),
            "journeys": merge_journeys(stored, base.journeys),
            "audiences": deps.store.list_audiences() or base.audiences,
            "marketo": marketo,
        }
    )


def validate(deps: ApiDependencies, journey_id: str) -> ValidationOut:
    record = load(deps, journey_id)
    report = validate_definition(record.definition, reference_snapshot(deps))
    return ValidationOut(valid=report.ok, referencesChecked=True, issues=report.issues)


def publish(deps: ApiDependencies, journey_id: str) -> JourneyRecord:
    """Validate, compile, create or update the state machine, and freeze the published version."""
    record = load(deps, journey_id)
    status = _transition(record, "publish")
    report = validate_definition(record.definition, reference_snapshot(deps))
    if not report.ok or report.journey is None:
        raise InvalidJourneyError(f"journey '{journey_id}' is invalid", issues=report.issues)
    version = len(record.versions) + 1
    try:
        asl = deps.compile(report.journey)
    except CompileError as exc:
        raise InvalidJourneyError(f"journey '{journey_id}' cannot be compiled", issues=exc.issues) from exc
    arn = deps.state_machines.deploy(journey_id, asl, version)
    now = deps.timestamp()
    frozen = JourneyVersion(
        version=version, definition=record.definition, publishedAt=now, stateMachineArn=arn
    )
    changed = record.model_copy(
        update={
            "status": status,
            "liveVersion": version,
            "versions": [*record.versions, frozen],
            "updatedAt": now,
        }
    )
    return _save(deps, changed, record.revision)


def close(deps: ApiDependencies, journey_id: str) -> JourneyRecord:
    record = load(deps, journey_id)
    status = _transition(record, "close")
    return _save(
        deps, record.model_copy(update={"status": status, "updatedAt": deps.timestamp()}), record.revision
    )


def abort(deps: ApiDependencies, journey_id: str) -> JourneyRecord:
    """Stop every running entry, then mark the journey aborted."""
    record = load(deps, journey_id)
    status = _transition(record, "abort")
    now = deps.timestamp()
    for entry in deps.store.entries_of(journey_id):
        if entry.status != "running":
            continue
        if entry.executionArn:
            deps.entries.stop_entry(entry.executionArn, f"journey '{journey_id}' aborted")
        deps.store.update_entry(entry.entryId, status="aborted", endedAt=now)
    return _save(deps, record.model_copy(update={"status": status, "updatedAt": now}), record.revision)


def duplicate(
    deps: ApiDependencies, journey_id: str, new_id: str | None, new_name: str | None
) -> JourneyRecord:
    record = load(deps, journey_id)
    if new_id is None:
        new_id = _free_copy_id(deps, journey_id)
    name = new_name or f"{record.name} (copy)"[:200]
    return create(deps, {**record.definition, "id": new_id, "name": name})


def _free_copy_id(deps: ApiDependencies, journey_id: str) -> str:
    for n in range(1, 1000):
        suffix = "-copy" if n == 1 else f"-copy-{n}"
        candidate = journey_id[: MAX_SLUG - len(suffix)] + suffix
        if deps.store.get_journey(candidate) is None:
            return candidate
    raise ConflictError(f"no free id for a copy of '{journey_id}'; pass one")


def enter(deps: ApiDependencies, journey_id: str, request: EntriesRequest) -> EntriesOut:
    """Accounts enter the live version now, under the journey's re-entry rules (the same
    `eligibility` the scheduled entry function applies)."""
    record = load(deps, journey_id)
    if record.status is not JourneyStatus.LIVE or record.liveVersion is None:
        raise ConflictError(
            f"journey '{journey_id}' is {record.status.value}; accounts enter live journeys only"
        )
    live = next(v for v in record.versions if v.version == record.liveVersion)
    journey = Journey.model_validate(live.definition)  # validated when it was published
    results = [
        _enter_one(deps, journey, live.version, account_id, request.idempotencyKey)
        for account_id in dict.fromkeys(request.accounts)
    ]
    return EntriesOut(journeyId=journey_id, version=live.version, results=results)


def _enter_one(
    deps: ApiDependencies, journey: Journey, version: int, account_id: str, key: str
) -> EntryResult:
    eid = entry_id(journey.id, version, account_id, key)
    existing = deps.store.get_entry(eid)
    if existing is not None:
        if existing.executionArn is None:  # the earlier request stored the entry but did not start it
            return _start(deps, existing, "duplicate")
        return EntryResult(
            accountId=account_id, outcome="duplicate", entryId=eid, executionArn=existing.executionArn
        )
    if deps.store.get_account(account_id) is None:
        return EntryResult(accountId=account_id, outcome="unknown_account", reason="unknown account")
    reason = eligibility(journey.reentry, deps.store.entries_of(journey.id, account_id), deps.now())
    if reason is not None:
        return EntryResult(accountId=account_id, outcome="not_eligible", reason=reason)
    entry = Entry(
        entryId=eid,
        journeyId=journey.id,
        journeyVersion=version,
        accountId=account_id,
        startedAt=deps.timestamp(),
    )
    # Record first: a failure before StartExecution leaves an entry that the same request, retried,
    # starts under the same execution name.
    if not deps.store.put_entry(entry):  # a concurrent request with the same key won the race
        stored = deps.store.get_entry(eid)
        return EntryResult(
            accountId=account_id,
            outcome="duplicate",
            entryId=eid,
            executionArn=stored.executionArn if stored else None,
        )
    return _start(deps, entry, "started")


def _start(deps: ApiDependencies, entry: Entry, outcome: EntryOutcome) -> EntryResult:
    payload = ExecutionInput(
        journeyId=entry.journeyId, journeyVersion=entry.journeyVersion, accountId=entry.accountId
    )
    try:
        arn = deps.entries.start_entry(
            entry.journeyId, entry.journeyVersion, entry.entryId, payload.model_dump()
        )
    except Exception as exc:  # the entry is stored; the same request retried starts it
        raise UpstreamError(f"could not start entry '{entry.entryId}': {type(exc).__name__}") from exc
    deps.store.update_entry(entry.entryId, executionArn=arn)
    return EntryResult(accountId=entry.accountId, outcome=outcome, entryId=entry.entryId, executionArn=arn)


def node_counts(deps: ApiDependencies, journey_id: str) -> NodesOut:
    """Every node of the live (else draft) definition, in definition order, zero when untouched."""
    record = load(deps, journey_id)
    definition = record.definition
    if record.liveVersion is not None:
        definition = next(v.definition for v in record.versions if v.version == record.liveVersion)
    counts = deps.store.node_counts(journey_id)
    nodes = definition.get("nodes")
    order = [str(n) for n in nodes] if isinstance(nodes, dict) else []
    order += [n for n in counts if n not in order]
    out = [
        NodeCountsOut(node=n, **counts[n].model_dump()) if n in counts else NodeCountsOut(node=n)
        for n in order
    ]
    return NodesOut(journeyId=journey_id, nodes=out)


def entry(deps: ApiDependencies, journey_id: str, entry_id_: str) -> Entry:
    load(deps, journey_id)
    found = deps.store.get_entry(entry_id_)
    if found is None or found.journeyId != journey_id:
        raise NotFoundError(f"entry '{entry_id_}' of journey '{journey_id}' does not exist")
    return found
