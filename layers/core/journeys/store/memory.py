"""In-memory adapter of the `Store` interface, for the embedded runtime and for tests.

One re-entrant lock guards every method, so each call is atomic exactly like a single DynamoDB
conditional write (no lost score increment, one winner per listener). Stored objects are
private: frozen ones (accounts, people, events) are shared as they are, since nobody can change
them and a change replaces them; the others are copied in and out.
Every lookup that has a key goes through a dict index; nothing scans when a key exists.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from journeys.catalog.events import JourneyEvent
from journeys.messages import SPLIT_VIEW_ATTRIBUTE, account_key
from journeys.model.buying_groups import BuyingGroup, SolutionInterest
from journeys.model.common import FrozenDict, Scalar, replaced
from journeys.model.lists import DUMMY_AUDIENCE_RECORD, AccountList, ExternalAudience, TimelineEntry
from journeys.model.profiles import Account, Person
from journeys.outcomes import ActionResult, Outcome
from journeys.splitview import encode, split_view
from journeys.store.records import Entry, JourneyRecord, LedgerEntry, ListenerRecord, NodeCounts
from journeys.store.repository import Conflict, NotFound, latest_running, parse_score_change
from journeys.timestamps import iso, normalize_time

M = TypeVar("M", bound=BaseModel)

# Attributes that are identity or structure, not data values: never set through set_*_attribute.
ACCOUNT_FIXED = frozenset({"id", "owner"})
PERSON_FIXED = frozenset({"id", "account", "scores"})
# An entry's identity and its index keys (journey, account, start) never change after creation.
ENTRY_FIXED = frozenset({"entryId", "journeyId", "accountId", "startedAt"})
COUNT_FIELDS = frozenset({"entered", "applied", "skipped", "failed", "waiting", "exited"})


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_event_id() -> str:
    """Time-ordered and unique across processes (the time part keeps recording order on ties)."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"


def with_attribute(model: M, attribute: str, value: Scalar, fixed: frozenset[str]) -> tuple[M, Scalar]:
    """A validated copy of `model` with one attribute set (None clears); and the previous value."""
    if attribute in fixed:
        raise ValueError(f"'{attribute}' is not an updatable attribute")
    if attribute not in type(model).__pydantic_fields__:
        # An extra attribute has no constraint of the model (the executor checks its declared
        # type): a shallow copy is enough, and a whole revalidation costs ten times more.
        extra = model.__pydantic_extra__ or {}
        previous = extra.get(attribute)
        if value is None:
            updated = model.model_copy()
            if updated.__pydantic_extra__ is not None:
                updated.__pydantic_extra__.pop(attribute, None)
        else:
            updated = replaced(model, {attribute: value})
        return updated, previous if isinstance(previous, str | int | float | bool) else None
    data = model.model_dump()
    previous = data.get(attribute)
    if value is None:
        # Clearing puts a named field back to its default.
        data.pop(attribute, None)
    else:
        data[attribute] = value
    updated = type(model).model_validate(data)
    return updated, previous if isinstance(previous, str | int | float | bool) else None


_LedgerRow = tuple[Outcome | Literal["pending"], str | None, str]  # outcome, reason, at
_ENTRY_FIELDS = frozenset(Entry.model_fields)


def check_count_keys(deltas: Mapping[str, int]) -> None:
    unknown = set(deltas) - COUNT_FIELDS
    if unknown:
        raise ValueError(f"unknown count fields: {sorted(unknown)}")


def checked_entry_changes(changes: Mapping[str, Any]) -> None:
    unknown = set(changes) - _ENTRY_FIELDS
    if unknown:
        raise ValueError(f"unknown entry fields: {sorted(unknown)}")
    fixed = set(changes) & ENTRY_FIXED
    if fixed:
        raise ValueError(f"entry fields cannot change: {sorted(fixed)}")


def split_view_item(account_id: str, view: str) -> dict[str, dict[str, str]]:
    return {**account_key(account_id), SPLIT_VIEW_ATTRIBUTE: {"S": view}}


_SCALARS = (str, int, float, bool, type(None), datetime)


