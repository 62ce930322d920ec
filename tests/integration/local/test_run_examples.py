"""The example journeys run end to end on the embedded runtime; their reports hold exact counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from journeys.cli import main
from journeys.definition.validate import validate_file
from journeys.local.injected import load_events
from journeys.local.report import RunReport, build_report
from journeys.local.run import LocalRun
from journeys.model.dataset import load_dataset
from journeys.sources import parse_text
from journeys.store.seeding import export

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "examples/data/small.yaml"
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def run(name: str, events: str | None = None) -> RunReport:
    data = load_dataset(DATA)
    journey = validate_file(ROOT / f"examples/journeys/{name}.yaml", data).journey
    assert journey is not None
    local = LocalRun(journey, data, start=START)
    if events:
        local.inject(load_events(ROOT / events))
    return build_report(local.run())


def counts(report: RunReport) -> dict[str, tuple[int, int, int, int]]:
    """node -> (accounts entered, applied, skipped, failed)"""
    return {n.node: (n.accountsEntered, n.applied, n.skipped, n.failed) for n in report.nodes}


def test_enterprise_onboarding_with_a_click() -> None:
    # Given the four strategic accounts, and a click by Dora (globex) on day 5
    report = run("enterprise-onboarding", "examples/events/clicks.yaml")
    # Then every account got the welcome email and its score, nine people in all
    assert report.accounts == {"entered": 4, "skipped": {}}
    c = counts(report)
    assert c["welcome"] == (4, 9, 0, 0) and c["score-welcome"] == (4, 9, 0, 0)
    # acme and umbrella are large with an analytics group: stage (umbrella already there), status, alert
    assert c["stage-consideration"] == (2, 1, 1, 0)
    assert c["status-engaged"] == (2, 2, 0, 0) and c["alert"] == (2, 2, 0, 0)
    # globex clicked in time: its two people join the group as practitioners
    assert c["assign-practitioner"] == (1, 2, 0, 0)
    # initech's click came after the 7-day timeout: nurture (Gus has no Marketo lead)
    listen = next(n for n in report.nodes if n.node == "listen-click")
    assert (listen.accountsEntered, listen.timedOut) == (2, 1)
    assert c["nurture"] == (1, 1, 1, 0)
    assert report.nodes[-1].skippedByReason == {} and report.sent == {"emails": 9, "salesAlerts": 2, "sms": 0}
    assert report.changes.marketoLists == {"Nurture": {"added": 1, "removed": 0}}
    assert report.changes.scores == {"Person Score": {"people": 9, "totalDelta": 90.0}}
    # globex had no analytics group: assigning its people created one
    assert report.changes.buyingGroups == {
        "groupsCreated": 1,
        "membersAdded": 2,
        "stageChanges": 1,
        "statusChanges": 2,
    }
    assert all(e.status == "succeeded" for e in report.entries) and not report.deadLetters


def test_role_based_nurture_splits_people_and_merges() -> None:
    report = run("role-based-nurture")
    c = counts(report)
    # decision makers: ana, cy, dora, fay, hana; cy has no phone
    assert c["sms-briefing"][1:] == (4, 1, 0) and c["moment-briefing"][1:] == (5, 0, 0)
    # influencers and practitioners: ben, emil, gus, ivo; gus has no Marketo lead
    assert c["tag-region"][1:] == (4, 0, 0) and c["request-campaign"][1:] == (3, 1, 0)
    assert c["retarget"][1:] == (0, 0, 0)
    # after the merge, account actions run once per account
    assert c["account-moment"] == (4, 4, 0, 0)
    assert c["add-installed"] == (4, 3, 1, 0)  # acme is already in the installed base
    assert report.changes.moments == {"account:web": 4, "person:milestone": 5}
    assert report.endedAt.startswith("2027-04-01T09:00")  # the wait until a date
    # Parallel branches interleave in the history; each outcome still lands on its own node
    acme = next(e for e in report.entries if e.account == "acme")
    outputs = {step.node: step.output for step in acme.path if step.output}
    assert outputs["sms-briefing"]["skippedByReason"] == {"no phone": 1}  # Cy has no phone
    assert (outputs["sms-briefing"]["applied"], outputs["moment-briefing"]["applied"]) == (1, 2)
    assert (outputs["tag-region"]["applied"], outputs["retarget"]["applied"]) == (1, 0)


def test_expansion_handoff_times_out_without_a_stage_change() -> None:
    report = run("expansion-handoff")
    c = counts(report)
    assert report.accounts["entered"] == 2  # the customers: acme and umbrella
    assert c["to-renewal"] == (0, 0, 0, 0)
    assert c["drop-list"] == (2, 1, 1, 0)
    leaves = next(n for n in report.nodes if n.node == "release-group")
    assert leaves.skippedByReason == {"manual assignment kept": 3, "not a member": 2}


def test_a_stage_change_moves_the_account_to_renewal(tmp_path: Path) -> None:
    events = tmp_path / "events.yaml"
    events.write_text(
        "events:\n"
        "  - {at: 10d, on: accounts, type: buying_group_stage_changed, account: umbrella,\n"
        "     data: {solutionInterest: analytics, newStage: Purchase, previousStage: Consideration}}\n"
    )
    report = run("expansion-handoff", str(events))
    c = counts(report)
    assert c["to-renewal"] == (1, 1, 0, 0)  # renewal is live: umbrella enters it
    assert c["out-of-upsell"] == (1, 0, 1, 0)  # but it was never in legacy-upsell
    assert c["emea-partition"] == (1, 2, 0, 0)
    assert report.changes.marketoPartitions == {"EMEA": 2}


def test_cli_run_writes_state_outbox_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["run", str(ROOT / "examples/journeys/enterprise-onboarding.yaml"), "--data", str(DATA),
                 "--events", str(ROOT / "examples/events/clicks.yaml"), "--start", "2027-01-04T09:00:00Z",
                 "--out", str(out), "--explain", "globex", "--quiet"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "Per node" in printed and "woken by email_clicked" in printed
    state: dict[str, Any] = parse_text((out / "state.yaml").read_text())
    assert load_dataset(DATA).model_validate(state)  # the final state is a data set again
    ana = next(p for p in state["people"] if p["id"] == "p-ana")
    assert ana["scores"]["Person Score"] == 20
    outbox = json.loads((out / "outbox.json").read_text())
    assert outbox["emails"][0]["subject"].startswith("Welcome ")
    assert len(outbox["salesAlerts"]) == 2
    report = RunReport.model_validate_json((out / "report.json").read_text())
    assert report.accounts["entered"] == 4


def test_cli_run_rejects_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "events.yaml"
    bad.write_text("events: [{at: soon, on: people, type: fax_received, account: acme}]\n")
    journey = str(ROOT / "examples/journeys/enterprise-onboarding.yaml")
    assert main(["run", journey, "--data", str(DATA), "--events", str(bad), "--quiet"]) == 2
    assert "events[0]: at: value error, give a duration" in capsys.readouterr().err
    assert main(["run", journey, "--data", str(DATA), "--until", "forever", "--quiet"]) == 2


def test_until_stops_with_accounts_still_waiting() -> None:
    data = load_dataset(DATA)
    journey = validate_file(ROOT / "examples/journeys/enterprise-onboarding.yaml", data).journey
    assert journey is not None
    from datetime import timedelta

    report = build_report(LocalRun(journey, data, start=START).run(until=timedelta(days=1)))
    waiting = {n.node: n.accountsWaiting for n in report.nodes if n.accountsWaiting}
    assert waiting == {"wait-3d": 4}
    assert all(e.status == "running" for e in report.entries)


def test_diagram_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", str(ROOT / "examples/journeys/role-based-nurture.yaml")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("flowchart TD") and 'n_by_persona -->|"Decision makers"| n_sms_briefing' in text


def test_the_state_before_a_run_is_what_the_seeded_store_exports() -> None:
    # Given a world seeded from the data set (the run takes its "before" from the data set itself)
    data = load_dataset(DATA)
    journey = validate_file(ROOT / "examples/journeys/enterprise-onboarding.yaml", data).journey
    assert journey is not None
    local = LocalRun(journey, data, start=START)
    exported = {**export(local.store, data).dump(), "marketo": local.marketo.snapshot()}

    # When the run ends, then its "before" equals what the store and Marketo held before it
    result = local.run()
    assert result.data_before == exported
    assert result.data_after != exported


CYCLES = """
import gc, json, sys
from journeys.definition.validate import validate_file
from journeys.local.injected import load_events
from journeys.local.run import LocalRun
from journeys.model.dataset import load_dataset
from tests.integration.local.test_run_examples import DATA, ROOT, START

