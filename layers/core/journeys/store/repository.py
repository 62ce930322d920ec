"""The repository interface every adapter implements (in-memory and DynamoDB).

One shared contract test suite (tests/contract) runs against both adapters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

from journeys.catalog.events import JourneyEvent
from journeys.model.buying_groups import BuyingGroup, SolutionInterest
from journeys.model.common import Scalar
from journeys.model.lists import AccountList, ExternalAudience, TimelineEntry
from journeys.model.profiles import Account, Person
from journeys.outcomes import ActionResult
from journeys.store.records import Entry, JourneyRecord, LedgerEntry, ListenerRecord, NodeCounts


class StoreError(Exception):
    """Base of store errors."""


class NotFound(StoreError):
    """The record does not exist."""


class Conflict(StoreError):
    """An optimistic-locking or conditional write lost a race; re-read and retry."""


# Same grammar as the change_score action input (catalog.inputs.SCORE_CHANGE).
_SCORE_CHANGE = re.compile(r"^(\+|-|=-?)(\d{1,9})$")


@lru_cache(maxsize=256)  # one parse per distinct change, not per person
def parse_score_change(change: str) -> tuple[bool, int]:
    """`+N`, `-N`, `=N`, `=-N` -> (is_assignment, signed amount); ValueError otherwise."""
    match = _SCORE_CHANGE.match(change.strip())
    if match is None:
        raise ValueError(f"score change '{change}' must be +N, -N, =N or =-N")
    op, digits = match.groups()
    amount = int(digits)
    return op.startswith("="), -amount if op.endswith("-") else amount


class Profiles(Protocol):
    def get_account(self, account_id: str) -> Account | None: ...
    def put_account(self, account: Account) -> None: ...
    def iter_accounts(self) -> Iterator[Account]: ...
    def set_account_attribute(self, account_id: str, attribute: str, value: Scalar) -> Scalar:
        """Set (None clears); return the previous value. NotFound for an unknown account."""
        ...

    def get_people(self, person_ids: Sequence[str]) -> list[Person]:
        """The people found, in the order asked; unknown ids are left out, duplicates returned once."""
        ...

    def people_of_account(self, account_id: str) -> list[Person]:
        """In the order the people were first put (empty for an unknown account)."""
        ...

    def put_person(self, person: Person) -> None: ...
    def iter_people(self) -> Iterator[Person]: ...
    def set_person_attribute(self, person_id: str, attribute: str, value: Scalar) -> Scalar:
        """As set_account_attribute; `id`, `account` and `scores` are not attributes (ValueError)."""
        ...

    def change_score(self, person_id: str, score: str, change: str) -> tuple[float, float]:
        """Apply `+N`, `-N`, `=N` or `=-N` atomically (no lost update); return (before, after)."""
        ...


class BuyingGroups(Protocol):
    def get_buying_group(self, account_id: str, solution_interest: str) -> tuple[BuyingGroup, int] | None:
        """The group and its version (for optimistic locking)."""
        ...

    def save_buying_group(self, group: BuyingGroup, expected_version: int | None) -> int:
        """Write if the stored version still is `expected_version` (None: must not exist); else Conflict."""
        ...

    def iter_buying_groups(self) -> Iterator[BuyingGroup]: ...


class SolutionInterests(Protocol):
    """Added to the interface: seeding stores interests, and the split view needs their roles."""

    def put_solution_interest(self, interest: SolutionInterest) -> None: ...
    def get_solution_interest(self, interest_id: str) -> SolutionInterest | None: ...
    def list_solution_interests(self) -> list[SolutionInterest]: ...


class SplitViews(Protocol):
    """Added to the interface: the account item a compiled split by accounts reads (dynamodb:getItem)."""

    def get_item_split_view(self, account_id: str) -> dict[str, dict[str, str]] | None:
        """`{"pk": {"S"}, "sk": {"S"}, "splitView": {"S": <encoded view>}}`, None for an unknown account."""
        ...


class Lists(Protocol):
    # `members=False` reads only the list itself (its `members` empty): what an action needs to
    # resolve a reference, in one item read whatever the list's size.
    def get_account_list(self, list_id: str, *, members: bool = True) -> AccountList | None: ...
    def put_account_list(self, account_list: AccountList) -> None: ...
    def list_account_lists(self, *, members: bool = True) -> list[AccountList]: ...
    def add_to_account_list(self, list_id: str, account_id: str) -> bool:
        """True when added, False when already a member."""
        ...

    def remove_from_account_list(self, list_id: str, account_id: str) -> bool:
        """True when removed, False when not a member."""
        ...


class Audiences(Protocol):
    # `members=False` as for lists: the audience without reading its members.
    def get_audience(self, audience_id: str, *, members: bool = True) -> ExternalAudience | None: ...
    def put_audience(self, audience: ExternalAudience) -> None: ...
    def list_audiences(self, *, members: bool = True) -> list[ExternalAudience]: ...
    def add_audience_members(self, audience_id: str, person_ids: Sequence[str]) -> list[str]:
        """Add members (replacing the dummy record on the first real one); return those newly added,
        which are also queued for activation to the audience's destination."""
        ...

    def pending_activations(self, audience_id: str, limit: int) -> list[str]:
        """Up to `limit` members not activated yet, oldest first. NotFound for an unknown audience."""
        ...

    def mark_activated(self, audience_id: str, person_ids: Sequence[str]) -> None: ...


