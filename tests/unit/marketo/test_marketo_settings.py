"""Settings: credentials from a secret store, never from env values, never shown."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from journeys.connectors.marketo import (
    MarketoClient,
    MarketoEnvironment,
    MarketoSettings,
    VirtualClock,
    load_settings,
)
from journeys.connectors.marketo.embedded import EmbeddedMarketo

ENV = {
    "MARKETO_BASE_URL": "https://123-ABC-456.mktorest.com/rest",
    "MARKETO_CREDENTIALS_SECRET": "marketo/creds",
}


def test_credentials_come_from_the_secret_named_in_the_environment() -> None:
    asked: list[str] = []

    def fetch(name: str) -> Any:
        asked.append(name)
        return {"client_id": "cid", "client_secret": "s3cr3t"}

    settings = load_settings(MarketoEnvironment.from_environ(ENV), fetch_secret=fetch)
    assert asked == ["marketo/creds"]
    assert settings.base_url == "https://123-ABC-456.mktorest.com"
    assert settings.client_secret.get_secret_value() == "s3cr3t"
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in settings.model_dump_json()


def test_ssm_parameter_as_an_alternative() -> None:
    env = MarketoEnvironment.from_environ(
        {"MARKETO_BASE_URL": "https://x.mktorest.com", "MARKETO_CREDENTIALS_PARAMETER": "/journeys/marketo"}
    )
    settings = load_settings(env, fetch_parameter=lambda _: '{"client_id": "a", "client_secret": "b"}')
    assert settings.client_id.get_secret_value() == "a"


def test_secret_values_in_the_environment_are_ignored() -> None:
    env = MarketoEnvironment.from_environ({**ENV, "MARKETO_CLIENT_SECRET": "leaked"})
    assert "leaked" not in repr(env)
    with pytest.raises(ValueError, match="set MARKETO_CREDENTIALS"):
        load_settings(MarketoEnvironment.from_environ({"MARKETO_BASE_URL": "https://x.mktorest.com"}))


def test_malformed_credentials_are_rejected() -> None:
    with pytest.raises(ValueError, match="client_id and client_secret"):
        load_settings(MarketoEnvironment.from_environ(ENV), fetch_secret=lambda _: {"client_id": "x"})


def test_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        MarketoSettings(base_url="123-ABC-456.mktorest.com", client_id="a", client_secret="b")


def test_emails_and_tokens_stay_out_of_logs(caplog: pytest.LogCaptureFixture) -> None:
    clock = VirtualClock()
    marketo = EmbeddedMarketo(clock=clock).seed(
        ["Default"], ["Default"], [{"id": 1, "email": "private.person@acme.example"}], [], []
    )
    caplog.set_level(logging.DEBUG)
    with MarketoClient(marketo.settings(), transport=marketo.transport(), clock=clock) as client:
        assert client.leads_by_email(["private.person@acme.example"]) == {"private.person@acme.example": 1}
    assert "HTTP Request" in caplog.text  # httpx did log the call ...
    assert "private.person" not in caplog.text  # ... without the query string
    assert "embedded-secret" not in caplog.text and "Bearer" not in caplog.text
