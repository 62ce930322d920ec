"""Every executor test of tests/unit/executors, run against DynamoStore on moto.

The test functions are imported, so pytest collects them here with this directory's `store`
fixture (DynamoDB) instead of the in-memory one.
"""

from tests.unit.executors.test_executors import *  # noqa: F403
