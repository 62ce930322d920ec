"""Write every committed file derived from the code (`make generate`); tests fail when one drifts.

- statemachines/<journey>.asl.json: the compiled example journeys;
- docs/report.schema.json: the JSON Schema of `journeys run --out` report.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from journeys.compiler import compile_journey
from journeys.definition.validate import validate_file
from journeys.local.report import RunReport

ROOT = Path(__file__).resolve().parents[4]


def compiled_examples(root: Path = ROOT) -> dict[Path, str]:
    out = {}
    for path in sorted((root / "examples/journeys").glob("*.yaml")):
        report = validate_file(path)
        if report.journey is None:
            raise SystemExit(f"{path} is invalid: {report.issues}")
        out[root / "statemachines" / f"{report.journey.id}.asl.json"] = compile_journey(report.journey).text
    return out


def report_schema(root: Path = ROOT) -> dict[Path, str]:
    schema = RunReport.model_json_schema()
    return {root / "docs/report.schema.json": json.dumps(schema, indent=2, sort_keys=True) + "\n"}


def generated(root: Path = ROOT) -> dict[Path, str]:
    return {**compiled_examples(root), **report_schema(root)}


def main() -> int:
    for path, text in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
