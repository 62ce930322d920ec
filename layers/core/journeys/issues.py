"""A validation issue: what a user must fix, named by node (or record), field and reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import ValidationError as PydanticValidationError


class Issue(BaseModel):
    """One problem. `node` is a node id for journeys, a record path for data sets."""

    model_config = ConfigDict(frozen=True)

    node: str
    field: str
    message: str

    @field_validator("node", "field", "message")
    @classmethod
    def _never_blank(cls, value: str) -> str:
        # A blank key in the input (a node id "") must still yield a readable line.
        return value if value.strip() else f"(blank {value!r})"

    def __str__(self) -> str:
        return f"{self.node}: {self.field}: {self.message}"


def join_loc(*parts: str | int) -> str:
    """Dotted field path, with list indexes in brackets: params.sendTo[1]."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part:
            out += f".{part}" if out else part
    return out


def from_pydantic(error: PydanticValidationError, node: str, prefix: Sequence[str | int] = ()) -> list[Issue]:
    """Turn a pydantic error into issues, one per failing field."""
    issues = []
    for err in error.errors(include_url=False):
        loc = [p for p in err["loc"] if not _is_union_tag(p)]
        field = join_loc(*prefix, *loc) or join_loc(*prefix) or "(root)"
        issues.append(Issue(node=node, field=field, message=_message(err)))
    return issues


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the union member's name (e.g. "AuthoredEmail") into locations.
    return (isinstance(part, str) and part[:1].isupper() and "[" not in part) or (
        isinstance(part, str) and part.startswith(("function-", "tagged-union"))
    )


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if err["type"] == "missing":
        return "is required"
    if err["type"] == "extra_forbidden":
        return "is not a known field"
    return msg[0].lower() + msg[1:] if msg else msg


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Stable, deduplicated order: as found."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for issue in issues:
        key = (issue.node, issue.field, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out
