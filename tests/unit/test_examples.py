"""The examples are valid against their data set and together use every action and node type."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeys.catalog import ACTIONS
from journeys.definition.model import NODE_TYPES, ActionNode, Journey, SplitNode
from journeys.definition.validate import validate_file
from journeys.model.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = sorted((ROOT / "examples/journeys").glob("*.yaml"))


@pytest.fixture(scope="module")
def parsed() -> list[Journey]:
    data = load_dataset(ROOT / "examples/data/small.yaml")
    out = []
    for path in JOURNEYS:
        report = validate_file(path, data)
        assert report.ok, (path, report.issues)
        assert report.journey is not None
        out.append(report.journey)
    return out


def test_at_least_three_examples(parsed: list[Journey]) -> None:
    assert len(parsed) >= 3


def test_examples_use_all_22_actions(parsed: list[Journey]) -> None:
    used = {n.action for j in parsed for n in j.nodes.values() if isinstance(n, ActionNode)}
    assert used == set(ACTIONS)


def test_examples_use_every_node_type_and_both_splits(parsed: list[Journey]) -> None:
    types = {n.type for j in parsed for n in j.nodes.values()}
    assert types == set(NODE_TYPES)
    splits = {n.by for j in parsed for n in j.nodes.values() if isinstance(n, SplitNode)}
    assert splits == {"accounts", "people"}
