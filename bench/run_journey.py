"""Benchmark: one journey of six people-action nodes over N accounts of M people on the embedded runtime.

    .venv/bin/python -m bench.run_journey [--accounts 10000] [--people 20] [--workers 2] [--shards 8]

The accounts are split into shards, each an embedded runtime over its accounts; worker processes
take the next shard as they become free (as concurrent Lambda invocations take the next SQS
batches on AWS). A worker's run time is the sum of its shards' runs (setting a shard up is not
counted); the run's wall time is the busier worker's. Reports wall time, state transitions and
person-actions per second; writes bench/results/run_journey.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import time
from datetime import UTC, datetime
from functools import cache
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


@cache
def generated(accounts: int, people: int) -> dict[str, Any]:
    """The whole data set as plain data, generated once per process: every shard filters it."""
    return generate(load_dataset(ROOT / "examples/data/small.yaml"), accounts, people)


def shard_data(accounts: int, people: int, shard: int, shards: int) -> DataSet:
    """One shard's accounts (every `shards`-th one) with their people, groups and list memberships."""
    raw = generated(accounts, people)
    keep = {a["id"] for i, a in enumerate(raw["accounts"]) if i % shards == shard}
    section = {
        **raw,
        "accounts": [a for a in raw["accounts"] if a["id"] in keep],
        "people": [p for p in raw["people"] if p["account"] in keep],
        "buyingGroups": [g for g in raw["buyingGroups"] if g["account"] in keep],
        "accountLists": [
            {**lst, "members": [m for m in lst["members"] if m in keep]} for lst in raw["accountLists"]
        ],
        "marketo": {**raw["marketo"], "lists": []},
    }
    return DataSet.model_validate(section)


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
    return {"shard": shard, "worker": os.getpid(), "accounts": len(result.entered.started),
            "personActions": person_actions, "wallSeconds": round(wall, 3),
            "stateTransitions": result.usage.stateTransitions, "stateExportSeconds": round(export, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=8, help="embedded runtimes the accounts are split into")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    shards = max(args.shards, args.workers)
    jobs = [(args.accounts, args.people, shard, shards) for shard in range(shards)]
    started = time.perf_counter()
    if args.workers == 1:
        parts = [worker(job) for job in jobs]
    else:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            parts = list(pool.imap_unordered(worker, jobs, chunksize=1))
    total_wall = time.perf_counter() - started
    busy: dict[int, float] = {}
    for part in parts:
        busy[part["worker"]] = busy.get(part["worker"], 0.0) + part["wallSeconds"]
    run_wall = max(busy.values())  # the workers run side by side
    person_actions = sum(p["personActions"] for p in parts)
    result = {
        "command": f".venv/bin/python -m bench.run_journey --accounts {args.accounts} --people {args.people} "
        f"--workers {args.workers} --shards {shards}",
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
        "stateExportSeconds": round(sum(p["stateExportSeconds"] for p in parts), 2),
        "target": 100_000,
        "workers": [
            {
                "runSeconds": round(seconds, 2),
                "shards": sorted(p["shard"] for p in parts if p["worker"] == pid),
            }
            for pid, seconds in busy.items()
        ],
        "shards": sorted(parts, key=lambda p: p["shard"]),
    }
    print(json.dumps(result, indent=2))
    if not args.no_write:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
