"""The package's one timestamp format: ISO-8601 UTC with microseconds and `Z`.

Fixed width, so strings sort like times. Virtual clocks hand out the same instant to every
person-action of a batch, so the formatting is cached.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=1024)
def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso(moment: datetime) -> str:
    """`moment` in the sortable form (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _format(moment)


def parse_time(value: str) -> datetime:
    """An ISO-8601 timestamp (`Z` or an offset; naive means UTC) as an aware datetime."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalize_time(value: str | datetime) -> str:
    """Any ISO-8601 timestamp (naive means UTC) in the sortable `iso` form."""
    return iso(parse_time(value) if isinstance(value, str) else value)
