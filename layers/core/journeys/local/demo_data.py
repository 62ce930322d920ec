"""A demo data set large enough to mean something, built deterministically from the small example."""

from __future__ import annotations

import random
from typing import Any

from journeys.model.dataset import DataSet

FIRST = ["Ana", "Ben", "Cy", "Dora", "Emil", "Fay", "Gus", "Hana", "Ivo", "Jade", "Kai", "Lena", "Milo", "Nora",
         "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Vik", "Wen", "Xavi", "Yara", "Zed"]  # fmt: skip
LAST = ["Lee", "Ortiz", "Park", "Braun", "Kraus", "Wong", "Hale", "Dubois", "Petit", "Novak", "Silva", "Berg",
        "Rossi", "Khan", "Ito", "Moreau", "Schmidt", "Costa", "Haddad", "Olsen"]  # fmt: skip
INDUSTRIES = ["Software", "Manufacturing", "Healthcare", "Finance", "Retail", "Energy", "Logistics"]
COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"]
TITLES = [("CTO", "decision-maker"), ("VP Engineering", "decision-maker"), ("Director of IT", "decision-maker"),
          ("IT Manager", "influencer"), ("Architect", "influencer"), ("Analyst", "influencer"),
          ("Engineer", "practitioner"), ("Developer", "practitioner"), ("Office Manager", "other")]  # fmt: skip


def generate(base: DataSet, accounts: int, people_per_account: int, seed: int = 7) -> dict[str, Any]:
    """The base's catalog records (interests, lists, journeys, Marketo objects) with generated profiles."""
    rng = random.Random(seed)
    out = base.dump()
    out["accounts"], out["people"], out["buyingGroups"] = [], [], []
    leads: list[dict[str, Any]] = []
    lead_id = 100_000
    account_ids = []
    for a in range(accounts):
        acc_id = f"acct-{a:05d}"
        account_ids.append(acc_id)
        employees = int(rng.lognormvariate(6.5, 1.6)) + 5
        owner_first = rng.choice(FIRST)
        out["accounts"].append({
            "id": acc_id, "name": f"{rng.choice(LAST)} {rng.choice(['Corp', 'Group', 'Labs', 'Systems', 'GmbH'])} {a}",
            "industry": rng.choice(INDUSTRIES), "employees": employees, "revenue": float(employees * rng.randint(80, 400) * 1000),
            "country": rng.choice(COUNTRIES), "owner": {"name": f"{owner_first} {rng.choice(LAST)}",
            "email": f"{owner_first.lower()}.owner{a}@example.com"},
            "tier": rng.choice(["gold", "silver", "bronze"]), "vip": rng.random() < 0.1,
            "lifecycle": "customer" if rng.random() < 0.4 else "prospect",
        })  # fmt: skip
        members: list[dict[str, str]] = []
        for p in range(people_per_account):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            title, persona = rng.choice(TITLES)
            pid = f"p-{a:05d}-{p:03d}"
            email = f"{first.lower()}.{last.lower()}.{a}.{p}@{acc_id}.example"
            person: dict[str, Any] = {
                "id": pid, "account": acc_id, "email": email, "firstName": first, "lastName": last,
                "jobTitle": title, "persona": persona, "scores": {"Person Score": float(rng.randint(0, 50))},
            }  # fmt: skip
            if rng.random() < 0.75:
                person["phone"] = f"+1555{a:04d}{p:03d}"[:12]
            if rng.random() < 0.8:
                lead_id += 1
                person["marketoLeadId"] = lead_id
                leads.append({"id": lead_id, "email": email, "partition": "Default"})
            out["people"].append(person)
            if persona == "decision-maker" and len(members) < 1:
                members.append({"person": pid, "role": "Decision Maker", "source": "manual"})
        if members and rng.random() < 0.6:
            out["buyingGroups"].append({"account": acc_id, "solutionInterest": "analytics",
                                        "stage": rng.choice(["Awareness", "Consideration"]), "status": "",
                                        "members": members})  # fmt: skip
    for lst in out["accountLists"]:
        if lst["id"] == "strategic-accounts":
            lst["members"] = list(account_ids)
        elif lst["kind"] == "static":
            lst["members"] = rng.sample(account_ids, k=min(len(account_ids), max(1, accounts // 10)))
    out["marketo"]["leads"] = leads
    for mlist in out["marketo"]["lists"]:
        mlist["members"] = [lead["id"] for lead in rng.sample(leads, k=min(len(leads), len(leads) // 20))]
    out["timeline"] = []
    return out