def _clone(value: Any) -> Any:
    """A copy deep enough that a caller cannot change what is stored; scalars are shared.

    pydantic's deep copy goes through copy.deepcopy and dominated the embedded runtime's profile.
    """
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, BaseModel):
        new = value.model_copy()
        fields = new.__dict__
        for key, item in fields.items():
            if not isinstance(item, _SCALARS):
                fields[key] = _clone(item)
        extra = new.__pydantic_extra__
        if extra:
            for key, item in extra.items():
                if not isinstance(item, _SCALARS):
                    extra[key] = _clone(item)
        return new
    if isinstance(value, dict):
        return {k: v if isinstance(v, _SCALARS) else _clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(v if isinstance(v, _SCALARS) else _clone(v) for v in value)
    if isinstance(value, set):
        return set(value)
    return copy.deepcopy(value)


def _copy(model: M) -> M:
    cloned: M = _clone(model)
    return cloned


class InMemoryStore:
    """Every part of `Store` (plus solution interests and the split view) in process memory."""

    def __init__(
        self,
        solution_interests: Mapping[str, SolutionInterest] | Iterable[SolutionInterest] | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        # The embedded runtime passes its virtual clock, so ledger times follow virtual time.
        self._clock = clock
        self._lock = threading.RLock()
        self._interests: dict[str, SolutionInterest] = {}
        self._accounts: dict[str, Account] = {}
        self._people: dict[str, Person] = {}
        self._people_by_account: dict[str, dict[str, None]] = {}
        self._groups: dict[tuple[str, str], tuple[BuyingGroup, int]] = {}
        self._groups_by_account: dict[str, dict[str, None]] = {}
        self._lists: dict[str, AccountList] = {}
        self._list_members: dict[str, dict[str, None]] = {}
        self._audiences: dict[str, ExternalAudience] = {}
        self._audience_members: dict[str, dict[str, None]] = {}
        self._audience_pending: dict[str, dict[str, None]] = {}
        self._moments: list[TimelineEntry] = []
        self._moments_by_subject: dict[tuple[str, str], list[TimelineEntry]] = {}
        self._journeys: dict[str, JourneyRecord] = {}
        self._entries: dict[str, Entry] = {}
        self._entries_by_journey: dict[str, dict[str, None]] = {}
        self._entries_by_account: dict[tuple[str, str], dict[str, None]] = {}
        # journey -> node -> count name -> value; plain counters, a NodeCounts only when read
        self._counts: dict[str, dict[str, dict[str, int]]] = {}
        self._skipped: dict[str, dict[str, dict[str, int]]] = {}  # journey -> node -> reason -> count
        # (entry, node) -> subject -> (outcome, reason, at): a message's subjects sit together in a
        # small dict, as plain tuples (written twice per person-action); models are built only for
        # the rows a caller reads.
        self._ledger: dict[tuple[str, str], dict[str, _LedgerRow]] = {}
        self._cohorts: dict[str, tuple[str, ...]] = {}
        self._listeners: dict[tuple[str, str, str], ListenerRecord] = {}
        self._listeners_by_kind: dict[tuple[str, str, str], dict[tuple[str, str], None]] = {}
        # Per (account, on, type): events sorted by (occurredAt, eventId) for bisect reads.
        self._events: dict[tuple[str, str, str], list[tuple[str, str, JourneyEvent]]] = {}
        self._event_seq = itertools.count()
        if solution_interests is not None:
            values = (
                solution_interests.values() if isinstance(solution_interests, Mapping) else solution_interests
            )
            for interest in values:
                self.put_solution_interest(interest)

    def _now(self) -> str:
        return iso(self._clock())

    # -- solution interests and the split view -------------------------------------------------

    def put_solution_interest(self, interest: SolutionInterest) -> None:
        with self._lock:
            self._interests[interest.id] = _copy(interest)

    def get_solution_interest(self, interest_id: str) -> SolutionInterest | None:
        with self._lock:
            found = self._interests.get(interest_id)
            return _copy(found) if found else None

    def list_solution_interests(self) -> list[SolutionInterest]:
        with self._lock:
            return [_copy(i) for i in self._interests.values()]

    def get_item_split_view(self, account_id: str) -> dict[str, dict[str, str]] | None:
        """The account item as `dynamodb:getItem` returns it; computed from the current state,
        so it always reflects the latest account attributes, groups and interests."""
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                return None
            groups = [self._groups[(account_id, s)][0] for s in self._groups_by_account.get(account_id, {})]
            view = encode(split_view(account, groups, self._interests))
        return split_view_item(account_id, view)

    # -- profiles ---------------------------------------------------------------------------

    def get_account(self, account_id: str) -> Account | None:
        with self._lock:
            return self._accounts.get(account_id)

    def put_account(self, account: Account) -> None:
        with self._lock:
            self._accounts[account.id] = account

    def iter_accounts(self) -> Iterator[Account]:
        with self._lock:
            snapshot = list(self._accounts.values())
        return iter(snapshot)

    def set_account_attribute(self, account_id: str, attribute: str, value: Scalar) -> Scalar:
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                raise NotFound(f"account '{account_id}'")
            updated, previous = with_attribute(account, attribute, value, ACCOUNT_FIXED)
            self._accounts[account_id] = updated
            return previous

    def get_people(self, person_ids: Sequence[str]) -> list[Person]:
        """The people found, in the order asked (unknown ids are left out, duplicates once)."""
        with self._lock:
            seen: set[str] = set()
            out: list[Person] = []
            for pid in person_ids:
                person = self._people.get(pid)
                if person is not None and pid not in seen:
                    seen.add(pid)
                    out.append(person)
            return out

    def people_of_account(self, account_id: str) -> list[Person]:
        with self._lock:
            people = self._people
            return [people[p] for p in self._people_by_account.get(account_id, {})]

    def put_person(self, person: Person) -> None:
        with self._lock:
            old = self._people.get(person.id)
            if old is not None and old.account != person.account:
                self._people_by_account[old.account].pop(person.id, None)
            self._people[person.id] = person
            self._people_by_account.setdefault(person.account, {})[person.id] = None

    def iter_people(self) -> Iterator[Person]:
        with self._lock:
            snapshot = list(self._people.values())
        return iter(snapshot)

    def set_person_attribute(self, person_id: str, attribute: str, value: Scalar) -> Scalar:
        with self._lock:
            person = self._people.get(person_id)
            if person is None:
                raise NotFound(f"person '{person_id}'")
            updated, previous = with_attribute(person, attribute, value, PERSON_FIXED)
            self._people[person_id] = updated
            return previous

    def change_score(self, person_id: str, score: str, change: str) -> tuple[float, float]:
        assign, amount = parse_score_change(change)
        with self._lock:
            person = self._people.get(person_id)
            if person is None:
                raise NotFound(f"person '{person_id}'")
            before = float(person.scores.get(score, 0.0))
            after = float(amount) if assign else before + amount
            scores = FrozenDict({**person.scores, score: after})
            self._people[person_id] = replaced(person, {"scores": scores})
            return before, after

    # -- buying groups ------------------------------------------------------------------------

    def get_buying_group(self, account_id: str, solution_interest: str) -> tuple[BuyingGroup, int] | None:
        with self._lock:
            found = self._groups.get((account_id, solution_interest))
            return (_copy(found[0]), found[1]) if found else None

    def save_buying_group(self, group: BuyingGroup, expected_version: int | None) -> int:
        key = (group.account, group.solutionInterest)
        with self._lock:
            current = self._groups.get(key)
            current_version = current[1] if current else None
            if current_version != expected_version:
                raise Conflict(
                    f"buying group {key[0]}/{key[1]}: version {current_version}, expected {expected_version}"
                )
            version = (current_version or 0) + 1
            self._groups[key] = (_copy(group), version)
            self._groups_by_account.setdefault(group.account, {})[group.solutionInterest] = None
            return version

    def iter_buying_groups(self) -> Iterator[BuyingGroup]:
        with self._lock:
            snapshot = [_copy(g) for g, _ in self._groups.values()]
        return iter(snapshot)

    # -- account lists ----------------------------------------------------------------------

    def get_account_list(self, list_id: str, *, members: bool = True) -> AccountList | None:
        with self._lock:
            found = self._lists.get(list_id)
            if found is None:
                return None
            listed = list(self._list_members[list_id]) if members else []
            return found.model_copy(update={"members": listed}, deep=True)

    def put_account_list(self, account_list: AccountList) -> None:
        with self._lock:
            # Members live in an ordered dict index (O(1) membership), not in the stored model.
            self._lists[account_list.id] = account_list.model_copy(update={"members": []}, deep=True)
            self._list_members[account_list.id] = dict.fromkeys(account_list.members)

    def list_account_lists(self, *, members: bool = True) -> list[AccountList]:
        with self._lock:
            return [
                lst for lid in self._lists if (lst := self.get_account_list(lid, members=members)) is not None
            ]

    def add_to_account_list(self, list_id: str, account_id: str) -> bool:
        with self._lock:
            members = self._list_members.get(list_id)
            if members is None:
                raise NotFound(f"account list '{list_id}'")
            if account_id in members:
                return False
            members[account_id] = None
            return True

    def remove_from_account_list(self, list_id: str, account_id: str) -> bool:
        with self._lock:
            members = self._list_members.get(list_id)
            if members is None:
                raise NotFound(f"account list '{list_id}'")
            if account_id not in members:
                return False
            del members[account_id]
            return True

    # -- external audiences -----------------------------------------------------------------

    def get_audience(self, audience_id: str, *, members: bool = True) -> ExternalAudience | None:
        with self._lock:
            found = self._audiences.get(audience_id)
            if found is None:
                return None
            listed = list(self._audience_members[audience_id]) if members else []
            return found.model_copy(update={"members": listed}, deep=True)

    def put_audience(self, audience: ExternalAudience) -> None:
        """Store as given (a new audience from the API carries the dummy record). Members put this
        way count as already activated; members still pending from before stay pending."""
        with self._lock:
            self._audiences[audience.id] = audience.model_copy(update={"members": []}, deep=True)
            members = dict.fromkeys(audience.members)
            self._audience_members[audience.id] = members
            pending = self._audience_pending.get(audience.id, {})
            self._audience_pending[audience.id] = {p: None for p in pending if p in members}

    def list_audiences(self, *, members: bool = True) -> list[ExternalAudience]:
        with self._lock:
            return [
                aud for aid in self._audiences if (aud := self.get_audience(aid, members=members)) is not None
            ]

    def add_audience_members(self, audience_id: str, person_ids: Sequence[str]) -> list[str]:
        with self._lock:
            members = self._audience_members.get(audience_id)
            if members is None:
                raise NotFound(f"audience '{audience_id}'")
            pending = self._audience_pending[audience_id]
            added: list[str] = []
            for pid in person_ids:
                if pid == DUMMY_AUDIENCE_RECORD or pid in members:
                    continue
                # The first real profile replaces the placeholder of a new audience.
                members.pop(DUMMY_AUDIENCE_RECORD, None)
                members[pid] = None
                pending[pid] = None
                added.append(pid)
            return added

    def pending_activations(self, audience_id: str, limit: int) -> list[str]:
        with self._lock:
            pending = self._audience_pending.get(audience_id)
            if pending is None:
                raise NotFound(f"audience '{audience_id}'")
            return list(itertools.islice(pending, max(0, limit)))

    def mark_activated(self, audience_id: str, person_ids: Sequence[str]) -> None:
        with self._lock:
            pending = self._audience_pending.get(audience_id)
            if pending is None:
                raise NotFound(f"audience '{audience_id}'")
            for pid in person_ids:
                pending.pop(pid, None)

    # -- timelines ----------------------------------------------------------------------------

    def append_moment(self, moment: TimelineEntry) -> None:
        stored = moment  # frozen: shared, never copied
        with self._lock:
            self._moments.append(stored)
            self._moments_by_subject.setdefault((stored.on, stored.subject), []).append(stored)

    def timeline(self, on: str, subject: str) -> list[TimelineEntry]:
        """The subject's moments in recording order."""
        with self._lock:
            return list(self._moments_by_subject.get((on, subject), []))

    def iter_moments(self) -> Iterator[TimelineEntry]:
        with self._lock:
            snapshot = list(self._moments)
        return iter(snapshot)

    # -- journeys ---------------------------------------------------------------------------

    def get_journey(self, journey_id: str) -> JourneyRecord | None:
        with self._lock:
            found = self._journeys.get(journey_id)
            return _copy(found) if found else None

    def save_journey(self, record: JourneyRecord, expected_revision: int | None) -> JourneyRecord:
        with self._lock:
            current = self._journeys.get(record.id)
            current_revision = current.revision if current else None
            if current_revision != expected_revision:
                raise Conflict(
                    f"journey '{record.id}': revision {current_revision}, expected {expected_revision}"
                )
            stored = record.model_copy(update={"revision": (current_revision or 0) + 1}, deep=True)
            self._journeys[record.id] = stored
            return _copy(stored)

    def list_journeys(self) -> list[JourneyRecord]:
        with self._lock:
            return [_copy(j) for j in self._journeys.values()]

    def delete_journey(self, journey_id: str) -> None:
        with self._lock:
            if self._journeys.pop(journey_id, None) is None:
                raise NotFound(f"journey '{journey_id}'")

    # -- entries ------------------------------------------------------------------------------

    def put_entry(self, entry: Entry) -> bool:
        with self._lock:
            if entry.entryId in self._entries:
                return False
            self._entries[entry.entryId] = _copy(entry)
            self._entries_by_journey.setdefault(entry.journeyId, {})[entry.entryId] = None
            self._entries_by_account.setdefault((entry.journeyId, entry.accountId), {})[entry.entryId] = None
            return True

    def get_entry(self, entry_id: str) -> Entry | None:
        with self._lock:
            found = self._entries.get(entry_id)
            return _copy(found) if found else None

    def update_entry(self, entry_id: str, **changes: Any) -> Entry:
        checked_entry_changes(changes)
        with self._lock:
            entry = self._entries.get(entry_id)
            if entry is None:
                raise NotFound(f"entry '{entry_id}'")
            updated = Entry.model_validate({**entry.model_dump(), **changes})
            self._entries[entry_id] = updated
            return _copy(updated)

    def append_path(self, entry_id: str, step: dict[str, Any]) -> None:
        with self._lock:
            entry = self._entries.get(entry_id)
            if entry is None:
                raise NotFound(f"entry '{entry_id}'")
            entry.path.append(copy.deepcopy(step))

    def entries_of(self, journey_id: str, account_id: str | None = None) -> list[Entry]:
        """Entries ordered by start time (then entry id)."""
        with self._lock:
            ids = (
                self._entries_by_journey.get(journey_id, {})
                if account_id is None
                else self._entries_by_account.get((journey_id, account_id), {})
            )
            found = [_copy(self._entries[i]) for i in ids]
        return sorted(found, key=lambda e: (normalize_time(e.startedAt), e.entryId))

    def active_entry(self, journey_id: str, account_id: str) -> Entry | None:
        return latest_running(self.entries_of(journey_id, account_id))

    # -- per-node counts ------------------------------------------------------------------------

    def add_counts(
        self,
        journey_id: str,
        node_id: str,
        deltas: dict[str, int],
        skipped_by_reason: dict[str, int] | None = None,
    ) -> None:
        check_count_keys(deltas)
        with self._lock:
            nodes = self._counts.setdefault(journey_id, {})
            counts = nodes.get(node_id)
            if counts is None:
                counts = nodes[node_id] = dict.fromkeys(COUNT_FIELDS, 0)
            for name, delta in deltas.items():
                counts[name] += delta
            if skipped_by_reason:
                reasons = self._skipped.setdefault(journey_id, {}).setdefault(node_id, {})
                for reason, delta in skipped_by_reason.items():
                    reasons[reason] = reasons.get(reason, 0) + delta

    def node_counts(self, journey_id: str) -> dict[str, NodeCounts]:
        with self._lock:
            skipped = self._skipped.get(journey_id, {})
            return {
                node: NodeCounts(**counts, skippedByReason=dict(skipped.get(node, {})))
                for node, counts in self._counts.get(journey_id, {}).items()
            }

    # -- idempotency ledger ---------------------------------------------------------------------

    def ledger_get(self, entry_id: str, node_id: str, subjects: Sequence[str]) -> dict[str, LedgerEntry]:
        with self._lock:
            rows = self._ledger.get((entry_id, node_id))
            if not rows:
                return {}
            found = [(s, row) for s in subjects if (row := rows.get(s)) is not None]
        return {
            subject: LedgerEntry.model_construct(
                entryId=entry_id, nodeId=node_id, subject=subject, outcome=row[0], reason=row[1], at=row[2]
            )
            for subject, row in found
        }

    def ledger_claim(self, entry_id: str, node_id: str, subject: str) -> bool:
        return bool(self.ledger_claim_many(entry_id, node_id, [subject]))

    def ledger_claim_many(self, entry_id: str, node_id: str, subjects: Sequence[str]) -> list[str]:
        row: _LedgerRow = ("pending", None, self._now())
        claimed: list[str] = []
        with self._lock:
            rows = self._ledger.setdefault((entry_id, node_id), {})
            for subject in subjects:
                if subject not in rows:
                    rows[subject] = row
                    claimed.append(subject)
        return claimed

    def ledger_record(self, entry_id: str, node_id: str, results: Iterable[ActionResult]) -> None:
        at = self._now()
        plain: dict[str, _LedgerRow] = {}  # one row object per outcome without a reason
        with self._lock:
            rows = self._ledger.setdefault((entry_id, node_id), {})
            for subject, outcome, reason in results:
                row = rows.get(subject)
                if row is not None and row[0] != "pending":
                    continue  # a final outcome is never overwritten
                if reason is None:
                    row = plain.get(outcome)
                    if row is None:
                        row = plain[outcome] = (outcome, None, at)
                    rows[subject] = row
                else:
                    rows[subject] = (outcome, reason, at)

    # -- cohorts ------------------------------------------------------------------------------

    def put_cohort(self, cohort_ref: str, person_ids: Sequence[str]) -> None:
        with self._lock:
            self._cohorts[cohort_ref] = tuple(person_ids)

    def get_cohort(self, cohort_ref: str) -> list[str]:
        with self._lock:
            found = self._cohorts.get(cohort_ref)
            if found is None:
                raise NotFound(f"cohort '{cohort_ref}'")
            return list(found)

    # -- listeners and events -----------------------------------------------------------------

    def register_listener(self, listener: ListenerRecord) -> None:
        key = (listener.accountId, listener.entryId, listener.nodeId)
        with self._lock:
            old = self._listeners.get(key)
            if old is not None:
                self._listeners_by_kind[(old.accountId, old.on, old.eventType)].pop(key[1:], None)
            self._listeners[key] = _copy(listener)
            kind = (listener.accountId, listener.on, listener.eventType)
            self._listeners_by_kind.setdefault(kind, {})[key[1:]] = None

    def listeners_for(self, account_id: str, on: str, event_type: str) -> list[ListenerRecord]:
        with self._lock:
            keys = self._listeners_by_kind.get((account_id, on, event_type), {})
            return [_copy(self._listeners[(account_id, *k)]) for k in keys]

    def remove_listener(self, account_id: str, entry_id: str, node_id: str) -> bool:
        with self._lock:
            old = self._listeners.pop((account_id, entry_id, node_id), None)
            if old is None:
                return False
            self._listeners_by_kind[(old.accountId, old.on, old.eventType)].pop((entry_id, node_id), None)
            return True

    def record_events(self, events: Sequence[JourneyEvent]) -> list[str]:
        """Each event's id: the time of the call, then the per-store sequence that keeps recording
        order among events of the same time (unique within the store, which lives in one process)."""
        ids: list[str] = []
        with self._lock:
            stamp = f"{time.time_ns():020d}-"  # one clock read per call
            buckets = self._events
            seq = self._event_seq
            last_at: object = None
            occurred = ""
            for stored in events:  # frozen: shared, never copied
                at = stored.occurredAt
                if at is not last_at:  # a batch's events mostly share one (virtual) instant
                    occurred, last_at = normalize_time(at), at
                order = f"{next(seq):012d}"
                row = (occurred, order, stored)
                key = (stored.accountId, stored.on, stored.type)
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [row]
                elif bucket[-1][0] <= occurred:
                    bucket.append(row)  # not older than the last: its newer sequence sorts it last
                else:
                    # (time, sequence) is unique, so rows compare without reaching the event.
                    bisect.insort(bucket, row)
                ids.append(stamp + order)
        return ids

    def record_event(self, event: JourneyEvent) -> str:
        return self.record_events((event,))[0]

    def events_since(self, account_id: str, on: str, event_type: str, since: str) -> list[JourneyEvent]:
        """Events at or after `since`, oldest first."""
        start = (normalize_time(since),)  # sorts before every row of that time
        with self._lock:
            bucket = self._events.get((account_id, on, event_type), [])
            first = bisect.bisect_left(bucket, start)
            return [ev for _, _, ev in bucket[first:]]
