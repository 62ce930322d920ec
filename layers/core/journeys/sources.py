"""Reading YAML or JSON documents safely (size-capped, no arbitrary tags)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 50 * 1024 * 1024


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: `on: people` is the key "on", not True."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def dump_yaml(data: Any) -> str:
    """YAML that reads back the same with `parse_text` (keys such as `on` stay strings)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


class SourceError(ValueError):
    """A file that cannot be read as a YAML or JSON document."""


def parse_text(text: str, name: str = "input") -> Any:
    """Parse YAML (a superset of JSON); report syntax errors with their position."""
    if len(text) > MAX_BYTES:
        raise SourceError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        if text.lstrip().startswith(("{", "[")):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                pass  # YAML flow style also starts with { or [
        return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise SourceError(f"{name} is not valid YAML or JSON: {exc}") from exc
    except RecursionError as exc:
        raise SourceError(f"{name} is nested too deeply") from exc


def load_document(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from exc
    if size > MAX_BYTES:
        raise SourceError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    return parse_text(text, str(path))
