"""openapi.json: generated from the resolver's routes and models (`python -m journeys.api.openapi --write`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from journeys.api.app import TITLE, VERSION, build_app
from journeys.api.deps import ApiDependencies
from journeys.api.ports import InMemoryStateMachines

OPENAPI_PATH = Path(__file__).resolve().parents[4] / "openapi.json"
DESCRIPTION = (
    "B2B account journeys: the action catalog, journeys and their lifecycle, entries, per-node counts, "
    "external audiences and the lookups a journey editor needs. Every route requires a JWT "
    "(API Gateway's authorizer); every error is a JSON body {error, message, issues?}."
)


def _schema_app() -> APIGatewayHttpResolver:
    # The document depends on routes and models only; in-memory adapters are never called here.
    from journeys.store.memory import InMemoryStore

    machines = InMemoryStateMachines()
    return build_app(ApiDependencies(store=InMemoryStore(), state_machines=machines, entries=machines))


def openapi_document() -> dict[str, Any]:
    text = _schema_app().get_openapi_json_schema(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes={"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},  # type: ignore[dict-item]
        security=[{"jwt": []}],
    )
    document: dict[str, Any] = json.loads(text)
    return document


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=False) + "\n"


def routes() -> list[tuple[str, str]]:
    """(METHOD, /path/{param}) of every route, for the template's HttpApi events."""
    out = []
    for path, operations in openapi_document()["paths"].items():
        for method in operations:
            out.append((method.upper(), path))
    return sorted(out, key=lambda r: (r[1], r[0]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--write", action="store_true", help=f"write {OPENAPI_PATH.name} at the repository root"
    )
    args = parser.parse_args(argv)
    if args.write:
        OPENAPI_PATH.write_text(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
