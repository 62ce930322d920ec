"""`journeys run` and `journeys diagram`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from journeys.definition.durations import parse_duration
from journeys.definition.validate import validate_file
from journeys.issues import Issue
from journeys.local.demo_data import generate
from journeys.local.diagram import mermaid
from journeys.local.engine import LocalEngine
from journeys.local.injected import EventsFileError, load_events
from journeys.local.report import RunReport, build_report
from journeys.local.run import LocalRun
from journeys.model.dataset import DataSetError, load_dataset
from journeys.sources import dump_yaml

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


def _fail(console: Console, title: str, issues: list[Issue]) -> int:
    console.print(f"[bold red]{title}[/]", highlight=False)
    for issue in issues:
        console.print(str(issue), highlight=False, markup=False)
    return EXIT_INVALID


def _start(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_command(args: argparse.Namespace) -> int:
    # A pipe gets a wide table too: reports are read in CI logs and files.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        data = load_dataset(args.data)
    except DataSetError as exc:
        return _fail(errors, f"data set {args.data} is invalid", exc.issues)
    report = validate_file(args.journey, data)
    if report.journey is None:
        return _fail(errors, f"{args.journey} is invalid", report.issues)
    until = None
    if args.until:
        try:
            until = timedelta(seconds=parse_duration(args.until))
        except ValueError as exc:
            return _fail(errors, "bad --until", [Issue(node="(option)", field="--until", message=str(exc))])
    try:
        start = _start(getattr(args, "start", None))
    except ValueError as exc:
        return _fail(errors, "bad --start", [Issue(node="(option)", field="--start", message=str(exc))])
    run = LocalRun(report.journey, data, start=start)
    if args.events:
        try:
            run.inject(load_events(args.events))
        except EventsFileError as exc:
            return _fail(errors, f"events file {args.events} is invalid", exc.issues)
    if args.quiet:
        result = run.run(until)
    else:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("virtual {task.fields[clock]}"), TimeElapsedColumn(), console=errors,
                      transient=True) as progress:  # fmt: skip
            task = progress.add_task(f"Running {report.journey.id}", total=None, clock="")

            last = [0.0]

            def tick(engine: LocalEngine) -> None:
                if time.perf_counter() - last[0] < 0.2:  # a refresh per idle point would dominate
                    return
                last[0] = time.perf_counter()
                done, total = engine.progress(run.journey.id)
                progress.update(task, completed=done, total=total, clock=f"{engine.now():%Y-%m-%d %H:%M}")

            result = run.run(until, on_idle=tick)
    run_report = build_report(result)
    print_report(console, run_report)
    if args.explain:
        explain(console, run_report, args.explain)
    if args.out:
        write_outputs(Path(args.out), result.data_after, result.outbox_json, run_report)
        console.print(f"\nWrote {args.out}/state.yaml, outbox.json and report.json")
    return EXIT_OK


def write_outputs(out: Path, state: dict[str, object], outbox: dict[str, object], report: RunReport) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "state.yaml").write_text(dump_yaml(state), encoding="utf-8")
    (out / "outbox.json").write_text(
        json.dumps(outbox, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "report.json").write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")


def print_report(console: Console, report: RunReport) -> None:
    accounts = report.accounts
    console.print(f"[bold]{report.journey['name']}[/] ({report.journey['id']}): {accounts['entered']} accounts "
                  f"entered, virtual {report.startedAt[:16]} -> {report.endedAt[:16]}, "
                  f"{report.wallSeconds:.2f} s wall time")  # fmt: skip
    for reason, n in accounts["skipped"].items():
        console.print(f"  {n} accounts did not enter: {reason}")
    table = Table(title="Per node", title_justify="left")
    columns = ("node", "what", "accounts", "waiting", "left", "timed out", "applied", "skipped", "failed")
    for column in columns:
        table.add_column(column, justify="left" if column in ("node", "what") else "right")
    for node in report.nodes:
        numbers = (node.accountsEntered, node.accountsWaiting, node.accountsLeft, node.timedOut, node.applied,
                   node.skipped, node.failed)  # fmt: skip
        table.add_row(node.node, node.label, *(str(n) if n else "." for n in numbers))
    console.print(table)
    reasons = [(n.node, r, c) for n in report.nodes for r, c in n.skippedByReason.items()]
    if reasons:
        console.print("[bold]Skipped, by reason[/]")
        for node_id, reason, count in reasons:
            console.print(f"  {node_id}: {count} x {reason}")
    console.print("[bold]Sent[/]: " + ", ".join(f"{n} {k}" for k, n in report.sent.items()))
    changes = report.changes.model_dump(exclude_defaults=True)
    if changes:
        console.print("[bold]Changed[/]")
        for section, detail in changes.items():
            console.print(f"  {section}: {json.dumps(detail)}")
    cost = report.cost
    console.print(f"[bold]Projected AWS cost[/] (prices of {cost.pricesAsOf}, {cost.region}): "
                  f"${cost.totalUsd:.4f} for this run, ${cost.per1000AccountsUsd:.4f} per 1,000 accounts; "
                  f"{report.usage.stateTransitions} state transitions, {report.usage.lambdaInvocations} Lambda "
                  f"invocations, {report.usage.marketoCalls} Marketo calls")  # fmt: skip
    if report.deadLetters:
        console.print(f"[bold red]{len(report.deadLetters)} messages went to dead-letter queues[/]")


def explain(console: Console, report: RunReport, account: str) -> None:
    found = [e for e in report.entries if e.account == account]
    if not found:
        console.print(f"[red]account {account} did not enter this journey[/]")
        return
    for entry in found:
        console.print(f"\n[bold]{account}[/], entry {entry.entryId} ({entry.status})")
        for step in entry.path:
            detail = ""
            if step.output and "applied" in step.output:
                o = step.output
                detail = f"applied {o.get('applied', 0)}, skipped {o.get('skipped', 0)}, failed {o.get('failed', 0)}"
                if o.get("skippedByReason"):
                    detail += f" ({', '.join(f'{k}: {v}' for k, v in o['skippedByReason'].items())})"
            elif step.output and "event" in step.output:
                detail = f"woken by {step.output['event'].get('type')}"
            if step.timedOut:
                detail = "timed out"
            if step.left:
                detail = (detail + "; " if detail else "") + "left the journey"
            if step.error:
                detail = f"failed: {step.error}"
            console.print(f"  {step.enteredAt[:19]}  {step.node:<24} {detail}")


def demo_data_command(args: argparse.Namespace) -> int:
    """Write a demo data set: the base data set's catalog records with generated accounts and people."""
    try:
        base = load_dataset(args.base)
    except DataSetError as exc:
        return _fail(Console(stderr=True, soft_wrap=True), f"data set {args.base} is invalid", exc.issues)
    data = generate(base, args.accounts, args.people, seed=args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {args.out}: {len(data['accounts'])} accounts, {len(data['people'])} people")
    return EXIT_OK


def diagram_command(args: argparse.Namespace) -> int:
    report = validate_file(args.journey)
    if report.journey is None:
        return _fail(Console(stderr=True, soft_wrap=True), f"{args.journey} is invalid", report.issues)
    sys.stdout.write(mermaid(report.journey))
    return EXIT_OK
