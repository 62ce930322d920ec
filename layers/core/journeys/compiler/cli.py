"""`journeys compile FILE [-o OUT] [--data DATA]`: validate a journey, then print or write its ASL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from journeys.compiler.asl import compile_journey
from journeys.compiler.errors import CompileError

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


def compile_command(args: argparse.Namespace) -> int:
    """Exit 0 with the ASL written; 2 when the journey is invalid or cannot compile; 1 on I/O errors."""
    from journeys.definition.validate import validate_file

    data = None
    data_path = getattr(args, "data", None)
    if data_path:
        from journeys.model.dataset import DataSetError, load_dataset

        try:
            data = load_dataset(data_path)
        except DataSetError as exc:
            print(f"data set {data_path} is invalid", file=sys.stderr)
            for issue in exc.issues:
                print(str(issue), file=sys.stderr)
            return EXIT_INVALID
    report = validate_file(args.file, data)
    if report.journey is None or report.issues:
        print(f"{args.file}: invalid", file=sys.stderr)
        for issue in report.issues:
            print(str(issue), file=sys.stderr)
        return EXIT_INVALID
    try:
        compiled = compile_journey(report.journey)
    except CompileError as exc:
        print(f"{args.file}: cannot compile", file=sys.stderr)
        for issue in exc.issues:
            print(str(issue), file=sys.stderr)
        return EXIT_INVALID
    out = getattr(args, "out", None)
    if not out:
        sys.stdout.write(compiled.text)
        return EXIT_OK
    try:
        Path(out).write_text(compiled.text, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {out}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{args.file}: compiled to {out} ({len(compiled.placeholders)} placeholders)", file=sys.stderr)
    return EXIT_OK
