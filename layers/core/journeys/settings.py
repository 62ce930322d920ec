"""Function configuration: environment variables as one pydantic model, checked at cold start."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

# Function timeouts, shared by the template generator and the handlers that budget retries in them.
ACTION_TIMEOUT_SECONDS = 60
# Marketo actions wait longer: a partition change may read for 65 s before Marketo answers 604.
MARKETO_ACTION_TIMEOUT_SECONDS = 120


class Settings(BaseModel):
    """Names and ARNs injected by the SAM template. Secrets are never here: only their names."""

    model_config = ConfigDict(frozen=True)

    table_name: str = Field(alias="TABLE_NAME")
    event_bus_name: str = Field(default="default", alias="EVENT_BUS_NAME")
    ses_configuration_set: str | None = Field(default=None, alias="SES_CONFIGURATION_SET")
    email_from: str | None = Field(default=None, alias="EMAIL_FROM")
    state_machine_role_arn: str | None = Field(default=None, alias="STATE_MACHINE_ROLE_ARN")
    exports_bucket: str | None = Field(default=None, alias="EXPORTS_BUCKET")
    webhook_secret_name: str | None = Field(default=None, alias="WEBHOOK_SECRET_NAME")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read once per cold start; a missing variable fails loudly here, not mid-batch."""
    return Settings.model_validate(dict(os.environ))
