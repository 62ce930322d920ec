"""Which Marketo failures are worth retrying, and how long to wait before the next attempt."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from pydantic import BaseModel, ConfigDict, Field

# Codes that mean "not executed, try again later" (notes section 6/7). Everything else at the
# response level is a bad request or a state problem that retrying will not fix.
RETRYABLE_CODES = frozenset({"500", "502", "604", "606", "608", "611", "614", "615", "713", "719"})
AUTH_CODES = frozenset({"600", "601", "602"})
QUOTA_CODE = "607"
PERMISSION_CODE = "603"
RATE_CODE = "606"


class RetryPolicy(BaseModel):
    """Exponential backoff with full jitter, bounded by attempts and elapsed time."""

    model_config = ConfigDict(frozen=True)

    max_attempts: int = Field(default=8, ge=1)
    max_elapsed_seconds: float = 300.0
    base_delay: float = 1.0
    max_delay: float = 60.0
    # 606 means the rolling 20 s window is full; waiting less than a window rarely helps.
    rate_limit_floor: float = 20.0
    # 611 is an unhandled server error; a few tries cover a blip without hammering a real fault.
    limited_codes: dict[str, int] = Field(default_factory=lambda: {"611": 3})

    def delay(self, attempt: int, code: str | None, rng: random.Random) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        wait = rng.uniform(0, ceiling)
        if code == RATE_CODE:
            wait = self.rate_limit_floor + rng.uniform(0, self.base_delay * 2)
        return wait

    def allows(self, attempt: int, code: str | None, elapsed: float) -> bool:
        limit = self.limited_codes.get(code or "", self.max_attempts)
        return attempt < min(limit, self.max_attempts) and elapsed < self.max_elapsed_seconds


_CST = timezone(timedelta(hours=-6), "CST")


def _central() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("America/Chicago")
    except Exception:
        # Without tz data, fixed CST: in summer this is an hour after the real reset, which errs
        # on the side of not burning attempts before the quota is back.
        return _CST


def next_quota_reset(now: float) -> datetime:
    """Marketo's daily quota resets at midnight US Central; the next such instant, in UTC."""
    tz = _central()
    local = datetime.fromtimestamp(now, tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return midnight.astimezone(UTC)


def quota_day(now: float) -> str:
    """The US Central calendar day a call at `now` is counted against."""
    return datetime.fromtimestamp(now, _central()).date().isoformat()
