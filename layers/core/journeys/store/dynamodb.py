"""DynamoDB adapter of the `Store` interface, over the single table `JourneysTable` (template.yaml).

Key design and every access pattern: docs/data-model.md. In short, one item collection per
aggregate (`ACCOUNT#<id>` holds the account item and its buying groups, `LIST#<id>` a list and
its members, ...) and one GSI (`gsi1`) for the secondary lookups (people of an account, entries
of a journey, pending audience activations, small per-type collections).

Concurrency comes from the service, never from read-modify-write in this process: score changes
and counts are single UpdateItem expressions (atomic per item), buying groups and journeys carry
a version checked by a ConditionExpression, and every "exactly once" answer (entry creation,
ledger claim, listener removal, list membership) is a conditional write.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from journeys.catalog.events import JourneyEvent
from journeys.messages import ACCOUNT_PK_PREFIX, ACCOUNT_SK, SPLIT_VIEW_ATTRIBUTE, account_key
from journeys.model.buying_groups import BuyingGroup, SolutionInterest
from journeys.model.common import Scalar
from journeys.model.lists import DUMMY_AUDIENCE_RECORD, AccountList, ExternalAudience, TimelineEntry
from journeys.model.profiles import Account, Person
from journeys.outcomes import ActionResult
from journeys.splitview import encode, split_view
from journeys.store.memory import (
    ACCOUNT_FIXED,
    PERSON_FIXED,
    check_count_keys,
    checked_entry_changes,
    new_event_id,
    utc_now,
    with_attribute,
)
from journeys.store.records import Entry, JourneyRecord, LedgerEntry, ListenerRecord, NodeCounts
from journeys.store.repository import Conflict, NotFound, StoreError, latest_running, parse_score_change
from journeys.timestamps import iso, normalize_time

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", AccountList, ExternalAudience)
Item = dict[str, Any]  # a typed DynamoDB item: {"attr": {"S": ...}, ...}

# Ledger rows, cohorts, listeners and events expire after the longest journey (365 days) plus a
# margin, through the table's TTL attribute.
RETENTION = timedelta(days=400)
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
COHORT_PART = 1000  # ids per cohort item: 1,000 ids of <= 256 chars stay under the 400 KB item cap
MAX_BATCH_ATTEMPTS = 8  # our own retries of unprocessed batch keys, after botocore's
MAX_LOCK_ATTEMPTS = 8  # optimistic retries of attribute updates that raced another writer
WRITE_WORKERS = 8  # threads for a cohort's conditional writes (they cannot be batched)
SKIPPED_PREFIX = "skipped:"  # per-reason counters are top-level attributes (ADD needs top level)

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


@cache
def default_client() -> Any:
    """The DynamoDB client, created on first use (never at import) and shared by the process.
    Standard retry mode backs off on throttling (ProvisionedThroughputExceeded, ThrottlingException)."""
    import boto3

    return boto3.client(
        "dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 10}, connect_timeout=5)
    )


# -- value conversion -------------------------------------------------------------------------


def _to_decimal(value: Any) -> Any:
    """DynamoDB numbers are Decimals; floats must be converted first (NaN/inf are refused)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int | Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store the number {value}")
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {str(k): _to_decimal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_decimal(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__}")


def _from_decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_decimal(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_from_decimal(v) for v in value]
    return value


def av(value: Any) -> dict[str, Any]:
    """A Python value as a typed attribute value."""
    return dict(_SERIALIZER.serialize(_to_decimal(value)))


def py(attribute: dict[str, Any]) -> Any:
    """A typed attribute value as a Python value (integral numbers come back as int)."""
    return _from_decimal(_DESERIALIZER.deserialize(attribute))


def item_of(**attrs: Any) -> Item:
    return {name: av(value) for name, value in attrs.items()}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _condition_failed(exc: ClientError) -> bool:
    return _code(exc) == "ConditionalCheckFailedException"


class _Sequence:
    """Creation order for items (exports keep the order records were first put). Time-based so
    that writers in different processes interleave sensibly; strictly increasing in a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def next(self, count: int = 1) -> int:
        with self._lock:
            first = max(time.time_ns(), self._last + 1)
            self._last = first + count - 1
            return first


def _seq_key(seq: int) -> str:
    return f"{seq:020d}"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# -- keys -------------------------------------------------------------------------------------


def _k(pk: str, sk: str) -> Item:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _account_pk(account_id: str) -> str:
    return f"{ACCOUNT_PK_PREFIX}{account_id}"


def _group_key(account_id: str, interest: str) -> Item:
    return _k(_account_pk(account_id), f"GROUP#{interest}")


def _person_key(person_id: str) -> Item:
    return _k(f"PERSON#{person_id}", "PERSON")


def _interest_key(interest_id: str) -> Item:
    return _k(f"SOLUTION#{interest_id}", "SOLUTION")


def _list_key(list_id: str, member: str | None = None) -> Item:
    return _k(f"LIST#{list_id}", f"MEMBER#{member}" if member is not None else "LIST")


def _audience_key(audience_id: str, member: str | None = None) -> Item:
    return _k(f"AUDIENCE#{audience_id}", f"MEMBER#{member}" if member is not None else "AUDIENCE")


def _journey_key(journey_id: str) -> Item:
    return _k(f"JOURNEY#{journey_id}", "JOURNEY")


def _entry_key(entry_id: str) -> Item:
    return _k(f"ENTRY#{entry_id}", "ENTRY")


def _ledger_key(entry_id: str, node_id: str, subject: str) -> Item:
    return _k(f"LEDGER#{entry_id}#{node_id}", f"SUBJECT#{subject}")


def _listener_key(account_id: str, entry_id: str, node_id: str) -> Item:
    return _k(f"LISTENER#{account_id}", f"ENTRY#{entry_id}#NODE#{node_id}")


class DynamoStore:
    """Every part of `Store` (plus solution interests and the split view) on one DynamoDB table."""

    def __init__(
        self,
        table_name: str,
        client: Any = None,
        *,
        solution_interests: Mapping[str, SolutionInterest] | Iterable[SolutionInterest] | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.table = table_name
        self._client = client
        # Interests known without a table read (a seed); SOLUTION# items take precedence.
        given = solution_interests or {}
        values = given.values() if isinstance(given, Mapping) else given
        self._seed_interests = {i.id: i.model_copy(deep=True) for i in values}
        self._clock = clock
        self._sleep = sleep
        self._seq = _Sequence()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = default_client()
        return self._client

    # -- low-level helpers ------------------------------------------------------------------

    def _get(self, key: Item, projection: str | None = None) -> Item | None:
        kwargs: dict[str, Any] = {"TableName": self.table, "Key": key, "ConsistentRead": True}
        if projection:
            kwargs["ProjectionExpression"] = projection
        item: Item | None = self.client.get_item(**kwargs).get("Item")
        return item

    def _update(
        self,
        key: Item,
        expression: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        *,
        condition: str | None = None,
        returns: str = "NONE",
    ) -> Item:
        """UpdateItem with plain Python values; ClientError (a failed condition too) propagates."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "Key": key,
            "UpdateExpression": expression,
            "ReturnValues": returns,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if values:
            kwargs["ExpressionAttributeValues"] = {k: av(v) for k, v in values.items()}
        if condition:
            kwargs["ConditionExpression"] = condition
        attributes: Item = self.client.update_item(**kwargs).get("Attributes", {})
        return attributes

    def _query(self, index: str | None = None, **kwargs: Any) -> Iterator[Item]:
        """Every page of a Query (consistent on the base table; GSIs are eventually consistent)."""
        kwargs["TableName"] = self.table
        if index:
            kwargs["IndexName"] = index
        else:
            kwargs["ConsistentRead"] = True
        while True:
            page = self.client.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _collection(self, pk: str, sk_prefix: str | None = None) -> Iterator[Item]:
        if sk_prefix is None:
            return self._query(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
            )
        return self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": sk_prefix}},
        )

    def _gsi(self, gsi1pk: str, sk_prefix: str | None = None) -> Iterator[Item]:
        if sk_prefix is None:
            return self._query(
                "gsi1",
                KeyConditionExpression="gsi1pk = :pk",
                ExpressionAttributeValues={":pk": {"S": gsi1pk}},
            )
        return self._query(
            "gsi1",
            KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :p)",
            ExpressionAttributeValues={":pk": {"S": gsi1pk}, ":p": {"S": sk_prefix}},
        )

    def _scan_entity(self, entity: str) -> list[Item]:
        """Export-only pattern (seed/export, admin): a filtered Scan, sorted by creation order."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": "entity = :e",
            "ExpressionAttributeValues": {":e": {"S": entity}},
            "ConsistentRead": True,
        }
        items: list[Item] = []
        while True:
            page = self.client.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda i: int(i["seq"]["N"]))

    def _backoff(self, attempt: int) -> None:
        # Full jitter, capped: the batch APIs return unprocessed work instead of an error.
        self._sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))

    def _batch_get(self, keys: Sequence[Item]) -> list[Item]:
        """BatchGetItem in chunks of 100, retrying UnprocessedKeys with bounded backoff."""
        found: list[Item] = []
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table: {"Keys": list(keys[start : start + BATCH_GET_LIMIT]), "ConsistentRead": True}
            }
            for attempt in range(MAX_BATCH_ATTEMPTS):
                response = self.client.batch_get_item(RequestItems=request)
                found.extend(response.get("Responses", {}).get(self.table, []))
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                self._backoff(attempt)
            else:
                raise StoreError(f"BatchGetItem left keys unprocessed after {MAX_BATCH_ATTEMPTS} attempts")
        return found

    def _batch_write(self, puts: Sequence[Item] = (), deletes: Sequence[Item] = ()) -> None:
        """BatchWriteItem in chunks of 25, retrying UnprocessedItems with bounded backoff."""
        requests = [{"PutRequest": {"Item": i}} for i in puts] + [
            {"DeleteRequest": {"Key": k}} for k in deletes
        ]
        for start in range(0, len(requests), BATCH_WRITE_LIMIT):
            pending: dict[str, Any] = {self.table: requests[start : start + BATCH_WRITE_LIMIT]}
            for attempt in range(MAX_BATCH_ATTEMPTS):
                response = self.client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                self._backoff(attempt)
            else:
                raise StoreError(f"BatchWriteItem left items unprocessed after {MAX_BATCH_ATTEMPTS} attempts")

    def _each(self, write: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Apply one single-item write per item, in input order; a few threads for a large cohort
        (boto3 clients are thread-safe), so an action batch stays well inside its Lambda timeout."""
        if len(items) <= WRITE_WORKERS:
            return [write(i) for i in items]
        with ThreadPoolExecutor(max_workers=WRITE_WORKERS) as pool:
            # list() drains the map, so the first failure is raised here.
            return list(pool.map(write, items))

    def _now(self) -> datetime:
        return self._clock()

    def _expires(self) -> int:
        return _epoch(self._now() + RETENTION)

    # -- solution interests and the split view ----------------------------------------------

    def put_solution_interest(self, interest: SolutionInterest) -> None:
        seq = self._seq.next()
        self._update(
            _interest_key(interest.id),
            "SET entity = :e, #d = :d, gsi1pk = :g, seq = if_not_exists(seq, :q), "
            "gsi1sk = if_not_exists(gsi1sk, :qs)",
            {"#d": "data"},
            {
                ":e": "SOLUTION",
                ":d": interest.model_dump(mode="json", exclude_none=True),
                ":g": "TYPE#SOLUTION",
                ":q": seq,
                ":qs": _seq_key(seq),
            },
        )
        # Completeness depends on the roles template: refresh every account with such a group.
        for group in self._gsi(f"INTEREST#{interest.id}"):
            self._touch_account(py(group["account"]))

    def get_solution_interest(self, interest_id: str) -> SolutionInterest | None:
        found = self._get(_interest_key(interest_id))
        if found is None:
            seeded = self._seed_interests.get(interest_id)
            return seeded.model_copy(deep=True) if seeded else None
        return SolutionInterest.model_validate(py(found["data"]))

    def list_solution_interests(self) -> list[SolutionInterest]:
        stored = [SolutionInterest.model_validate(py(i["data"])) for i in self._gsi("TYPE#SOLUTION")]
        known = {s.id for s in stored}
        return stored + [s.model_copy(deep=True) for k, s in self._seed_interests.items() if k not in known]

    def _interests(self, ids: Iterable[str]) -> dict[str, SolutionInterest]:
        wanted = sorted(set(ids))
        out = {k: v for k, v in self._seed_interests.items() if k in wanted}
        for found in self._batch_get([_interest_key(i) for i in wanted]):
            interest = SolutionInterest.model_validate(py(found["data"]))
            out[interest.id] = interest
        return out

    def _touch_account(self, account_id: str) -> None:
        """Bump the account's revision (a group or interest changed) and refresh its split view."""
        try:
            self._update(
                account_key(account_id),
                "ADD rev :one",
                values={":one": 1},
                condition="attribute_exists(pk)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return  # no account item (yet): nothing to keep in step
            raise
        self._refresh_view(account_id)

    def _refresh_view(self, account_id: str) -> None:
        """Recompute `splitView` from one consistent read of the account's item collection.

        Every account or group write bumps `rev` first; this write only lands if `rev` is still
        what was read. If it moved, a later writer changed the collection and will refresh after
        us, so giving up is safe and the last refresh always sees the last write.
        """
        items = list(self._collection(_account_pk(account_id)))
        head = next((i for i in items if i["sk"]["S"] == ACCOUNT_SK), None)
        if head is None:
            return
        account = Account.model_validate(py(head["data"]))
        groups = [
            BuyingGroup.model_validate(py(i["data"])) for i in items if i["sk"]["S"].startswith("GROUP#")
        ]
        view = encode(split_view(account, groups, self._interests(g.solutionInterest for g in groups)))
        try:
            self._update(
                account_key(account_id),
                f"SET {SPLIT_VIEW_ATTRIBUTE} = :v",
                values={":v": view, ":rev": py(head["rev"])},
                condition="rev = :rev",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def get_item_split_view(self, account_id: str) -> dict[str, dict[str, str]] | None:
        """The account item exactly as the compiled `dynamodb:getItem` reads it."""
        found = self._get(account_key(account_id), projection=f"pk, sk, {SPLIT_VIEW_ATTRIBUTE}")
        return found or None

    # -- profiles ---------------------------------------------------------------------------

    def get_account(self, account_id: str) -> Account | None:
        found = self._get(account_key(account_id))
        return Account.model_validate(py(found["data"])) if found else None

    def put_account(self, account: Account) -> None:
        self._update(
            account_key(account.id),
            "SET entity = :e, #d = :d, seq = if_not_exists(seq, :q) ADD rev :one",
            {"#d": "data"},
            {
                ":e": "ACCOUNT",
                ":d": account.model_dump(mode="json", exclude_none=True),
                ":q": self._seq.next(),
                ":one": 1,
            },
        )
        self._refresh_view(account.id)

    def iter_accounts(self) -> Iterator[Account]:
        return iter([Account.model_validate(py(i["data"])) for i in self._scan_entity("ACCOUNT")])

    def _set_attribute(
        self, key: Item, kind: str, model: type[Account] | type[Person], attribute: str, value: Scalar
    ) -> Scalar:
        """Validated read-modify-write of the `data` map, guarded by `rev` (retried on a race)."""
        fixed = ACCOUNT_FIXED if model is Account else PERSON_FIXED
        for _ in range(MAX_LOCK_ATTEMPTS):
            found = self._get(key)
            if found is None:
                raise NotFound(f"{kind} '{py(key['pk'])}'")
            data = py(found["data"])
            if model is Person:
                data["scores"] = {}  # scores live apart (atomic counters); not part of this write
            current = model.model_validate(data)
            updated, previous = with_attribute(current, attribute, value, fixed)
            exclude = {"scores"} if model is Person else set()
            try:
                self._update(
                    key,
                    "SET #d = :d ADD rev :one",
                    {"#d": "data"},
                    {
                        ":d": updated.model_dump(mode="json", exclude_none=True, exclude=exclude),
                        ":one": 1,
                        ":rev": py(found.get("rev", {"N": "0"})),
                    },
                    # Items written before `rev` existed have none: they match the first write.
                    condition="attribute_not_exists(rev) OR rev = :rev",
                )
            except ClientError as exc:
                if _condition_failed(exc):
                    continue
                raise
            return previous
        raise Conflict(f"{kind} attribute '{attribute}' kept changing; retry")

    def set_account_attribute(self, account_id: str, attribute: str, value: Scalar) -> Scalar:
        previous = self._set_attribute(account_key(account_id), "account", Account, attribute, value)
        self._refresh_view(account_id)
        return previous

    @staticmethod
    def _person(found: Item) -> Person:
        return Person.model_validate({**py(found["data"]), "scores": py(found.get("scores", {"M": {}}))})

    def get_people(self, person_ids: Sequence[str]) -> list[Person]:
        """The people found, in the order asked (unknown ids left out, duplicates once)."""
        unique = list(dict.fromkeys(person_ids))
        by_id = {p.id: p for p in map(self._person, self._batch_get([_person_key(i) for i in unique]))}
        return [by_id[i] for i in unique if i in by_id]

    def people_of_account(self, account_id: str) -> list[Person]:
        items = sorted(self._gsi(_account_pk(account_id), "PERSON#"), key=lambda i: int(i["seq"]["N"]))
        return [self._person(i) for i in items]

    def put_person(self, person: Person) -> None:
        self._update(
            _person_key(person.id),
            "SET entity = :e, #d = :d, scores = :s, gsi1pk = :g, gsi1sk = :gs, "
            "seq = if_not_exists(seq, :q) ADD rev :one",
            {"#d": "data"},
            {
                ":e": "PERSON",
                ":d": person.model_dump(mode="json", exclude_none=True, exclude={"scores"}),
                ":s": person.scores,
                ":g": _account_pk(person.account),
                ":gs": f"PERSON#{person.id}",
                ":q": self._seq.next(),
                ":one": 1,
            },
        )

    def iter_people(self) -> Iterator[Person]:
        return iter([self._person(i) for i in self._scan_entity("PERSON")])

    def set_person_attribute(self, person_id: str, attribute: str, value: Scalar) -> Scalar:
        return self._set_attribute(_person_key(person_id), "person", Person, attribute, value)

    def change_score(self, person_id: str, score: str, change: str) -> tuple[float, float]:
        """One UpdateItem: the service applies it atomically, so concurrent increments all count."""
        assign, amount = parse_score_change(change)
        try:
            if assign:
                old = self._update(
                    _person_key(person_id),
                    "SET scores.#s = :n",
                    {"#s": score},
                    {":n": amount},
                    condition="attribute_exists(pk)",
                    returns="ALL_OLD",
                )
                before = float(py(old.get("scores", {"M": {}})).get(score, 0))
                return before, float(amount)
            new = self._update(
                _person_key(person_id),
                "SET scores.#s = if_not_exists(scores.#s, :zero) + :n",
                {"#s": score},
                {":n": amount, ":zero": 0},
                condition="attribute_exists(pk)",
                returns="ALL_NEW",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise NotFound(f"person '{person_id}'") from exc
            raise
        after = float(py(new["scores"])[score])
        return after - amount, after

    # -- buying groups ------------------------------------------------------------------------

    def get_buying_group(self, account_id: str, solution_interest: str) -> tuple[BuyingGroup, int] | None:
        found = self._get(_group_key(account_id, solution_interest))
        if found is None:
            return None
        return BuyingGroup.model_validate(py(found["data"])), int(py(found["version"]))

    def save_buying_group(self, group: BuyingGroup, expected_version: int | None) -> int:
        version = (expected_version or 0) + 1
        values: dict[str, Any] = {
            ":e": "GROUP",
            ":d": group.model_dump(mode="json"),
            ":a": group.account,
            ":v": version,
            ":g": f"INTEREST#{group.solutionInterest}",
            ":gs": _account_pk(group.account),
            ":q": self._seq.next(),
        }
        if expected_version is None:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "version = :expected"
            values[":expected"] = expected_version
        try:
            self._update(
                _group_key(group.account, group.solutionInterest),
                "SET entity = :e, #d = :d, account = :a, version = :v, gsi1pk = :g, gsi1sk = :gs, "
                "seq = if_not_exists(seq, :q)",
                {"#d": "data"},
                values,
                condition=condition,
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise Conflict(
                    f"buying group {group.account}/{group.solutionInterest}: expected version "
                    f"{expected_version}"
                ) from exc
            raise
        self._touch_account(group.account)
        return version

    def iter_buying_groups(self) -> Iterator[BuyingGroup]:
        return iter([BuyingGroup.model_validate(py(i["data"])) for i in self._scan_entity("GROUP")])

    # -- account lists ----------------------------------------------------------------------

    def _members(self, pk: str) -> tuple[Item | None, list[Item]]:
        """The head item and member items of a list or audience collection (members in order)."""
        head: Item | None = None
        members: list[Item] = []
        for found in self._collection(pk):
            if found["sk"]["S"].startswith("MEMBER#"):
                members.append(found)
            else:
                head = found
        members.sort(key=lambda i: int(i["seq"]["N"]))
        return head, members

    def _collection_of(self, model: type[C], pk: str, head_key: Item, members: bool) -> C | None:
        """A list or audience: its head and members in one Query, or (`members=False`) the head alone."""
        if not members:
            return self._head_only(model, self._get(head_key))
        head, items = self._members(pk)
        if head is None:
            return None
        return model.model_validate({**py(head["data"]), "members": [py(m["member"]) for m in items]})

    @staticmethod
    def _head_only(model: type[C], head: Item | None) -> C | None:
        return None if head is None else model.model_validate({**py(head["data"]), "members": []})

    def get_account_list(self, list_id: str, *, members: bool = True) -> AccountList | None:
        return self._collection_of(AccountList, f"LIST#{list_id}", _list_key(list_id), members)

    def put_account_list(self, account_list: AccountList) -> None:
        """Replace the list and its members (an admin write: not atomic across member items)."""
        seq = self._seq.next()
        self._update(
            _list_key(account_list.id),
            "SET entity = :e, #d = :d, gsi1pk = :g, seq = if_not_exists(seq, :q), "
            "gsi1sk = if_not_exists(gsi1sk, :qs)",
            {"#d": "data"},
            {
                ":e": "LIST",
                ":d": account_list.model_dump(mode="json", exclude={"members"}),
                ":g": "TYPE#LIST",
                ":q": seq,
                ":qs": _seq_key(seq),
            },
        )
        _, old = self._members(f"LIST#{account_list.id}")
        wanted = list(dict.fromkeys(account_list.members))
        first = self._seq.next(max(1, len(wanted)))
        stale = [_list_key(account_list.id, py(m["member"])) for m in old if py(m["member"]) not in wanted]
        puts = [
            {**_list_key(account_list.id, m), **item_of(member=m, seq=first + n)}
            for n, m in enumerate(wanted)
        ]
        self._batch_write(puts=puts, deletes=stale)

    def list_account_lists(self, *, members: bool = True) -> list[AccountList]:
        heads = self._gsi("TYPE#LIST")
        if not members:  # the index items are the heads: no read per list
            return [lst for head in heads if (lst := self._head_only(AccountList, head)) is not None]
        ids = [py(head["data"])["id"] for head in heads]
        return [lst for lid in ids if (lst := self.get_account_list(lid)) is not None]

    def _require(self, key: Item, what: str) -> None:
        if self._get(key, projection="pk") is None:
            raise NotFound(what)

    def add_to_account_list(self, list_id: str, account_id: str) -> bool:
        self._require(_list_key(list_id), f"account list '{list_id}'")
        try:
            self.client.put_item(
                TableName=self.table,
                Item={**_list_key(list_id, account_id), **item_of(member=account_id, seq=self._seq.next())},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False  # already a member
            raise
        return True

    def _delete_if_exists(self, key: Item) -> bool:
        """True only for the caller whose conditional delete removed the item."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=key,
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def remove_from_account_list(self, list_id: str, account_id: str) -> bool:
        self._require(_list_key(list_id), f"account list '{list_id}'")
        return self._delete_if_exists(_list_key(list_id, account_id))

    # -- external audiences -----------------------------------------------------------------

    def get_audience(self, audience_id: str, *, members: bool = True) -> ExternalAudience | None:
        return self._collection_of(
            ExternalAudience, f"AUDIENCE#{audience_id}", _audience_key(audience_id), members
        )

    def _audience_member(self, audience_id: str, person_id: str, seq: int, pending: bool) -> Item:
        member = {**_audience_key(audience_id, person_id), **item_of(member=person_id, seq=seq)}
        if pending:
            # Sparse GSI: only members waiting for activation carry gsi1 keys.
            member |= item_of(gsi1pk=f"PENDING#{audience_id}", gsi1sk=f"{_seq_key(seq)}#{person_id}")
        return member

    def put_audience(self, audience: ExternalAudience) -> None:
        """Store as given; members put this way count as activated, unless already pending."""
        seq = self._seq.next()
        self._update(
            _audience_key(audience.id),
            "SET entity = :e, #d = :d, gsi1pk = :g, seq = if_not_exists(seq, :q), "
            "gsi1sk = if_not_exists(gsi1sk, :qs)",
            {"#d": "data"},
            {
                ":e": "AUDIENCE",
                ":d": audience.model_dump(mode="json", exclude={"members"}, exclude_none=True),
                ":g": "TYPE#AUDIENCE",
                ":q": seq,
                ":qs": _seq_key(seq),
            },
        )
        _, old = self._members(f"AUDIENCE#{audience.id}")
        pending = {py(m["member"]) for m in old if "gsi1pk" in m}
        wanted = list(dict.fromkeys(audience.members))
        first = self._seq.next(max(1, len(wanted)))
        stale = [_audience_key(audience.id, py(m["member"])) for m in old if py(m["member"]) not in wanted]
        puts = [self._audience_member(audience.id, m, first + n, m in pending) for n, m in enumerate(wanted)]
        self._batch_write(puts=puts, deletes=stale)

    def list_audiences(self, *, members: bool = True) -> list[ExternalAudience]:
        heads = self._gsi("TYPE#AUDIENCE")
        if not members:  # the index items are the heads: no read per audience
            return [aud for head in heads if (aud := self._head_only(ExternalAudience, head)) is not None]
        ids = [py(head["data"])["id"] for head in heads]
        return [aud for aid in ids if (aud := self.get_audience(aid)) is not None]

    def add_audience_members(self, audience_id: str, person_ids: Sequence[str]) -> list[str]:
        # No read of the members: an audience can hold millions, and the conditional puts below
        # already tell who is new.
        self._require(_audience_key(audience_id), f"audience '{audience_id}'")
        fresh = [p for p in dict.fromkeys(person_ids) if p != DUMMY_AUDIENCE_RECORD]
        first = self._seq.next(max(1, len(fresh)))

        def put(numbered: tuple[int, str]) -> bool:
            n, pid = numbered
            try:
                # Conditional: a concurrent adder of the same person gets it counted once.
                self.client.put_item(
                    TableName=self.table,
                    Item=self._audience_member(audience_id, pid, first + n, pending=True),
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as exc:
                if _condition_failed(exc):
                    return False
                raise
            return True

        done = self._each(put, list(enumerate(fresh)))
        added = [pid for pid, ok in zip(fresh, done, strict=True) if ok]
        dummy = _audience_key(audience_id, DUMMY_AUDIENCE_RECORD)
        if added and self._get(dummy, projection="pk") is not None:
            # The first real profile replaces the placeholder of a new audience.
            self._delete_if_exists(dummy)
        return added

    def pending_activations(self, audience_id: str, limit: int) -> list[str]:
        self._require(_audience_key(audience_id), f"audience '{audience_id}'")
        if limit <= 0:
            return []
        out: list[str] = []
        for found in self._query(
            "gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"PENDING#{audience_id}"}},
            Limit=limit,
        ):
            out.append(py(found["member"]))
            if len(out) >= limit:
                break
        return out

    def mark_activated(self, audience_id: str, person_ids: Sequence[str]) -> None:
        self._require(_audience_key(audience_id), f"audience '{audience_id}'")

        def activated(pid: str) -> None:
            try:
                self._update(
                    _audience_key(audience_id, pid), "REMOVE gsi1pk, gsi1sk", condition="attribute_exists(pk)"
                )
            except ClientError as exc:
                if not _condition_failed(exc):
                    raise

        self._each(activated, list(dict.fromkeys(person_ids)))

    # -- timelines ----------------------------------------------------------------------------

    def append_moment(self, moment: TimelineEntry) -> None:
        seq = self._seq.next()
        # The random suffix keeps two processes that drew the same nanosecond apart.
        sk = f"MOMENT#{_seq_key(seq)}#{random.getrandbits(32):08x}"
        self.client.put_item(
            TableName=self.table,
            Item={
                **_k(f"TIMELINE#{moment.on}#{moment.subject}", sk),
                **item_of(entity="MOMENT", data=moment.model_dump(mode="json", exclude_none=True), seq=seq),
            },
        )

    def timeline(self, on: str, subject: str) -> list[TimelineEntry]:
        return [
            TimelineEntry.model_validate(py(i["data"]))
            for i in self._collection(f"TIMELINE#{on}#{subject}", "MOMENT#")
        ]

    def iter_moments(self) -> Iterator[TimelineEntry]:
        return iter([TimelineEntry.model_validate(py(i["data"])) for i in self._scan_entity("MOMENT")])

    # -- journeys ---------------------------------------------------------------------------

    def get_journey(self, journey_id: str) -> JourneyRecord | None:
        found = self._get(_journey_key(journey_id))
        if found is None:
            return None
        return JourneyRecord.model_validate_json(found["doc"]["S"]).model_copy(
            update={"revision": int(py(found["revision"]))}
        )

    def save_journey(self, record: JourneyRecord, expected_revision: int | None) -> JourneyRecord:
        revision = (expected_revision or 0) + 1
        stored = record.model_copy(update={"revision": revision})
        seq = self._seq.next()
        # The definition is an opaque document: kept as JSON so numbers and keys round-trip exactly.
        values: dict[str, Any] = {
            ":e": "JOURNEY",
            ":doc": stored.model_dump_json(),
            ":r": revision,
            ":g": "TYPE#JOURNEY",
            ":q": seq,
            ":qs": _seq_key(seq),
        }
        if expected_revision is None:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "revision = :expected"
            values[":expected"] = expected_revision
        try:
            self._update(
                _journey_key(record.id),
                "SET entity = :e, doc = :doc, revision = :r, gsi1pk = :g, seq = if_not_exists(seq, :q), "
                "gsi1sk = if_not_exists(gsi1sk, :qs)",
                values=values,
                condition=condition,
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise Conflict(f"journey '{record.id}': expected revision {expected_revision}") from exc
            raise
        return stored

    def list_journeys(self) -> list[JourneyRecord]:
        return [
            JourneyRecord.model_validate_json(i["doc"]["S"]).model_copy(
                update={"revision": int(py(i["revision"]))}
            )
            for i in self._gsi("TYPE#JOURNEY")
        ]

    def delete_journey(self, journey_id: str) -> None:
        if not self._delete_if_exists(_journey_key(journey_id)):
            raise NotFound(f"journey '{journey_id}'")

    # -- entries ------------------------------------------------------------------------------

    def put_entry(self, entry: Entry) -> bool:
        item = {
            **_entry_key(entry.entryId),
            **item_of(
                entity="ENTRY",
                data=entry.model_dump(mode="json"),
                gsi1pk=f"ENTRIES#{entry.journeyId}",
                gsi1sk=f"{entry.accountId}#{normalize_time(entry.startedAt)}#{entry.entryId}",
            ),
        }
        try:
            self.client.put_item(
                TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False  # the entry id already exists: starting is idempotent
            raise
        return True

    def get_entry(self, entry_id: str) -> Entry | None:
        found = self._get(_entry_key(entry_id))
        return Entry.model_validate(py(found["data"])) if found else None

    def update_entry(self, entry_id: str, **changes: Any) -> Entry:
        checked_entry_changes(changes)
        current = self.get_entry(entry_id)
        if current is None:
            raise NotFound(f"entry '{entry_id}'")
        checked = Entry.model_validate({**current.model_dump(), **changes}).model_dump(mode="json")
        if not changes:
            return current
        # Only the changed fields are written, so a concurrent append_path is never undone.
        names = {"#d": "data"} | {f"#f{n}": name for n, name in enumerate(changes)}
        values = {f":f{n}": checked[name] for n, name in enumerate(changes)}
        sets = ", ".join(f"#d.#f{n} = :f{n}" for n in range(len(changes)))
        try:
            new = self._update(
                _entry_key(entry_id),
                f"SET {sets}",
                names,
                values,
                condition="attribute_exists(pk)",
                returns="ALL_NEW",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise NotFound(f"entry '{entry_id}'") from exc
            raise
        return Entry.model_validate(py(new["data"]))

    def append_path(self, entry_id: str, step: dict[str, Any]) -> None:
        try:
            self._update(
                _entry_key(entry_id),
                "SET #d.#p = list_append(#d.#p, :step)",
                {"#d": "data", "#p": "path"},
                {":step": [step]},
                condition="attribute_exists(pk)",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise NotFound(f"entry '{entry_id}'") from exc
            raise

    def entries_of(self, journey_id: str, account_id: str | None = None) -> list[Entry]:
        """Entries ordered by start time (then entry id)."""
        prefix = None if account_id is None else f"{account_id}#"
        found = [Entry.model_validate(py(i["data"])) for i in self._gsi(f"ENTRIES#{journey_id}", prefix)]
        if account_id is not None:
            # An account id containing '#' could share the prefix: keep exact matches only.
            found = [e for e in found if e.accountId == account_id]
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
        """One UpdateItem with ADD: atomic, and negative deltas (leaving `waiting`) just work."""
        check_count_keys(deltas)
        adds: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {":e": "COUNTS", ":n": node_id}
        for n, (name, delta) in enumerate({**deltas}.items()):
            names[f"#c{n}"] = name
            values[f":c{n}"] = delta
            adds.append(f"#c{n} :c{n}")
        for n, (reason, delta) in enumerate((skipped_by_reason or {}).items()):
            names[f"#r{n}"] = SKIPPED_PREFIX + reason
            values[f":r{n}"] = delta
            adds.append(f"#r{n} :r{n}")
        expression = "SET entity = :e, nodeId = :n" + (" ADD " + ", ".join(adds) if adds else "")
        self._update(_k(f"COUNTS#{journey_id}", f"NODE#{node_id}"), expression, names or None, values)

    def node_counts(self, journey_id: str) -> dict[str, NodeCounts]:
        out: dict[str, NodeCounts] = {}
        for found in self._collection(f"COUNTS#{journey_id}", "NODE#"):
            plain = {k: py(v) for k, v in found.items()}
            fields = {k: int(v) for k, v in plain.items() if k in NodeCounts.model_fields}
            reasons = {
                k.removeprefix(SKIPPED_PREFIX): int(v)
                for k, v in plain.items()
                if k.startswith(SKIPPED_PREFIX)
            }
            out[plain["nodeId"]] = NodeCounts(**fields, skippedByReason=reasons)
        return out

    # -- idempotency ledger ---------------------------------------------------------------------

    @staticmethod
    def _ledger_entry(found: Item) -> LedgerEntry:
        return LedgerEntry.model_validate({k: py(found[k]) for k in LedgerEntry.model_fields if k in found})

    def ledger_get(self, entry_id: str, node_id: str, subjects: Sequence[str]) -> dict[str, LedgerEntry]:
        keys = [_ledger_key(entry_id, node_id, s) for s in dict.fromkeys(subjects)]
        rows = map(self._ledger_entry, self._batch_get(keys))
        return {row.subject: row for row in rows}

    def ledger_claim(self, entry_id: str, node_id: str, subject: str) -> bool:
        item = {
            **_ledger_key(entry_id, node_id, subject),
            **item_of(
                entryId=entry_id,
                nodeId=node_id,
                subject=subject,
                outcome="pending",
                at=iso(self._now()),
                expiresAt=self._expires(),
            ),
        }
        try:
            self.client.put_item(
                TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def ledger_claim_many(self, entry_id: str, node_id: str, subjects: Sequence[str]) -> list[str]:
        """Conditional puts cannot be batched: one per subject, on a few threads for a large chunk."""
        unique = list(dict.fromkeys(subjects))
        won = self._each(lambda subject: self.ledger_claim(entry_id, node_id, subject), unique)
        return [subject for subject, ok in zip(unique, won, strict=True) if ok]

    def ledger_record(self, entry_id: str, node_id: str, results: Iterable[ActionResult]) -> None:
        """One conditional write per subject: lands on a missing or `pending` row only, so a final
        outcome is never overwritten (a redelivered batch cannot change what happened).

        Conditional writes cannot be batched, so a large cohort's writes run on a few threads
        (the boto3 client is thread-safe) to keep an action batch well inside its Lambda timeout."""
        at = iso(self._now())
        expires = self._expires()
        self._each(lambda r: self._record_outcome(entry_id, node_id, r, at, expires), list(results))

    def _record_outcome(
        self, entry_id: str, node_id: str, result: ActionResult, at: str, expires: int
    ) -> None:
        values: dict[str, Any] = {
            ":entry": entry_id,
            ":node": node_id,
            ":subject": result.subject,
            ":o": result.outcome.value,
            ":at": at,
            ":x": expires,
            ":pending": "pending",
        }
        expression = "SET entryId = :entry, nodeId = :node, subject = :subject, outcome = :o, #at = :at, expiresAt = :x"
        if result.reason is not None:
            expression += ", reason = :reason"
            values[":reason"] = result.reason
        else:
            expression += " REMOVE reason"
        try:
            self._update(
                _ledger_key(entry_id, node_id, result.subject),
                expression,
                {"#at": "at"},
                values,
                condition="attribute_not_exists(pk) OR outcome = :pending",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    # -- cohorts ------------------------------------------------------------------------------

    def put_cohort(self, cohort_ref: str, person_ids: Sequence[str]) -> None:
        """Parts first, head last: a reader that sees the head finds every part it names."""
        ids = list(person_ids)
        expires = self._expires()
        parts = [ids[i : i + COHORT_PART] for i in range(0, len(ids), COHORT_PART)]
        self._batch_write(
            puts=[
                {**_k(f"COHORT#{cohort_ref}", f"PART#{n:05d}"), **item_of(ids=part, expiresAt=expires)}
                for n, part in enumerate(parts)
            ]
        )
        self.client.put_item(
            TableName=self.table,
            Item={
                **_k(f"COHORT#{cohort_ref}", "COHORT"),
                **item_of(parts=len(parts), size=len(ids), expiresAt=expires),
            },
        )

    def get_cohort(self, cohort_ref: str) -> list[str]:
        head = self._get(_k(f"COHORT#{cohort_ref}", "COHORT"))
        if head is None:
            raise NotFound(f"cohort '{cohort_ref}'")
        count = int(py(head["parts"]))
        # Parts beyond `count` are leftovers of an earlier, larger put of the same ref.
        parts = list(self._collection(f"COHORT#{cohort_ref}", "PART#"))[:count]
        return [pid for part in parts for pid in py(part["ids"])]

    # -- listeners and events -----------------------------------------------------------------

    def register_listener(self, listener: ListenerRecord) -> None:
        registered = datetime.fromisoformat(normalize_time(listener.registeredAt).replace("Z", "+00:00"))
        self.client.put_item(
            TableName=self.table,
            Item={
                **_listener_key(listener.accountId, listener.entryId, listener.nodeId),
                **item_of(
                    entity="LISTENER",
                    data=listener.model_dump(mode="json"),
                    on=listener.on,
                    eventType=listener.eventType,
                    seq=self._seq.next(),
                    expiresAt=_epoch(registered + RETENTION),
                ),
            },
        )

    def listeners_for(self, account_id: str, on: str, event_type: str) -> list[ListenerRecord]:
        """The account's partition holds few listeners: a consistent Query filtered on the kind."""
        items = self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            FilterExpression="#on = :on AND eventType = :t",
            ExpressionAttributeNames={"#on": "on"},
            ExpressionAttributeValues={
                ":pk": {"S": f"LISTENER#{account_id}"},
                ":p": {"S": "ENTRY#"},
                ":on": {"S": on},
                ":t": {"S": event_type},
            },
        )
        ordered = sorted(items, key=lambda i: int(i["seq"]["N"]))
        return [ListenerRecord.model_validate(py(i["data"])) for i in ordered]

    def remove_listener(self, account_id: str, entry_id: str, node_id: str) -> bool:
        return self._delete_if_exists(_listener_key(account_id, entry_id, node_id))

    def _event_item(self, event: JourneyEvent) -> tuple[str, Item]:
        event_id = new_event_id()
        occurred = normalize_time(event.occurredAt)
        moment = datetime.fromisoformat(occurred.replace("Z", "+00:00"))
        return event_id, {
            **_k(f"EVENTS#{event.accountId}#{event.on}#{event.type}", f"{occurred}#{event_id}"),
            **item_of(entity="EVENT", doc=event.model_dump_json(), expiresAt=_epoch(moment + RETENTION)),
        }

    def record_event(self, event: JourneyEvent) -> str:
        event_id, item = self._event_item(event)
        self.client.put_item(TableName=self.table, Item=item)
        return event_id

    def record_events(self, events: Sequence[JourneyEvent]) -> list[str]:
        made = [self._event_item(event) for event in events]
        self._batch_write(puts=[item for _, item in made])
        return [event_id for event_id, _ in made]

    def events_since(self, account_id: str, on: str, event_type: str, since: str) -> list[JourneyEvent]:
        """Events at or after `since`, oldest first (the sort key starts with the fixed-width time)."""
        items = self._query(
            KeyConditionExpression="pk = :pk AND sk >= :since",
            ExpressionAttributeValues={
                ":pk": {"S": f"EVENTS#{account_id}#{on}#{event_type}"},
                ":since": {"S": normalize_time(since)},
            },
        )
        return [JourneyEvent.model_validate_json(i["doc"]["S"]) for i in items]
