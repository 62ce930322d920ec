"""The `journeys` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


def cmd_actions(args: argparse.Namespace) -> int:
    from journeys.catalog import ACTIONS, EVENT_TYPES

    if args.json:
        payload: Any = [a.describe() for a in ACTIONS.values()]
        if args.events:
            payload = {"actions": payload, "events": [e.describe() for e in EVENT_TYPES.values()]}
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    rows = [
        (a.id, a.target, a.context, a.label, ", ".join(_input_names(a.input_schema)))
        for a in ACTIONS.values()
    ]
    _table(("id", "target", "context", "label", "inputs"), rows)
    if args.events:
        print()
        _table(
            ("on", "event", "label", "filters"),
            [
                (e.on, e.type, e.label, ", ".join(_input_names(e.filters_schema)))
                for e in EVENT_TYPES.values()
            ],
        )
    return EXIT_OK


def _input_names(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    return [n if n in required else f"{n}?" for n in schema.get("properties", {})]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    for row in (header, ["-" * w for w in widths], *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())


def cmd_validate(args: argparse.Namespace) -> int:
    from journeys.definition.validate import validate_file
    from journeys.model.dataset import DataSetError, load_dataset

    data = None
    if args.data:
        try:
            data = load_dataset(args.data)
        except DataSetError as exc:
            return _print_issues(exc.issues, args.json, prefix=f"data set {args.data} is invalid")
    exit_code = EXIT_OK
    for path in args.files:
        report = validate_file(path, data)
        if report.issues:
            exit_code = EXIT_INVALID
            _print_issues(report.issues, args.json, prefix=None if args.json else f"{path}: invalid")
        elif not args.json:
            print(
                f"{path}: valid"
                + (" (references checked)" if data else " (references not checked: no --data)")
            )
        else:
            print("[]")
    return exit_code


def _print_issues(issues: Sequence[Any], as_json: bool, prefix: str | None) -> int:
    if as_json:
        print(json.dumps([i.model_dump() for i in issues], indent=2))
    else:
        if prefix:
            print(prefix, file=sys.stderr)
        for issue in issues:
            print(str(issue))
    return EXIT_INVALID


def _delegate(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        command: Callable[[argparse.Namespace], int] = getattr(import_module(module), function)
        return command(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journeys",
        description="B2B account journeys: catalog, validate, "
        "compile, run on the embedded runtime, serve the API.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("actions", help="list the action catalog")
    p.add_argument("--json", action="store_true", help="JSON array with the input schema of each action")
    p.add_argument(
        "--events", action="store_true", help="also list the event types listen nodes can wait for"
    )
    p.set_defaults(func=cmd_actions)

    p = sub.add_parser("validate", help="validate journey definitions (exit 2 when invalid)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--data", help="data set to check references against")
    p.add_argument(
        "--json", action="store_true", help="print issues as a JSON array of {node, field, message}"
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("compile", help="compile a journey to Step Functions ASL")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--out", help="write the ASL here instead of standard output")
    p.add_argument("--data", help="data set to check references against before compiling")
    p.set_defaults(func=_delegate("journeys.compiler.cli", "compile_command"))

    p = sub.add_parser("run", help="run a journey end to end on the embedded runtime")
    p.add_argument("journey", metavar="JOURNEY")
    p.add_argument("--data", required=True, help="data set (YAML or JSON)")
    p.add_argument("--until", help="stop after this much virtual time (e.g. 30d)")
    p.add_argument("--out", help="write state.yaml, outbox.json and report.json here")
    p.add_argument("--events", help="timed account/person events to inject (YAML or JSON)")
    p.add_argument("--explain", metavar="ACCOUNT", help="print one account's path")
    p.add_argument("--start", help="virtual start time (ISO, default: now)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_delegate("journeys.local.cli", "run_command"))

    p = sub.add_parser("demo-data", help="write a demo data set with generated accounts and people (JSON)")
    p.add_argument("-o", "--out", required=True)
    p.add_argument(
        "--base", default="examples/data/small.yaml", help="data set whose lists, journeys, ... to keep"
    )
    p.add_argument("--accounts", type=int, default=500)
    p.add_argument("--people", type=int, default=20, help="people per account")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=_delegate("journeys.local.cli", "demo_data_command"))

    p = sub.add_parser("diagram", help="print a journey as a Mermaid flowchart")
    p.add_argument("journey", metavar="JOURNEY")
    p.set_defaults(func=_delegate("journeys.local.cli", "diagram_command"))

    p = sub.add_parser("serve", help="serve the HTTP API on 127.0.0.1 over the embedded runtime")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--data", help="data set to load")
    p.add_argument(
        "--speed", type=float, default=1.0, help="virtual seconds per wall second (3600: an hour a second)"
    )
    p.set_defaults(func=_delegate("journeys.api.local", "serve_command"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
