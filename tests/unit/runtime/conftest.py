"""Fixtures for the local Step Functions runtime tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.runtime.stepfunctions import LambdaFunctions, LocalStepFunctions, SqsQueues

START = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


class Rig:
    """A runtime with an in-memory SQS integration and Python lambdas registered."""

    def __init__(self) -> None:
        self.sfn = LocalStepFunctions(start=START)
        self.queues = SqsQueues()
        self.lambdas = LambdaFunctions()
        self.sfn.register_integration("arn:aws:states:::sqs:sendMessage*", self.queues)
        self.sfn.register_integration("arn:aws:states:::lambda:invoke*", self.lambdas)


@pytest.fixture
def rig() -> Rig:
    return Rig()
