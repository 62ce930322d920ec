"""The `journeys` command line: catalog listing and validation exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeys.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = str(ROOT / "examples/data/small.yaml")
GOOD = str(ROOT / "examples/journeys/enterprise-onboarding.yaml")


def test_actions_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions"]) == 0
    table = capsys.readouterr().out
    assert "send_email" in table and "marketo_change_partition" in table
    assert main(["actions", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == 22
    assert {"id", "target", "context", "label", "inputs"} <= set(entries[0])


def test_validate_ok_and_with_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", GOOD]) == 0
    assert "references not checked" in capsys.readouterr().out
    assert main(["validate", GOOD, "--data", DATA]) == 0


def test_validate_invalid_exits_2_and_prints_one_line_per_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(GOOD).read_text().replace("next: wait-3d", "next: nowhere").replace("+10", "ten"))
    assert main(["validate", str(bad)]) == 2
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert "score-welcome: params.change: value error, must be +N, -N, =N or =-N (N a whole number)" in lines
    assert any(line.startswith("score-welcome: next: unknown node 'nowhere'") for line in lines)
    assert main(["validate", str(bad), "--json"]) == 2
    issues = json.loads(capsys.readouterr().out)
    assert {"node": "score-welcome", "field": "next", "message": "unknown node 'nowhere'"} in issues


def test_validate_names_a_bad_data_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data.yaml"
    data.write_text("accounts: [{id: a, employees: lots}]\n")
    assert main(["validate", GOOD, "--data", str(data), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)[0]["node"] == "accounts[0] (a)"


def test_validate_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().out
