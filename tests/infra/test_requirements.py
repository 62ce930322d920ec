"""The layer's requirements.txt follows pyproject.toml's runtime pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeys.infra.requirements import REQUIREMENTS, render, runtime_requirements


def test_committed_requirements_match_pyproject() -> None:
    assert REQUIREMENTS.read_text() == render(), "run: python -m journeys.infra.requirements --write"
    assert any(line.startswith("aws-lambda-powertools") for line in runtime_requirements())


def test_unpinned_runtime_dependencies_are_refused(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["pydantic>=2", "boto3==1.44.8"]\n')
    with pytest.raises(ValueError, match="pydantic>=2"):
        runtime_requirements(pyproject)
