"""Every compiled definition passes the pinned npm `asl-validator` (package.json: 4.0.0)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .scenarios import EXAMPLES, FIXTURES, ROOT, load_journey

VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"
JOURNEYS = sorted(p.name for p in EXAMPLES.glob("*.yaml")) + sorted(FIXTURES)


def validate(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None, "node is required for the ASL conformance tests (make node)"
    assert VALIDATOR.exists(), "asl-validator is not installed (run `make node`)"
    args = [str(VALIDATOR)]
    for path in paths:
        args += ["--json-path", str(path)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_the_examples_exist() -> None:
    assert len(JOURNEYS) >= 3 + len(FIXTURES)


def test_every_compiled_journey_is_valid_asl(tmp_path: Path) -> None:
    paths = []
    for name in JOURNEYS:
        path = tmp_path / f"{name}.asl.json"
        path.write_text(load_journey(name).compiled.text, encoding="utf-8")
        paths.append(path)
    result = validate(paths)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("is valid") == len(paths)


def test_the_validator_rejects_broken_asl(tmp_path: Path) -> None:
    # Guards the check above: a validator that accepted anything would make it meaningless.
    broken = [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}},
        {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}},
    ]
    paths = []
    for i, definition in enumerate(broken):
        path = tmp_path / f"broken-{i}.json"
        path.write_text(json.dumps(definition), encoding="utf-8")
        paths.append(path)
    result = validate(paths)
    assert result.returncode != 0
    report = result.stdout + result.stderr
    assert all(f'"{path}" is invalid' in report for path in paths), report
