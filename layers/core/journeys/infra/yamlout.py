"""YAML output for CloudFormation: block style, stable key order, and comments.

PyYAML cannot emit comments, so a comment travels as a mapping key `#<n>` and becomes a `# ...`
line after dumping; `comment()` hands out those keys.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from typing import Any

import yaml

_COUNTER = itertools.count()
_COMMENT_LINE = re.compile(r"^(?P<indent>\s*)'#\d+': (?P<value>.*)$")


def comment(text: str) -> dict[str, str]:
    """A one-entry mapping to splice into a dict: `{**comment("why"), ...}` (never as the first key
    of a list item, where the `- ` marker would be lost)."""
    return {f"#{next(_COUNTER)}": text}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # CloudFormation rejects YAML anchors and aliases: repeat shared values in full.
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as hand-written CloudFormation does.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(document: dict[str, Any]) -> str:
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1_000_000)
    lines = []
    for line in text.splitlines():
        match = _COMMENT_LINE.match(line)
        if match:
            indent = match.group("indent")
            text = str(yaml.safe_load(match.group("value")))
            lines += [f"{indent}# {part}" for part in textwrap.wrap(text, width=max(40, 100 - len(indent)))]
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"
