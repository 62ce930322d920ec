"""Data sets load with the same care as journeys: every bad record and field is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeys.model.buying_groups import Member, completeness
from journeys.model.dataset import DataSetError, load_dataset, parse_dataset
from journeys.sources import dump_yaml, parse_text

ROOT = Path(__file__).resolve().parents[3]
SMALL = ROOT / "examples/data/small.yaml"


def issues(raw: Any) -> list[tuple[str, str, str]]:
    _, found = parse_dataset(raw)
    return [(i.node, i.field, i.message) for i in found]


def test_the_example_data_set_is_valid_and_round_trips() -> None:
    data = load_dataset(SMALL)
    assert len(data.accounts) == 4 and len(data.people) == 9
    again, found = parse_dataset(parse_text(dump_yaml(data.dump())))
    assert not found and again is not None
    assert again.dump() == data.dump()


def test_bad_records_are_named_by_section_index_and_id() -> None:
    raw = {
        "accounts": [{"id": "a1", "employees": -5}],
        "people": [{"id": "p1", "account": "zz", "email": "nope", "phone": "555"}],
        "unknownSection": [],
    }
    found = issues(raw)
    assert ("accounts[0] (a1)", "employees", "input should be greater than or equal to 0") in found
    assert any(n == "people[0] (p1)" and f == "email" for n, f, _ in found)
    assert any(n == "people[0] (p1)" and f == "phone" for n, f, _ in found)
    assert ("unknownSection", "(section)", "is not a known section") in found


def test_cross_references_are_checked() -> None:
    raw = parse_text(SMALL.read_text())
    raw["people"][0]["account"] = "ghost"
    raw["buyingGroups"][0]["members"][0]["role"] = "Janitor"
    raw["accountLists"][0]["members"].append("ghost")
    raw["marketo"]["lists"][0]["members"].append(4242)
    raw["accounts"][1]["vip"] = "yes"
    found = issues(raw)
    assert any(n.startswith("people[0]") and f == "account" for n, f, _ in found)
    assert any(n.startswith("buyingGroups[0]") and f == "members[0].role" for n, f, _ in found)
    assert any(n.startswith("accountLists[0]") and "ghost" in m for n, _, m in found)
    assert any(n.startswith("marketo.lists[0]") and "4242" in m for n, _, m in found)
    assert any(n == "accounts[1] (globex)" and f == "vip" for n, f, _ in found)


def test_stage_model_rules() -> None:
    raw = parse_text(SMALL.read_text())
    raw["solutionInterests"][0]["stages"]["transitions"]["Consideration"] = []
    found = issues(raw)
    assert any(n.startswith("solutionInterests[0]") and "Consideration" in m for n, _, m in found)


def test_duplicates_and_wrong_shapes() -> None:
    found = issues({"accounts": [{"id": "a"}, {"id": "a"}], "people": {"id": "x"}, "scores": "S"})
    assert ("accounts[1] (a)", "id", "is a duplicate id") in found
    assert ("people", "(section)", "must be a list") in found
    assert ("scores", "(section)", "must be a list of score names") in found
    assert issues([1, 2]) == [("(file)", "(root)", "a data set must be a mapping")]


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts: [unclosed")
    with pytest.raises(DataSetError) as caught:
        load_dataset(bad)
    assert "not valid YAML" in str(caught.value)
    with pytest.raises(DataSetError):
        load_dataset(tmp_path / "missing.yaml")


def test_completeness_is_the_mean_of_capped_role_ratios() -> None:
    data = load_dataset(SMALL)
    interest = data.solutionInterests[0]  # Decision Maker x1, Influencer x2, Practitioner x1
    members = [Member(person="a", role="Decision Maker"), Member(person="b", role="Influencer"),
               Member(person="c", role="Decision Maker")]  # fmt: skip
    # (1 + 0.5 + 0) / 3 = 50 %
    assert completeness(interest, members) == 50
