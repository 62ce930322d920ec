"""Readable, unique state names ("Send email: welcome"), at most 80 characters as SFN requires."""

from __future__ import annotations

import hashlib

MAX_NAME = 80


class StateNames:
    """Hands out state names; a name already given gets a numbered suffix, never a silent clash."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, text: str) -> str:
        name = fit(text)
        if name in self._used:
            n = 2
            while fit(text, f" ({n})") in self._used:
                n += 1
            name = fit(text, f" ({n})")
        self._used.add(name)
        return name


def fit(text: str, suffix: str = "") -> str:
    """`text + suffix` cut to 80 characters; a cut name keeps a short hash so cuts stay distinct."""
    text = " ".join(text.split())  # no newlines or runs of spaces in a console graph
    if len(text) + len(suffix) <= MAX_NAME:
        return text + suffix
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    keep = MAX_NAME - len(suffix) - len(digest) - 2
    return f"{text[:keep]}~ {digest}{suffix}"
