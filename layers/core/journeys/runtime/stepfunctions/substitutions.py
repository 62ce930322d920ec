"""`${Name}` placeholders that CloudFormation's DefinitionSubstitutions fill in an ASL text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .errors import AslDefinitionError

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_:.\-]+)\}")


def placeholders(text: str) -> list[str]:
    """The distinct placeholder names a definition text uses, sorted."""
    return sorted(set(PLACEHOLDER.findall(text)))


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Fill every placeholder (values are JSON-escaped); an unfilled one is a definition error."""
    missing = [name for name in placeholders(text) if name not in values]
    if missing:
        raise AslDefinitionError(
            "DefinitionSubstitutions",
            f"no value for placeholder(s) {', '.join('${' + m + '}' for m in missing)}",
        )
    return PLACEHOLDER.sub(lambda m: json.dumps(str(values[m.group(1)]))[1:-1], text)
