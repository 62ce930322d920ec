"""seed() then export() gives the data set back, on both adapters."""

from __future__ import annotations

import json
from typing import Any

from journeys.model.dataset import DataSet
from journeys.store.repository import Store
from journeys.store.seeding import export, seed

DATA: dict[str, Any] = {
    "attributes": {
        "account": {"tier": "string", "employees": "integer", "revenue": "number", "vip": "boolean"},
        "person": {"jobTitle": "string", "newsletter": "boolean"},
    },
    "scores": ["Person Score", "Behavior Score"],
    "accounts": [
        {
            "id": "acme",
            "name": "Acme Corp",
            "industry": "Software",
            "employees": 12000,
            "revenue": 5.0e9,
            "country": "US",
            "owner": {"name": "Dana Reyes", "email": "dana@example.com"},
            "tier": "gold",
            "vip": True,
        },
        {"id": "globex", "name": "Globex", "revenue": 1234.5},
    ],
    "people": [
        {
            "id": "p-ana",
            "account": "acme",
            "email": "ana@acme.example",
            "phone": "+15551230001",
            "firstName": "Ana",
            "jobTitle": "Director of IT",
            "marketoLeadId": 1001,
            "scores": {"Person Score": 10, "Behavior Score": 2.5},
        },
        {"id": "p-bo", "account": "acme", "newsletter": False},
        {"id": "p-cy", "account": "globex", "scores": {"Person Score": -3}},
    ],
    "solutionInterests": [
        {
            "id": "analytics",
            "name": "Analytics",
            "roles": [{"name": "Decision Maker", "required": 1}, {"name": "Influencer", "required": 2}],
            "stages": {
                "entry": ["Awareness"],
                "success": "Won",
                "failure": ["Lost"],
                "transitions": {"Awareness": ["Consideration", "Lost"], "Consideration": ["Won", "Lost"]},
            },
        }
    ],
    "buyingGroups": [
        {
            "account": "acme",
            "solutionInterest": "analytics",
            "stage": "Awareness",
            "status": "evaluating",
            "members": [
                {"person": "p-ana", "role": "Decision Maker", "source": "manual"},
                {"person": "p-bo", "role": "Influencer", "source": "journey"},
            ],
        }
    ],
    "accountLists": [
        {"id": "installed-base", "name": "Installed base", "members": ["globex", "acme"]},
        {"id": "prospects", "name": "Prospects", "kind": "dynamic", "status": "draft"},
    ],
    "journeys": [{"id": "renewal", "name": "Renewal", "status": "live"}],
    "destinations": [
        {"id": "linkedin", "name": "LinkedIn", "kind": "webhook", "url": "https://hooks.example/li"}
    ],
    "audiences": [
        {"id": "aud-q3", "name": "Q3 retargeting", "destination": "linkedin", "members": ["p-bo", "p-ana"]},
        {"id": "aud-new", "name": "New", "members": ["test@email.com"]},
    ],
    "timeline": [
        {
            "on": "account",
            "subject": "acme",
            "type": "milestone",
            "description": "Kickoff",
            "at": "2026-01-01T00:00:00Z",
        },
        {
            "on": "person",
            "subject": "p-ana",
            "type": "email",
            "at": "2026-01-02T00:00:00Z",
            "journey": "j",
            "node": "n",
        },
    ],
    "marketo": {
        "workspaces": ["Default", "EMEA"],
        "leads": [{"id": 1001, "email": "ana@acme.example"}],
        "lists": [{"id": 501, "name": "Nurture", "members": [1001]}],
    },
}


def test_seed_then_export_gives_the_data_set_back(store: Store) -> None:
    # Given a data set touching every section
    dataset = DataSet.model_validate(DATA)

    # When it is seeded and exported
    seed(store, dataset)
    exported = export(store, dataset)

    # Then the state is the same data set, field for field (as `state.yaml` would hold it)
    assert exported.dump() == dataset.dump()
    assert exported == dataset


def test_seeding_twice_changes_nothing(store: Store) -> None:
    dataset = DataSet.model_validate(DATA)
    seed(store, dataset)
    seed(store, dataset)
    assert export(store, dataset).dump() == dataset.dump()


def test_export_reflects_changes_made_after_seeding(store: Store) -> None:
    # Given a seeded store
    dataset = DataSet.model_validate(DATA)
    seed(store, dataset)

    # When actions change scores, attributes, lists and audiences
    store.change_score("p-cy", "Person Score", "+10")
    store.set_account_attribute("globex", "tier", "silver")
    store.add_to_account_list("installed-base", "initech")
    store.add_audience_members("aud-new", ["p-cy"])

    # Then the export shows each change and keeps the sections it does not own from the base
    state = export(store, dataset).dump()
    assert state["people"][2]["scores"] == {"Person Score": 7.0}
    assert state["accounts"][1]["tier"] == "silver"
    assert state["accountLists"][0]["members"] == ["globex", "acme", "initech"]
    assert state["audiences"][1]["members"] == ["p-cy"]
    assert state["marketo"] == dataset.dump()["marketo"]
    assert state["journeys"] == [{"id": "renewal", "name": "Renewal", "status": "live", "kind": "account"}]


def test_seeded_account_exposes_its_split_view(store: Store) -> None:
    seed(store, DataSet.model_validate(DATA))
    item = store.get_item_split_view("acme")
    assert item is not None
    assert json.loads(item["splitView"]["S"]) == {
        "id": "acme",
        "name": "Acme Corp",
        "industry": "Software",
        "employees": 12000,
        "revenue": 5.0e9,
        "country": "US",
        "tier": "gold",
        "vip": True,
        "buyingGroups": {
            "analytics": {
                "stage": "Awareness",
                "status": "evaluating",
                "completeness": 75,
                "membersInRole": {"Decision Maker": 1, "Influencer": 1},
            }
        },
    }