data = load_dataset(DATA)
journey = validate_file(ROOT / "examples/journeys/enterprise-onboarding.yaml", data).journey
local = LocalRun(journey, data, start=START)
local.inject(load_events(ROOT / "examples/events/clicks.yaml"))
gc.collect()
local.run()
gc.unfreeze()
gc.set_debug(gc.DEBUG_SAVEALL)
gc.collect()
modules = sorted({type(o).__module__ for o in gc.garbage} - {"builtins"})
print(json.dumps({"modules": modules, "garbage": len(gc.garbage), "requests": len(local.marketo.requests)}))
"""


def test_a_run_leaves_no_reference_cycles_but_marketos_http_exchanges() -> None:
    # The collector is off during a run (`batch_gc`): reference counting must free its garbage.
    # Given a run with Marketo calls, listen nodes and an injected click, in a fresh interpreter
    # (no other test's threads or garbage), set up and collected
    # When it runs, and the collector then looks for what only it could free
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", CYCLES], check=False, env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    # Then the only cycles are httpx's, a few per request to Marketo, and those of the one
    # pure-Python JSON dump of publishing (the pipeline's own are gone)
    assert all(m.startswith(("httpx", "json.encoder")) for m in found["modules"]), found
    assert found["requests"] and found["garbage"] <= 30 * found["requests"] + 40, found
