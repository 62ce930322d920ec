"""The send email and send SMS equivalence tests of tests/unit/executors, on DynamoStore (moto):
people read back from DynamoDB as the executors get them in AWS."""

from tests.unit.executors.test_messaging import *  # noqa: F403
