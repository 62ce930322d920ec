"""Records of the local runtime: what handlers receive, what describe returns, execution state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from .clock import Timer
from .definition import Branch, Definition, State

if TYPE_CHECKING:
    from .interpreter import LocalStepFunctions


class TaskCall(NamedTuple):
    """What an integration handler receives for one task attempt.

    A named tuple: one is built per task attempt, and a frozen dataclass's __init__ (one
    object.__setattr__ per field) was a noticeable share of that."""

    resource: str
    parameters: Any
    task_token: str | None  # set for `.waitForTaskToken` resources
    context: dict[str, Any]
    execution_arn: str
    state_name: str
    runtime: LocalStepFunctions


Handler = Callable[[TaskCall], Any]
IdleHook = Callable[[], bool]

# A history event as kept: (timestamp, type, id, previousEventId, details key or None, detail
# field names, detail values). `get_execution_history` builds boto3-shaped dicts from it on
# demand: a run only appends, six events per task, and tuples are far cheaper to build (and
# smaller) than an event dict holding a details dict.
Event = tuple[datetime, str, int, int, str | None, tuple[str, ...], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """What `describe_execution` returns (input and output as JSON values, not text)."""

    execution_arn: str
    state_machine_arn: str
    name: str
    status: str
    input: Any
    output: Any
    error: str | None
    cause: str | None
    start_date: datetime
    stop_date: datetime | None
    transitions: int


@dataclass(slots=True)
class Machine:
    arn: str
    name: str
    text: str
    definition: Definition
    handlers: dict[str, Handler]
    created: datetime


@dataclass(slots=True)
class Execution:
    arn: str
    name: str
    machine: Machine
    input: Any
    input_text: str  # as given to start_execution: its canonical form decides idempotency
    start: datetime
    context_execution: dict[str, Any]
    context_machine: dict[str, Any]
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    stop: datetime | None = None
    events: list[Event] = field(default_factory=list)
    transitions: int = 0
    root: Frame | None = None
    timeout_timer: Timer | None = None


@dataclass(slots=True, eq=False)
class Frame:
    """One thread of control: the machine itself, or one Parallel branch."""

    execution: Execution
    branch: Branch
    join: Join | None = None
    index: int = 0
    alive: bool = True
    entered: datetime | None = None
    timers: list[Timer] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    children: list[Frame] = field(default_factory=list)
    # Id of this thread's latest history event: the next one's previousEventId, so interleaved
    # Parallel branches keep causal chains, as Step Functions histories do.
    last_event: int = 0


@dataclass(slots=True, eq=False)
class Join:
    """A running Parallel state waiting for its branches."""

    frame: Frame
    state: State
    raw_input: Any
    counts: dict[int, int]
    results: list[Any]
    remaining: int


@dataclass(slots=True, eq=False)
class Pending:
    """A task waiting for its token."""

    token: str
    frame: Frame
    state: State
    raw_input: Any
    counts: dict[int, int]
    timers: list[Timer] = field(default_factory=list)
    settled: bool = False  # the outcome was applied: later answers of this attempt are ignored


def error_matches(error_equals: tuple[str, ...], error: str) -> bool:
    for name in error_equals:
        if name == error:
            return True
        # A heartbeat timeout is a timeout too (the SFN docs list it under States.Timeout).
        if name == "States.Timeout" and error == "States.HeartbeatTimeout":
            return True
        if name == "States.ALL" and error not in {"States.Runtime", "States.DataLimitExceeded"}:
            return True
        if name == "States.TaskFailed" and error not in {
            "States.Timeout",
            "States.HeartbeatTimeout",
            "States.Runtime",
            "States.DataLimitExceeded",
        }:
            return True
    return False
