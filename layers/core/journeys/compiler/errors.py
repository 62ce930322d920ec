"""Compile errors: what in a (valid) journey the compiler cannot express in ASL, by node and field."""

from __future__ import annotations

from journeys.issues import Issue


class CompileError(ValueError):
    """The journey cannot be compiled; `issues` name node, field and reason."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues
