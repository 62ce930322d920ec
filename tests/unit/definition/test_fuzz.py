"""Random and mutated definitions never make the validator raise."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeys.definition.validate import validate_definition, validate_text
from journeys.model.dataset import load_dataset
from journeys.sources import parse_text

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples/journeys").glob("*.yaml"))
SEEDS = [parse_text(p.read_text()) for p in EXAMPLES]
DATA = load_dataset(ROOT / "examples/data/small.yaml")

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
interesting_keys = st.sampled_from(
    ["type", "next", "on", "action", "params", "paths", "by", "when", "otherwise", "duration", "until",
     "event", "timeout", "label", "start", "nodes", "audience", "reentry", "id", "name", "all", "any"]
)  # fmt: skip


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        key = path[-1]
        if op == "replace":
            parent[key] = draw(json_values)
        elif op == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(interesting_keys)] = draw(json_values)
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.booleans())
def test_mutated_examples_never_raise(doc: Any, with_data: bool) -> None:
    report = validate_definition(doc, DATA if with_data else None)
    assert all(i.node and i.field and i.message for i in report.issues)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_documents_never_raise(doc: Any) -> None:
    report = validate_definition(doc, DATA)
    assert report.issues


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    validate_text(text)


def test_huge_and_deep_inputs_are_rejected_cleanly() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert validate_text(deep).issues
    many = {"id": "x", "name": "x", "audience": {"accountList": "a"}, "start": "n0",
            "nodes": {f"n{i}": {"type": "wait", "duration": "1m", "next": f"n{i + 1}"} for i in range(5000)}}  # fmt: skip
    report = validate_text(json.dumps(many))
    assert any(i.field == "nodes" for i in report.issues)
