"""The journeys API over in-memory adapters: lifecycle, publishing, entries, counts, errors."""

from __future__ import annotations

import copy
from typing import Any

from journeys.api.service import entry_id
from journeys.compiler import placeholders
from journeys.store.records import Entry
from tests.infra.journeys import ENTERPRISE
from tests.unit.api.conftest import Api, make_api

JID = ENTERPRISE["id"]


def _draft(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(ENTERPRISE), **changes}


def assert_error(body: Any, code: str) -> None:
    assert set(body) <= {"error", "message", "issues"}
    assert body["error"] == code and body["message"]


def test_actions_lists_the_catalog_with_input_schemas_and_events(api: Api) -> None:
    status, body = api.call("GET", "/actions")
    assert status == 200
    assert len(body["actions"]) == 22
    send_email = next(a for a in body["actions"] if a["id"] == "send_email")
    assert (
        send_email["target"] == "people" and "properties" in send_email["inputs"]
    ) or "$defs" in send_email["inputs"]
    assert {"on": "people", "type": "email_clicked"}.items() <= next(
        e for e in body["events"] if e["type"] == "email_clicked"
    ).items()


def test_create_get_list_update_delete_a_draft(api: Api) -> None:
    status, created = api.call("POST", "/journeys", {"id": "draft-1", "name": "Draft"})
    assert status == 201 and created["status"] == "draft" and created["revision"] == 1
    status, again = api.call("POST", "/journeys", {"id": "draft-1", "name": "Again"})
    assert status == 409
    assert_error(again, "conflict")
    status, got = api.call("GET", "/journeys/draft-1")
    assert status == 200 and got["definition"] == {"id": "draft-1", "name": "Draft"}
    status, updated = api.call("PUT", "/journeys/draft-1", {"name": "Renamed", "start": "x"})
    assert status == 200 and updated["name"] == "Renamed" and updated["definition"]["id"] == "draft-1"
    status, mismatch = api.call("PUT", "/journeys/draft-1", {"id": "other", "name": "x"})
    assert status == 409 and "not the journey's id" in mismatch["message"]
    status, listed = api.call("GET", "/journeys?status=draft")
    assert [j["id"] for j in listed["journeys"]] == ["draft-1"]
    status, none_live = api.call("GET", "/journeys?status=live")
    assert none_live["journeys"] == []
    status, deleted = api.call("DELETE", "/journeys/draft-1")
    assert status == 200 and deleted == {"id": "draft-1", "deleted": True}
    status, gone = api.call("GET", "/journeys/draft-1")
    assert status == 404
    assert_error(gone, "not_found")


def test_request_validation_errors_name_the_fields(api: Api) -> None:
    status, body = api.call("POST", "/journeys", {"id": "Not A Slug"})
    assert status == 422
    assert_error(body, "invalid_request")
    fields = {(i["node"], i["field"]) for i in body["issues"]}
    assert {("body", "id"), ("body", "name")} <= fields
    status, body = api.call("POST", "/journeys", raw="{not json")
    assert status == 422
    assert_error(body, "invalid_request")
    status, body = api.call("GET", "/no/such/route")
    assert status == 404
    assert_error(body, "not_found")


def test_validate_reports_issues_by_node_and_field(api: Api) -> None:
    broken = _draft()
    broken["nodes"]["nurture"]["params"] = {"workspace": "Default", "list": "No such list"}
    api.call("POST", "/journeys", broken)
    status, body = api.call("POST", f"/journeys/{JID}/validate")
    assert status == 200 and body["valid"] is False and body["referencesChecked"] is True
    assert any(i["node"] == "nurture" and i["field"].startswith("params.list") for i in body["issues"])
    status, body = api.call("POST", f"/journeys/{JID}/publish")
    assert status == 422
    assert_error(body, "invalid_journey")
    assert any(i["node"] == "nurture" for i in body["issues"])
    assert api.machines.definitions == {}


def test_publish_compiles_deploys_and_freezes_the_version(api: Api) -> None:
    live = api.publish_enterprise()
    assert live["status"] == "live" and live["liveVersion"] == 1
    [version] = live["versions"]
    assert version["stateMachineArn"].endswith(f"journey-{JID}:1")
    [asl] = api.machines.definitions[JID]
    assert "SendEmailQueueUrl" in placeholders(asl)
    # a live journey is immutable and cannot be published twice or deleted
    assert api.call("PUT", f"/journeys/{JID}", {"name": "x"})[0] == 409
    assert api.call("POST", f"/journeys/{JID}/publish")[0] == 409
    status, body = api.call("DELETE", f"/journeys/{JID}")
    assert status == 409 and "cannot delete a live journey" in body["message"]


