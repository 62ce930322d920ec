"""Benchmark: one journey of six people-action nodes over N accounts of M people on the embedded runtime.

    .venv/bin/python -m bench.run_journey [--accounts 10000] [--people 20] [--workers 2]

Workers are separate processes, each an embedded runtime over its share of the accounts (as
concurrent Lambda invocations would split the work on AWS). Reports wall time, state transitions
and person-actions per second; writes bench/results/run_journey.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeys.definition.validate import validate_file
from journeys.local.demo_data import generate
from journeys.local.run import LocalRun
from journeys.model.dataset import DataSet, load_dataset

ROOT = Path(__file__).resolve().parents[1]
JOURNEY = ROOT / "bench/journeys/six-people-actions.yaml"
RESULTS = ROOT / "bench/results/run_journey.json"
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def shard_data(accounts: int, people: int, shard: int, shards: int) -> DataSet:
    """This worker's accounts (every `shards`-th one), generated the same way in every worker."""
    base = load_dataset(ROOT / "examples/data/small.yaml")
    raw = generate(base, accounts, people)
    keep = {a["id"] for i, a in enumerate(raw["accounts"]) if i % shards == shard}
    raw["accounts"] = [a for a in raw["accounts"] if a["id"] in keep]
    raw["people"] = [p for p in raw["people"] if p["account"] in keep]
    raw["buyingGroups"] = [g for g in raw["buyingGroups"] if g["account"] in keep]
    for lst in raw["accountLists"]:
        lst["members"] = [m for m in lst["members"] if m in keep]
    raw["marketo"]["lists"] = []
    return DataSet.model_validate(raw)


def worker(args: tuple[int, int, int, int]) -> dict[str, Any]:
    accounts, people, shard, shards = args
    data = shard_data(accounts, people, shard, shards)
    journey = validate_file(JOURNEY, data).journey
    assert journey is not None
    run = LocalRun(journey, data, start=START)
    started = time.perf_counter()
    result = run.run()
    wall = time.perf_counter() - started
    counts = run.store.node_counts(journey.id)
    person_actions = sum(c.applied + c.skipped + c.failed for c in counts.values())
    # What `--out` and the report add on top (built on first read, so outside the run's time).
    exporting = time.perf_counter()
    assert result.data_after["accounts"] and result.outbox_json["emails"]
    export = time.perf_counter() - exporting
    return {"accounts": len(result.entered.started), "personActions": person_actions, "wallSeconds": wall,
            "stateTransitions": result.usage.stateTransitions, "stateExportSeconds": round(export, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    jobs = [(args.accounts, args.people, shard, args.workers) for shard in range(args.workers)]
    started = time.perf_counter()
    if args.workers == 1:
        parts = [worker(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            parts = pool.map(worker, jobs)
    total_wall = time.perf_counter() - started
    run_wall = max(p["wallSeconds"] for p in parts)  # the workers run side by side
    person_actions = sum(p["personActions"] for p in parts)
    result = {
        "command": f".venv/bin/python -m bench.run_journey --accounts {args.accounts} --people {args.people} "
        f"--workers {args.workers}",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}",
        "journey": str(JOURNEY.relative_to(ROOT)),
        "accounts": sum(p["accounts"] for p in parts),
        "peoplePerAccount": args.people,
        "personActions": person_actions,
        "stateTransitions": sum(p["stateTransitions"] for p in parts),
        "runWallSeconds": round(run_wall, 2),
        "totalWallSecondsWithDataGeneration": round(total_wall, 2),
        "personActionsPerSecond": round(person_actions / run_wall),
        "stateExportSeconds": max(p["stateExportSeconds"] for p in parts),
        "target": 100_000,
        "workers": parts,
    }
    print(json.dumps(result, indent=2))
    if not args.no_write:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
