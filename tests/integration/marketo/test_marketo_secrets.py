"""Credentials through Powertools Parameters from Secrets Manager and SSM (moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from journeys.connectors.marketo import DynamoDbRateLimiter, MarketoEnvironment, lambda_client, load_settings


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    yield
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def test_from_secrets_manager(aws: None) -> None:
    boto3.client("secretsmanager").create_secret(
        Name="journeys/marketo", SecretString=json.dumps({"client_id": "cid", "client_secret": "csecret"})
    )
    env = MarketoEnvironment.from_environ(
        {
            "MARKETO_BASE_URL": "https://123-ABC-456.mktorest.com",
            "MARKETO_CREDENTIALS_SECRET": "journeys/marketo",
        }
    )
    settings = load_settings(env)
    assert settings.client_id.get_secret_value() == "cid"
    assert settings.client_secret.get_secret_value() == "csecret"


def test_from_ssm_secure_string(aws: None) -> None:
    boto3.client("ssm").put_parameter(
        Name="/journeys/marketo",
        Type="SecureString",
        Value=json.dumps({"client_id": "a", "client_secret": "b"}),
    )
    env = MarketoEnvironment.from_environ(
        {"MARKETO_BASE_URL": "https://x.mktorest.com", "MARKETO_CREDENTIALS_PARAMETER": "/journeys/marketo"}
    )
    assert load_settings(env).client_secret.get_secret_value() == "b"


def test_lambda_client_uses_the_secret_the_shared_limiter_and_a_bounded_retry_budget(
    aws: None, table: str
) -> None:
    boto3.client("secretsmanager").create_secret(
        Name="journeys/marketo", SecretString=json.dumps({"client_id": "cid", "client_secret": "csecret"})
    )
    env = MarketoEnvironment.from_environ(
        {"MARKETO_BASE_URL": "https://x.mktorest.com", "MARKETO_CREDENTIALS_SECRET": "journeys/marketo"}
    )
    client = lambda_client(table, function_timeout_seconds=60, environment=env)
    assert isinstance(client._limiter, DynamoDbRateLimiter)
    assert client._limiter.config.lease_seconds == 70
    assert client._retry.max_elapsed_seconds == 40
    client.close()