def test_compile_errors_are_reported_as_invalid_journey() -> None:
    from journeys.compiler.errors import CompileError
    from journeys.issues import Issue

    def refuse(journey: Any) -> dict[str, Any]:
        raise CompileError([Issue(node="welcome", field="params", message="cannot compile")])

    api = make_api(compile_=refuse)
    api.call("POST", "/journeys", _draft())
    status, body = api.call("POST", f"/journeys/{JID}/publish")
    assert status == 422 and body["issues"] == [
        {"node": "welcome", "field": "params", "message": "cannot compile"}
    ]
    assert api.call("GET", f"/journeys/{JID}")[1]["status"] == "draft"


def test_entries_are_idempotent_per_key_and_respect_reentry(api: Api) -> None:
    api.publish_enterprise()
    request = {"accounts": ["acme", "nobody"], "idempotencyKey": "k-1"}
    status, body = api.call("POST", f"/journeys/{JID}/entries", request)
    assert status == 202
    acme, nobody = body["results"]
    assert acme["outcome"] == "started" and acme["entryId"] == entry_id(JID, 1, "acme", "k-1")
    assert nobody == {
        "accountId": "nobody",
        "outcome": "unknown_account",
        "reason": "unknown account",
        "entryId": None,
        "executionArn": None,
    }
    assert list(api.machines.executions) == [acme["executionArn"]]
    # the same request again starts nothing new
    status, again = api.call("POST", f"/journeys/{JID}/entries", request)
    assert again["results"][0] == {**acme, "outcome": "duplicate"}
    assert len(api.machines.executions) == 1
    # another key while the entry runs: already active; after it ends, re-entry is disabled
    status, other = api.call(
        "POST", f"/journeys/{JID}/entries", {"accounts": ["acme"], "idempotencyKey": "k-2"}
    )
    assert other["results"][0] == {
        "accountId": "acme",
        "outcome": "not_eligible",
        "reason": "already in the journey",
        "entryId": None,
        "executionArn": None,
    }
    api.deps.store.update_entry(acme["entryId"], status="succeeded", endedAt="2026-01-05T10:00:00Z")
    status, other = api.call(
        "POST", f"/journeys/{JID}/entries", {"accounts": ["acme"], "idempotencyKey": "k-2"}
    )
    assert other["results"][0]["reason"] == "re-entry is disabled"


def test_reentry_wait_and_limit() -> None:
    api = make_api()
    api.call("POST", "/journeys", _draft(reentry={"enabled": True, "wait": "1d", "limit": 2}))
    api.call("POST", f"/journeys/{JID}/publish")

    def enter(key: str) -> str:
        status, body = api.call(
            "POST", f"/journeys/{JID}/entries", {"accounts": ["acme"], "idempotencyKey": key}
        )
        assert status == 202, body
        result: dict[str, Any] = body["results"][0]
        if result["outcome"] == "started":
            api.deps.store.update_entry(result["entryId"], status="succeeded", endedAt=api.deps.timestamp())
            return "started"
        assert result["outcome"] == "not_eligible"
        return str(result["reason"])

    assert enter("a") == "started"
    assert enter("b").startswith("re-entry wait until 2026-01-06T09:00:00")
    api.clock.advance(days=1, seconds=1)
    assert enter("b") == "started"
    api.clock.advance(days=2)
    assert enter("c") == "entry limit of 2 reached"


def test_entries_need_a_live_journey(api: Api) -> None:
    api.call("POST", "/journeys", _draft())
    status, body = api.call("POST", f"/journeys/{JID}/entries", {"accounts": ["acme"], "idempotencyKey": "k"})
    assert status == 409
    assert_error(body, "conflict")
    status, body = api.call("POST", f"/journeys/{JID}/entries", {"accounts": [], "idempotencyKey": "k"})
    assert status == 422


def test_node_counts_and_entry_path(api: Api) -> None:
    api.publish_enterprise()
    _, body = api.call("POST", f"/journeys/{JID}/entries", {"accounts": ["acme"], "idempotencyKey": "k"})
    eid = body["results"][0]["entryId"]
    api.deps.store.add_counts(JID, "welcome", {"entered": 1, "applied": 1})
    api.deps.store.add_counts(JID, "listen", {"entered": 1, "waiting": 1})
    api.deps.store.append_path(eid, {"node": "welcome", "at": "2026-01-05T09:00:00Z", "outcome": "applied"})
    status, nodes = api.call("GET", f"/journeys/{JID}/nodes")
    assert status == 200
    by_node = {n["node"]: n for n in nodes["nodes"]}
    assert list(by_node) == list(ENTERPRISE["nodes"])
    assert (
        by_node["welcome"]["applied"] == 1
        and by_node["listen"]["waiting"] == 1
        and by_node["done"]["entered"] == 0
    )
    status, entry = api.call("GET", f"/journeys/{JID}/entries/{eid}")
    assert status == 200
    assert Entry.model_validate(entry).path[0]["node"] == "welcome"
    assert api.call("GET", f"/journeys/{JID}/entries/nope")[0] == 404


