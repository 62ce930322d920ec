"""Faults the embedded Marketo can be told to produce: error codes, latency, timeouts, HTTP errors."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["error", "latency", "timeout", "http"]


@dataclass
class Fault:
    """One injected behaviour, applied to matching REST requests `times` times (None: always).

    - error: answer HTTP 200 `success:false` with Marketo error `code`;
    - latency: take `seconds` (virtual) before answering;
    - timeout: raise an httpx timeout; `executed` says whether the request ran first (a read
      timeout after the server acted) or not (a connect timeout);
    - http: answer HTTP `status` with a non-JSON body (a gateway page).
    """

    kind: FaultKind
    code: str = ""
    seconds: float = 0.0
    status: int = 502
    executed: bool = False
    method: str | None = None
    path: str | None = None  # a regular expression searched in the request path
    times: int | None = 1
    identity: bool = False  # apply to the identity endpoint instead of REST calls

    def matches(self, method: str, path: str, identity: bool) -> bool:
        if self.identity != identity:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or re.search(self.path, path) is not None


@dataclass
class FaultPlan:
    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, method: str, path: str, *, identity: bool = False) -> list[Fault]:
        """The faults that fire for this request (consuming one use of each)."""
        fired: list[Fault] = []
        with self._lock:
            for fault in list(self.faults):
                if not fault.matches(method, path, identity):
                    continue
                fired.append(fault)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
        return fired
