"""Committed derived files match their generators (`make generate` rewrites them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeys.tools.generate import ROOT, generated

FILES = generated()


@pytest.mark.parametrize("path", sorted(FILES), ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_file_is_up_to_date(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == FILES[path], f"{path} drifted: run `make generate`"