def test_close_abort_and_delete(api: Api) -> None:
    api.publish_enterprise()
    _, body = api.call("POST", f"/journeys/{JID}/entries", {"accounts": ["acme"], "idempotencyKey": "k"})
    execution = body["results"][0]["executionArn"]
    status, closed = api.call("POST", f"/journeys/{JID}/close")
    assert status == 200 and closed["status"] == "closed"
    assert api.call("POST", f"/journeys/{JID}/close")[0] == 409
    status, aborted = api.call("POST", f"/journeys/{JID}/abort")
    assert status == 200 and aborted["status"] == "aborted"
    assert list(api.machines.stopped) == [execution]
    assert api.deps.store.get_entry(body["results"][0]["entryId"]).status == "aborted"  # type: ignore[union-attr]
    assert api.call("DELETE", f"/journeys/{JID}")[0] == 200


def test_duplicate_makes_a_new_draft(api: Api) -> None:
    api.publish_enterprise()
    status, copy_ = api.call("POST", f"/journeys/{JID}/duplicate", {})
    assert status == 201 and copy_["id"] == f"{JID}-copy" and copy_["status"] == "draft"
    assert copy_["definition"]["nodes"] == ENTERPRISE["nodes"]
    status, second = api.call("POST", f"/journeys/{JID}/duplicate", {"name": "Second"})
    assert second["id"] == f"{JID}-copy-2" and second["name"] == "Second"
    status, named = api.call("POST", f"/journeys/{JID}/duplicate", {"id": f"{JID}-copy"})
    assert status == 409 and "already exists" in named["message"]


def test_external_audiences(api: Api) -> None:
    status, created = api.call("POST", "/audiences", {"name": "Q3 retargeting"})
    assert status == 201
    assert created == {
        "id": "aud-1",
        "name": "Q3 retargeting",
        "description": None,
        "destination": None,
        "memberCount": 0,
    }
    status, body = api.call("POST", "/audiences", {"description": "no name"})
    assert status == 422 and {"node": "body", "field": "name", "message": "Field required"} in body["issues"]
    _, listed = api.call("GET", "/audiences")
    assert [a["id"] for a in listed["audiences"]] == ["aud-1"]


def test_lookups(api: Api) -> None:
    api.publish_enterprise()
    _, lists = api.call("GET", "/lookups/account-lists?actionable=true")
    assert [x["id"] for x in lists["accountLists"]] == ["strategic-accounts"]
    _, journeys = api.call("GET", "/lookups/journeys")
    assert [j["id"] for j in journeys["journeys"]] == [JID]
    _, interests = api.call("GET", "/lookups/solution-interests")
    [crm] = interests["solutionInterests"]
    assert crm["roles"][0]["name"] == "Decision Maker" and crm["stages"]["success"] == "Won"
    _, destinations = api.call("GET", "/lookups/destinations")
    assert destinations == {"destinations": [{"id": "linkedin", "name": "LinkedIn", "kind": "webhook"}]}
    _, workspaces = api.call("GET", "/lookups/marketo/workspaces")
    assert [w["name"] for w in workspaces["workspaces"]] == ["Default", "EMEA"]
    _, mlists = api.call("GET", "/lookups/marketo/lists?workspace=Default")
    assert mlists == {"lists": [{"id": 501, "name": "Nurture", "workspace": "Default"}]}
    _, campaigns = api.call("GET", "/lookups/marketo/campaigns")
    assert [c["id"] for c in campaigns["campaigns"]] == [9001]
    _, partitions = api.call("GET", "/lookups/marketo/partitions")
    assert [p["name"] for p in partitions["partitions"]] == ["Default"]


def test_marketo_failures_are_502_and_absence_is_404(api: Api) -> None:
    class Broken:
        def __getattr__(self, name: str) -> Any:
            def fail(*args: Any, **kwargs: Any) -> Any:
                raise ConnectionError("marketo down")

            return fail

    api.deps.marketo = Broken()  # type: ignore[assignment]
    status, body = api.call("GET", "/lookups/marketo/workspaces")
    assert status == 502
    assert_error(body, "upstream_unavailable")
    api.call("POST", "/journeys", _draft())
    assert api.call("POST", f"/journeys/{JID}/validate")[0] == 502
    api.deps.marketo = None
    assert api.call("GET", "/lookups/marketo/partitions")[0] == 404


def test_unexpected_errors_are_a_json_500_without_details(api: Api) -> None:
    def explode() -> Any:
        raise RuntimeError("secret detail")

    api.deps.store.list_journeys = explode  # type: ignore[method-assign]
    status, body = api.call("GET", "/journeys")
    assert status == 500
    assert_error(body, "internal_error")
    assert "secret" not in body["message"]


def test_entry_ids_are_valid_execution_names_and_depend_on_every_part() -> None:
    base = entry_id("j" * 128, 99999, "account/with spaces", "key")
    assert len(base) <= 80
    assert all(c.isalnum() or c in "-_" for c in base)
    variants = {
        entry_id("j" * 128, 99998, "account/with spaces", "key"),
        entry_id("j" * 128, 99999, "other", "key"),
        entry_id("j" * 128, 99999, "account/with spaces", "key2"),
    }
    assert base not in variants and len(variants) == 3
