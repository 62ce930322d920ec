"""A time-skipping local Step Functions runtime for the ASL subset the journey compiler emits.

Usage::

    sfn = LocalStepFunctions(start=datetime(2027, 1, 1, tzinfo=UTC))
    queues = SqsQueues()
    sfn.register_integration("arn:aws:states:::sqs:sendMessage*", queues)
    arn = sfn.create_state_machine("journey", asl_text, {"SendEmailQueueUrl": "local://send_email"})
    sfn.start_execution(arn, "entry-1", json.dumps(execution_input))
    sfn.run_until_idle()   # or sfn.run(until=timedelta(days=3))
"""

from .clock import VirtualClock, iso
from .definition import parse_definition
from .errors import (
    AslDefinitionError,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidName,
    InvalidToken,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    StatesRuntimeError,
    StepFunctionsError,
    TaskDoesNotExist,
    TaskFailure,
    TaskTimedOut,
)
from .integrations import DynamoDbGetItem, LambdaFunctions, QueuedMessage, SqsQueues
from .interpreter import LocalStepFunctions
from .records import ExecutionInfo, TaskCall
from .substitutions import placeholders, substitute

__all__ = [
    "AslDefinitionError",
    "DynamoDbGetItem",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionInfo",
    "InvalidName",
    "InvalidToken",
    "LambdaFunctions",
    "LocalStepFunctions",
    "QueuedMessage",
    "SqsQueues",
    "StateMachineAlreadyExists",
    "StateMachineDoesNotExist",
    "StatesRuntimeError",
    "StepFunctionsError",
    "TaskCall",
    "TaskDoesNotExist",
    "TaskFailure",
    "TaskTimedOut",
    "VirtualClock",
    "iso",
    "parse_definition",
    "placeholders",
    "substitute",
]