class Timelines(Protocol):
    def append_moment(self, moment: TimelineEntry) -> None: ...
    def timeline(self, on: str, subject: str) -> list[TimelineEntry]:
        """The subject's moments in recording order."""
        ...

    def iter_moments(self) -> Iterator[TimelineEntry]: ...


class Journeys(Protocol):
    def get_journey(self, journey_id: str) -> JourneyRecord | None: ...
    def save_journey(self, record: JourneyRecord, expected_revision: int | None) -> JourneyRecord:
        """Create (expected None) or update if unchanged since read; bumps revision; else Conflict."""
        ...

    def list_journeys(self) -> list[JourneyRecord]: ...
    def delete_journey(self, journey_id: str) -> None:
        """NotFound when there is no such journey."""
        ...


class Entries(Protocol):
    def put_entry(self, entry: Entry) -> bool:
        """Create; False (no change) when the entry id already exists: starting is idempotent."""
        ...

    def get_entry(self, entry_id: str) -> Entry | None: ...
    def update_entry(self, entry_id: str, **changes: Any) -> Entry:
        """Set Entry fields; ValueError for unknown fields, invalid values or identity fields
        (entryId, journeyId, accountId, startedAt). NotFound for an unknown entry."""
        ...

    def append_path(self, entry_id: str, step: dict[str, Any]) -> None: ...
    def entries_of(self, journey_id: str, account_id: str | None = None) -> list[Entry]:
        """Ordered by start time, then entry id."""
        ...

    def active_entry(self, journey_id: str, account_id: str) -> Entry | None: ...


def latest_running(entries: list[Entry]) -> Entry | None:
    """The latest running entry of a list ordered by start time (both adapters' `active_entry`)."""
    running = [e for e in entries if e.status == "running"]
    return running[-1] if running else None


class Counts(Protocol):
    def add_counts(
        self,
        journey_id: str,
        node_id: str,
        deltas: dict[str, int],
        skipped_by_reason: dict[str, int] | None = None,
    ) -> None:
        """Atomic increments (negative deltas allowed for `waiting`)."""
        ...

    def node_counts(self, journey_id: str) -> dict[str, NodeCounts]: ...


class Ledger(Protocol):
    def ledger_get(self, entry_id: str, node_id: str, subjects: Sequence[str]) -> dict[str, LedgerEntry]: ...
    def ledger_claim(self, entry_id: str, node_id: str, subject: str) -> bool:
        """Conditionally write a `pending` row; False when a row (pending or final) already exists."""
        ...

    def ledger_claim_many(self, entry_id: str, node_id: str, subjects: Sequence[str]) -> list[str]:
        """`ledger_claim` for each subject; returns the subjects this call claimed, in input order."""
        ...

    def ledger_record(self, entry_id: str, node_id: str, results: Iterable[ActionResult]) -> None:
        """Write final outcomes (overwrites `pending`; never overwrites a final outcome)."""
        ...


class Cohorts(Protocol):
    def put_cohort(self, cohort_ref: str, person_ids: Sequence[str]) -> None: ...
    def get_cohort(self, cohort_ref: str) -> list[str]:
        """The ids in the order put. NotFound for an unknown ref."""
        ...


class Listeners(Protocol):
    def register_listener(self, listener: ListenerRecord) -> None: ...
    def listeners_for(self, account_id: str, on: str, event_type: str) -> list[ListenerRecord]: ...
    def remove_listener(self, account_id: str, entry_id: str, node_id: str) -> bool:
        """True when this call removed it (exactly one waker answers the token)."""
        ...

    def record_event(self, event: JourneyEvent) -> str: ...
    def record_events(self, events: Sequence[JourneyEvent]) -> list[str]:
        """Record several events at once (one batch write where the backend has one); their ids."""
        ...

    def events_since(self, account_id: str, on: str, event_type: str, since: str) -> list[JourneyEvent]:
        """Events that occurred at or after `since` (ISO-8601), oldest first."""
        ...


class Store(
    Profiles,
    BuyingGroups,
    SolutionInterests,
    SplitViews,
    Lists,
    Audiences,
    Timelines,
    Journeys,
    Entries,
    Counts,
    Ledger,
    Cohorts,
    Listeners,
    Protocol,
):
    """Everything the actions, the API, the runtime and the listeners read and write."""
