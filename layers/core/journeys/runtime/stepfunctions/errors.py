"""Errors of the local Step Functions runtime: API errors (like boto3's) and task/runtime errors."""

from __future__ import annotations


class StepFunctionsError(Exception):
    """Base class of every error the local runtime raises to its caller."""


class AslDefinitionError(StepFunctionsError):
    """The definition is malformed or uses ASL this runtime does not support.

    `where` names the state and field (e.g. ``States.Send email: welcome.Retry[0].ErrorEquals``), so
    the message points at the exact place, never at a Python traceback.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


class InvalidName(StepFunctionsError):
    """A state machine or execution name Step Functions would refuse."""


class StateMachineDoesNotExist(StepFunctionsError):
    """No state machine with that ARN."""


class StateMachineAlreadyExists(StepFunctionsError):
    """A state machine with that name exists with another definition."""


class ExecutionAlreadyExists(StepFunctionsError):
    """An execution with that name exists with a different input (SFN's idempotency rule)."""


class ExecutionDoesNotExist(StepFunctionsError):
    """No execution with that ARN."""


class InvalidToken(StepFunctionsError):
    """The task token is unknown (never issued)."""


class TaskDoesNotExist(StepFunctionsError):
    """The task token was issued but its task is over (answered, timed out, or execution ended)."""


class TaskTimedOut(TaskDoesNotExist):
    """The task token's task timed out before the call."""


class TaskFailure(Exception):
    """Raised by an integration handler (or by ASL evaluation) to fail the current state.

    Retry and Catch see `error`; `cause` is free text. Runtime errors (``States.Runtime``) are
    raised with this class too, and are neither retried nor caught, as in Step Functions.
    """

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class StatesRuntimeError(TaskFailure):
    """A ``States.Runtime`` failure: bad path at run time, invalid intrinsic argument, ..."""

    def __init__(self, cause: str) -> None:
        super().__init__("States.Runtime", cause)
