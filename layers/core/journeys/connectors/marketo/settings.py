"""Connector settings. Credentials come from Secrets Manager or SSM, never from env var values."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class Timeouts(BaseModel):
    """Client read timeouts, each above the matching server-side timeout (so Marketo's 604 arrives)."""

    model_config = ConfigDict(frozen=True)

    connect: float = 5.0
    default_read: float = 35.0  # server: 30 s for lists, campaigns, leads by id
    long_read: float = 65.0  # server: 60 s for filter queries and partition updates


class MarketoSettings(BaseModel):
    """Where and how to reach one Marketo instance."""

    model_config = ConfigDict(frozen=True)

    base_url: str = Field(description="https://<munchkin-id>.mktorest.com (a trailing /rest is accepted)")
    client_id: SecretStr
    client_secret: SecretStr
    timeouts: Timeouts = Field(default_factory=Timeouts)
    token_refresh_margin: float = 60.0  # refresh when less than this much lifetime is left
    token_min_lifetime: float = 5.0  # below this a token is waited out, then re-asked for

    @field_validator("base_url")
    @classmethod
    def _strip_rest(cls, value: str) -> str:
        value = value.rstrip("/")
        if value.endswith("/rest"):
            value = value[: -len("/rest")]
        if not value.startswith(("https://", "http://")):
            raise ValueError("base_url must be an http(s) URL")
        return value


class MarketoEnvironment(BaseModel):
    """Environment of a function that calls Marketo: names of where secrets live, not the secrets."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    base_url: str = Field(alias="MARKETO_BASE_URL")
    secret_name: str | None = Field(default=None, alias="MARKETO_CREDENTIALS_SECRET")
    parameter_name: str | None = Field(default=None, alias="MARKETO_CREDENTIALS_PARAMETER")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> MarketoEnvironment:
        env = os.environ if environ is None else environ
        keys = ("MARKETO_BASE_URL", "MARKETO_CREDENTIALS_SECRET", "MARKETO_CREDENTIALS_PARAMETER")
        return cls.model_validate({k: env[k] for k in keys if k in env})


SecretFetcher = Callable[[str], Any]


def _powertools_secret(name: str) -> Any:
    from aws_lambda_powertools.utilities import parameters

    # Cached by Powertools for max_age seconds, so warm invocations do not call Secrets Manager.
    return parameters.get_secret(name, transform="json", max_age=300)


def _powertools_parameter(name: str) -> Any:
    from aws_lambda_powertools.utilities import parameters

    return parameters.get_parameter(name, decrypt=True, transform="json", max_age=300)


def load_settings(
    environment: MarketoEnvironment | None = None,
    *,
    fetch_secret: SecretFetcher = _powertools_secret,
    fetch_parameter: SecretFetcher = _powertools_parameter,
) -> MarketoSettings:
    """Read credentials ({"client_id", "client_secret"} JSON) from Secrets Manager, else SSM."""
    env = environment or MarketoEnvironment.from_environ()
    if env.secret_name:
        raw = fetch_secret(env.secret_name)
    elif env.parameter_name:
        raw = fetch_parameter(env.parameter_name)
    else:
        raise ValueError("set MARKETO_CREDENTIALS_SECRET or MARKETO_CREDENTIALS_PARAMETER")
    if isinstance(raw, str | bytes):
        raw = json.loads(raw)
    if not isinstance(raw, dict) or not raw.get("client_id") or not raw.get("client_secret"):
        raise ValueError("Marketo credentials must be a JSON object with client_id and client_secret")
    return MarketoSettings(
        base_url=env.base_url, client_id=raw["client_id"], client_secret=raw["client_secret"]
    )
