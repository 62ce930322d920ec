"""Durations `<n>m|h|d|w|mo` (a month counts as 30 days)."""

from __future__ import annotations

import re

SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mo": 30 * 86400}
MAX_SECONDS = 365 * 86400  # Step Functions Standard: an execution lasts at most a year
_PATTERN = re.compile(r"^\s*(\d{1,7})\s*(mo|m|h|d|w)\s*$")


def parse_duration(text: str) -> int:
    """Seconds in a duration; ValueError with the accepted forms otherwise."""
    match = _PATTERN.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{text}' is not a duration (use <n>m, <n>h, <n>d, <n>w or <n>mo, e.g. 3d)")
    return int(match.group(1)) * SECONDS[match.group(2)]


def format_seconds(seconds: int) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds % SECONDS[unit] == 0 and seconds >= SECONDS[unit]:
            return f"{seconds // SECONDS[unit]}{unit}"
    return f"{seconds}s"
