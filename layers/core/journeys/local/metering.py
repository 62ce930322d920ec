"""Count the store requests a run makes, as DynamoDB would bill them (one unit per item touched)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from journeys.store.repository import Store

_READ_PREFIXES = ("get_", "iter_", "list_", "people_of", "entries_of", "active_entry", "node_counts",
                  "ledger_get", "listeners_for", "events_since", "timeline", "pending_activations")  # fmt: skip
# Calls that touch one item per element of their sized argument (batch reads and writes).
_PER_ITEM = {"get_people": 0, "ledger_get": 2, "ledger_claim_many": 2, "ledger_record": 2, "put_cohort": 1,
             "add_audience_members": 1, "record_events": 0}  # fmt: skip


class MeteredStore:
    """A transparent proxy over a store that counts read and write units."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.reads = 0
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target) or name.startswith("_"):
            return target
        wrapper = self._wrap(name, target)
        # Cached on the instance: later lookups skip __getattr__ entirely.
        setattr(self, name, wrapper)
        return wrapper

    def _wrap(self, name: str, method: Any) -> Callable[..., Any]:
        target: Callable[..., Any] = method
        is_read = name.startswith(_READ_PREFIXES)
        position = _PER_ITEM.get(name)
        # One wrapper per kind of call, as small as it can be: it runs on every store request.
        if position is None and is_read:

            def read(*args: Any, **kwargs: Any) -> Any:
                self.reads += 1
                return target(*args, **kwargs)

            return read
        if position is None:

            def write(*args: Any, **kwargs: Any) -> Any:
                self.writes += 1
                return target(*args, **kwargs)

            return write

        def per_item(*args: Any, **kwargs: Any) -> Any:
            try:
                units = len(args[position]) or 1
            except (IndexError, TypeError):  # passed by keyword, or an iterator: one request
                units = 1
            if is_read:
                self.reads += units
            else:
                self.writes += units
            return target(*args, **kwargs)

        return per_item


def metered(store: Store) -> tuple[Store, MeteredStore]:
    """The proxy typed as a Store, and the meter to read."""
    meter = MeteredStore(store)
    return cast(Store, meter), meter
