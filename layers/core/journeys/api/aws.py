"""AWS adapters of the API's ports (Step Functions via boto3) and the Lambda's dependency wiring."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from journeys.api.deps import ApiDependencies
from journeys.model.dataset import DataSet
from journeys.runtime.stepfunctions.substitutions import substitute

MAX_NAME = 80  # Step Functions state machine names
API_TIMEOUT_SECONDS = 29  # the API function's timeout: HTTP API integrations give up at 30 s


def machine_name(prefix_arn: str, journey_id: str) -> str:
    """`<stack>-<journey id>`, cut to 80 characters (the IAM rights cover `<stack>-*`)."""
    stack_prefix = prefix_arn.rsplit(":", 1)[-1]
    return (stack_prefix + re.sub(r"[^A-Za-z0-9_-]", "-", journey_id))[:MAX_NAME]


@dataclass
class SfnStateMachines:
    """Publishes journeys as Standard state machines (one per journey, one version per publish).

    CreateStateMachine has no DefinitionSubstitutions (that is a CloudFormation feature): the
    placeholders are filled here, from the map the template stores in SSM."""

    client: Any
    role_arn: str
    arn_prefix: str  # arn:...:stateMachine:<stack>-
    substitutions: Callable[[], Mapping[str, str]]

    def deploy(self, journey_id: str, definition: dict[str, Any], version: int) -> str:
        text = substitute(json.dumps(definition), self.substitutions())
        name = machine_name(self.arn_prefix, journey_id)
        arn = self.arn_prefix.rsplit(":", 1)[0] + ":" + name
        description = f"journey {journey_id} version {version}"
        try:
            response = self.client.update_state_machine(
                stateMachineArn=arn,
                definition=text,
                roleArn=self.role_arn,
                publish=True,
                versionDescription=description,
            )
        except self.client.exceptions.StateMachineDoesNotExist:
            response = self.client.create_state_machine(
                name=name,
                definition=text,
                roleArn=self.role_arn,
                type="STANDARD",
                tracingConfiguration={"enabled": True},
                tags=[{"key": "journey", "value": journey_id}],
                publish=True,
                versionDescription=description,
            )
        version_arn: str = response["stateMachineVersionArn"]
        return version_arn


def _parameter(name: str) -> Any:
    from aws_lambda_powertools.utilities import parameters

    # Cached for five minutes by Powertools: warm invocations do not call SSM.
    return parameters.get_parameter(name, transform="json", max_age=300)


def reference_loader(name: str | None, fetch: Callable[[str], Any] = _parameter) -> Callable[[], DataSet]:
    """The configured reference data (data-set JSON in SSM); empty when the parameter is unset."""

    def load() -> DataSet:
        if not name:
            return DataSet()
        try:
            raw = fetch(name)
        except Exception:  # a missing parameter means "nothing configured", not an outage
            return DataSet()
        return DataSet.model_validate(raw or {})

    return load


@cache
def lambda_dependencies() -> ApiDependencies:
    """The Lambda's wiring, once per container (no client is created at import time)."""
    import boto3

    from journeys.handlers.stepfunctions import StepFunctionsExecutionStarter
    from journeys.settings import get_settings
    from journeys.store.dynamodb import DynamoStore

    settings = get_settings()
    sfn = boto3.client("stepfunctions")
    store = DynamoStore(settings.table_name)
    substitutions_name = os.environ["DEFINITION_SUBSTITUTIONS_PARAMETER"]
    machines = SfnStateMachines(
        client=sfn,
        role_arn=os.environ["STATE_MACHINE_ROLE_ARN"],
        arn_prefix=os.environ["STATE_MACHINE_ARN_PREFIX"],
        substitutions=lambda: dict(_parameter(substitutions_name)),
    )
    return ApiDependencies(
        store=store,
        state_machines=machines,
        # The same starter the entry function uses: it starts the version the record names.
        entries=StepFunctionsExecutionStarter(store, sfn),
        marketo=_marketo_lookups(settings.table_name),
        reference_data=reference_loader(os.environ.get("REFERENCE_PARAMETER")),
    )


def _marketo_lookups(table_name: str) -> Any:
    """A Marketo client when the stack has a Marketo URL, sharing the stack-wide rate limiter."""
    if not os.environ.get("MARKETO_BASE_URL"):
        return None

    from journeys.connectors.marketo import MarketoClient, lambda_client

    class _Lazy:
        # Credentials are read on the first lookup, not at cold start: most routes never need them.
        def __init__(self) -> None:
            self._client: MarketoClient | None = None

        def __getattr__(self, name: str) -> Any:
            if self._client is None:
                self._client = lambda_client(table_name, function_timeout_seconds=API_TIMEOUT_SECONDS)
            return getattr(self._client, name)

    return _Lazy()
