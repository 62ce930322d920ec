"""layers/core/requirements.txt: the layer's runtime dependencies, the pins of pyproject.toml.

`python -m journeys.infra.requirements --write`; a test fails when the file drifts.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
PYPROJECT = ROOT / "pyproject.toml"
REQUIREMENTS = ROOT / "layers" / "core" / "requirements.txt"


def runtime_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """`[project].dependencies`, each pinned with `==` (a range would make builds drift)."""
    dependencies: list[str] = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    loose = [d for d in dependencies if "==" not in d]
    if loose:
        raise ValueError(f"runtime dependencies must be pinned with ==: {', '.join(loose)}")
    return sorted(dependencies, key=str.lower)


def render() -> str:
    header = (
        "# Generated from pyproject.toml by `python -m journeys.infra.requirements --write`; do not edit.\n"
        "# `sam build` installs these into the core layer (BuildMethod python3.11, arm64).\n"
    )
    return header + "".join(f"{line}\n" for line in runtime_requirements())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {REQUIREMENTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.write:
        REQUIREMENTS.write_text(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
