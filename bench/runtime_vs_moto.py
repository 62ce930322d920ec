"""Executions per second of one compiled example journey: local runtime vs moto's executor.

Run: .venv/bin/python -m bench.runtime_vs_moto [--local N] [--moto N]
Writes bench/results/runtime.json and bench/results/runtime.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from journeys.compiler import compile_journey  # noqa: E402
from journeys.definition.validate import validate_definition  # noqa: E402
from journeys.runtime.stepfunctions import LambdaFunctions, LocalStepFunctions, SqsQueues  # noqa: E402
from tests.conformance.asl.local_driver import LocalRig, substitutions  # noqa: E402
from tests.conformance.asl.moto_driver import moto_world  # noqa: E402
from tests.conformance.asl.scenarios import (  # noqa: E402
    Answer,
    Loaded,
    account_items,
    data_set,
    execution_input,
    load_journey,
)
from tests.unit.runtime.test_long_journey import YEAR_LONG  # noqa: E402

JOURNEY = "enterprise-onboarding.yaml"
# globex takes the longest path: email, score, 3-day wait, account split, listen (answered), assign.
ACCOUNT = "globex"
RESULTS = ROOT / "bench" / "results"
COMMAND = ".venv/bin/python -m bench.runtime_vs_moto"
SUCCESS = Answer()


def bench_local(loaded: Loaded, items: dict[str, dict[str, Any]], count: int) -> dict[str, Any]:
    started = time.perf_counter()
    rig = LocalRig(items)
    sfn = rig.sfn

    def pump() -> bool:
        worked = False
        for url in list(rig.queues.queues):
            for message in rig.queues.receive(url, 1000):
                assert message.task_token is not None
                sfn.send_task_success(message.task_token, json.dumps(SUCCESS.output))
                worked = True
        while rig.registrations:
            sfn.send_task_success(
                rig.registrations.pop()["taskToken"], json.dumps({"event": "email_clicked"})
            )
            worked = True
        return worked

    sfn.add_idle_hook(pump)
    machine = sfn.create_state_machine(
        loaded.journey_id, loaded.compiled.text, substitutions(loaded.compiled)
    )
    arns = [
        sfn.start_execution(machine, f"entry-{i}", execution_input(loaded.journey_id, ACCOUNT))
        for i in range(count)
    ]
    sfn.run_until_idle()
    elapsed = time.perf_counter() - started
    statuses = {sfn.describe_execution(a).status for a in arns}
    assert statuses == {"SUCCEEDED"}, statuses
    return {
        "executions": count,
        "seconds": round(elapsed, 4),
        "executions_per_second": round(count / elapsed, 1),
        "state_transitions": sfn.transitions,
        "virtual_days": (sfn.clock.now - datetime(2027, 1, 4, 9, 0, tzinfo=UTC)).days,
    }


def bench_year_long(count: int) -> dict[str, Any]:
    """Wall time of the 364-day journey of tests/unit/runtime (two listens that time out)."""
    report = validate_definition(YEAR_LONG)
    assert report.journey is not None, report.issues
    compiled = compile_journey(report.journey)
    started = time.perf_counter()
    sfn = LocalStepFunctions(start=datetime(2027, 1, 1, tzinfo=UTC))
    queues, lambdas = SqsQueues(), LambdaFunctions()
    lambdas.register("listener", lambda payload, call: None)
    sfn.register_integration("arn:aws:states:::sqs:sendMessage.waitForTaskToken", queues)
    sfn.register_integration("arn:aws:states:::lambda:invoke*", lambdas)

    def answer_actions() -> bool:
        batch = [m for url in list(queues.queues) for m in queues.receive(url, 1000)]
        for message in batch:
            assert message.task_token is not None
            sfn.send_task_success(message.task_token, "{}")
        return bool(batch)

    sfn.add_idle_hook(answer_actions)
    values = {p: "listener" if p == "ListenerFunctionArn" else f"local://{p}" for p in compiled.placeholders}
    machine = sfn.create_state_machine("year-long", compiled.text, values)
    arns = [
        sfn.start_execution(machine, f"entry-{i}", execution_input("year-long", f"a{i}"))
        for i in range(count)
    ]
    sfn.run_until_idle()
    elapsed = time.perf_counter() - started
    assert {sfn.describe_execution(a).status for a in arns} == {"SUCCEEDED"}
    return {
        "executions": count,
        "seconds": round(elapsed, 4),
        "seconds_per_execution": round(elapsed / count, 5),
        "virtual_days": (sfn.clock.now - datetime(2027, 1, 1, tzinfo=UTC)).days,
    }


def bench_moto(loaded: Loaded, items: dict[str, dict[str, Any]], count: int) -> dict[str, Any]:
    with moto_world(items) as world:
        world.machine(loaded)  # parse the definition outside the timed part, as for the local run
        started = time.perf_counter()
        arns = [world.start(loaded, f"entry-{i}", ACCOUNT) for i in range(count)]
        running = set(arns)
        deadline = time.monotonic() + 600
        while running:
            world.pump(loaded, lambda kind, body: world.respond(body["taskToken"], SUCCESS))
            for arn in list(running):
                status = world.status(arn)["status"]
                if status != "RUNNING":
                    assert status == "SUCCEEDED", status
                    running.discard(arn)
            assert time.monotonic() < deadline, "moto did not finish"
            time.sleep(0.002)
        elapsed = time.perf_counter() - started
    return {
        "executions": count,
        "seconds": round(elapsed, 4),
        "executions_per_second": round(count / elapsed, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--local", type=int, default=2000, help="executions on the local runtime")
    parser.add_argument("--moto", type=int, default=20, help="executions on moto's executor")
    parser.add_argument("--year", type=int, default=1000, help="executions of the year-long journey")
    args = parser.parse_args(argv)
    loaded = load_journey(JOURNEY)
    items = account_items(data_set())
    bench_local(loaded, items, 20)  # warm-up: imports and first-call costs
    local = bench_local(loaded, items, args.local)
    year_one = bench_year_long(1)
    year_many = bench_year_long(args.year)
    moto = bench_moto(loaded, items, args.moto)
    ratio = round(local["executions_per_second"] / moto["executions_per_second"], 1)
    result = {
        "command": COMMAND,
        "journey": f"examples/journeys/{JOURNEY}",
        "account": ACCOUNT,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "local": local,
        "moto": moto,
        "year_long_journey": {"one": year_one, "many": year_many},
        "ratio": ratio,
        "target_ratio": 100,
        "meets_target": ratio >= 100,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "runtime.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "runtime.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))
    return 0 if result["meets_target"] else 1


def _markdown(r: dict[str, Any]) -> str:
    local, moto, year = r["local"], r["moto"], r["year_long_journey"]
    return (
        "# Local Step Functions runtime vs moto's executor\n\n"
        f"Command: `{r['command']}` (measured {r['measured_at']}, Python {r['python']}, {r['machine']})\n\n"
        f"Journey `{r['journey']}`, account `{r['account']}`: every task answered at once, the 3-day wait\n"
        "skipped (virtual time locally, patched sleep on moto). Both runs in the same process.\n\n"
        "| runtime | executions | seconds | executions/s |\n| --- | ---: | ---: | ---: |\n"
        f"| local | {local['executions']} | {local['seconds']} | {local['executions_per_second']} |\n"
        f"| moto | {moto['executions']} | {moto['seconds']} | {moto['executions_per_second']} |\n\n"
        f"Ratio: **{r['ratio']}x** (target >= {r['target_ratio']}x: {'met' if r['meets_target'] else 'NOT met'}).\n"
        f"Local state transitions: {local['state_transitions']}; virtual time reached: {local['virtual_days']} days.\n\n"
        "Year-long journey (tests/unit/runtime/test_long_journey.py: waits of 100 days, two listens\n"
        f"that time out after 90 and 74 days; {year['one']['virtual_days']} virtual days): one execution, "
        f"set-up to finish, in {year['one']['seconds']} s of wall time;\n"
        f"{year['many']['executions']} executions in {year['many']['seconds']} s "
        f"({year['many']['seconds_per_execution']} s each).\n"
    )


if __name__ == "__main__":
    sys.exit(main())
