"""The stack-wide budget, kept in the project's single DynamoDB table so it holds across Lambdas.

Items under `pk = RATELIMIT#<name>`:
- `sk = SLOT#nnn` (one per call allowed in the window), `usedAt` = when it was last taken. A slot
  is taken with a conditional write that succeeds only if it was last used a full window ago,
  so each slot starts at most one call per window and N slots give at most N calls in any
  rolling window: a sliding log, not a fixed window that could admit 2N across a boundary.
- `sk = LEASE#nn` (one per concurrent call), `holder` + `leaseUntil`. Taken when free or
  expired, released (conditionally on still being the holder) when the call ends, even if it
  failed. A Lambda that dies holding one loses it once `leaseUntil` passes. `expiresAt` lets
  DynamoDB TTL clean up idle items; correctness never waits for TTL.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from journeys.connectors.marketo.clock import Clock, SystemClock
from journeys.connectors.marketo.ratelimit import RateLimitConfig

logger = logging.getLogger(__name__)

_SLOT = "SLOT#"
_LEASE = "LEASE#"


class DynamoDbRateLimiter:
    """Shared budget backed by conditional writes on the JourneysTable."""

    def __init__(
        self,
        table_name: str,
        *,
        client: Any = None,
        config: RateLimitConfig | None = None,
        clock: Clock | None = None,
        name: str = "marketo",
        rng: random.Random | None = None,
    ) -> None:
        if client is None:
            import boto3

            client = boto3.client("dynamodb")
        self._ddb = client
        self._table = table_name
        self.config = config or RateLimitConfig()
        self._clock = clock or SystemClock()
        self._pk = f"RATELIMIT#{name}"
        self._rng = rng or random.Random()

    @contextmanager
    def acquire(self) -> Iterator[float]:
        lease_sk, holder = self._take_lease()
        try:
            yield self._take_slot()
        finally:
            self._release(lease_sk, holder)

    # -- leases -------------------------------------------------------------------------------

    def _take_lease(self) -> tuple[str, str]:
        holder = uuid.uuid4().hex
        cfg = self.config
        delay = cfg.poll_seconds
        while True:
            now = self._clock.now()
            held = self._held_leases(now)
            free = [f"{_LEASE}{i:02d}" for i in range(cfg.concurrency) if f"{_LEASE}{i:02d}" not in held]
            self._rng.shuffle(free)  # concurrent Lambdas spread over different items
            for sk in free:
                until = now + cfg.lease_seconds
                if self._conditional_update(
                    sk,
                    "SET holder = :h, leaseUntil = :u, expiresAt = :e",
                    "attribute_not_exists(holder) OR leaseUntil < :now",
                    {":h": {"S": holder}, ":u": _n(until), ":e": _n(int(until) + 3600), ":now": _n(now)},
                ):
                    return sk, holder
            self._clock.sleep(delay * (0.5 + self._rng.random()))
            delay = min(delay * 2, 1.0)

    def _held_leases(self, now: float) -> set[str]:
        items = self._query(_LEASE)
        return {
            it["sk"]["S"]
            for it in items
            if "holder" in it and float(it.get("leaseUntil", {"N": "0"})["N"]) >= now
        }

    def _release(self, sk: str, holder: str) -> None:
        try:
            self._conditional_update(sk, "REMOVE holder, leaseUntil", "holder = :h", {":h": {"S": holder}})
        except Exception:
            # The lease expires on its own; a failed release must not mask the call's outcome.
            logger.warning("could not release Marketo concurrency lease %s", sk, exc_info=True)

    # -- rate slots ----------------------------------------------------------------------------

    def _take_slot(self) -> float:
        cfg = self.config
        while True:
            now = self._clock.now()
            cutoff = now - cfg.window_seconds
            used = {it["sk"]["S"]: float(it["usedAt"]["N"]) for it in self._query(_SLOT) if "usedAt" in it}
            names = [f"{_SLOT}{i:03d}" for i in range(cfg.calls)]
            free = [sk for sk in names if used.get(sk, float("-inf")) <= cutoff]
            self._rng.shuffle(free)
            for sk in free:
                if self._conditional_update(
                    sk,
                    "SET usedAt = :now, expiresAt = :e",
                    "attribute_not_exists(usedAt) OR usedAt <= :cutoff",
                    {":now": _n(now), ":cutoff": _n(cutoff), ":e": _n(int(now + cfg.window_seconds) + 3600)},
                ):
                    return now
            busy = [used[sk] for sk in names if sk in used and used[sk] > cutoff]
            wait = (min(busy) + cfg.window_seconds - now) if busy else cfg.poll_seconds
            # Jitter so Lambdas waiting on the same slot do not all retry in the same instant.
            self._clock.sleep(max(wait, 1e-3) + self._rng.random() * cfg.poll_seconds)

    # -- DynamoDB -------------------------------------------------------------------------------

    def _query(self, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :p)",
            "ExpressionAttributeValues": {":pk": {"S": self._pk}, ":p": {"S": prefix}},
            "ConsistentRead": True,
        }
        while True:
            page = self._ddb.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _conditional_update(
        self,
        sk: str,
        update: str,
        condition: str,
        values: dict[str, Any],
    ) -> bool:
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"pk": {"S": self._pk}, "sk": {"S": sk}},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _n(value: float) -> dict[str, str]:
    return {"N": repr(float(value)) if not float(value).is_integer() else str(int(value))}
