"""events/: one sample per function, usable with `sam local invoke -e`, each run through its handler."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.events.models import EventPattern

from journeys.api.openapi import routes
from journeys.catalog.events import JourneyEvent
from journeys.infra import template as gen
from journeys.messages import CohortSplitRequest, ListenRegistration, NodeEntryMessage
from tests.infra.sam import PARAMETERS
from tests.support.tables import ROOT, create_table, load_template
from tests.unit.api.conftest import DATA

EVENTS = ROOT / "events"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK = "account-journeys-prod"
CONFIG_SET = "EmailConfigurationSet-AbCdEf123456"

# Function (by CodeUri) -> handler attribute -> the sample events it is invoked with.
SAMPLES: dict[str, dict[str, list[str]]] = {
    "functions/actions": {"change_score": ["action-node-entry-batch.json"]},
    "functions/api": {"handler": sorted(p.name for p in EVENTS.glob("api-*.json"))},
    "functions/entry": {"handler": ["schedule.json"]},
    "functions/listener": {
        "handler": [
            "listener-register.json",
            "eventbridge-account-event.json",
            "eventbridge-person-event.json",
            "ses-email-clicked.json",
        ]
    },
    "functions/cohort": {"handler": ["cohort-split.json"]},
    "functions/tracker": {"handler": ["execution-status-change.json"]},
    "functions/activation": {"handler": ["schedule-activation.json"]},
}


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


@dataclass
class Context:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str = "sample"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sample"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def test_every_function_of_the_template_has_sample_events() -> None:
    code_uris = {
        r["Properties"]["CodeUri"]
        for r in load_template()["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert code_uris == set(SAMPLES)
    named = {name for handlers in SAMPLES.values() for names in handlers.values() for name in names}
    assert named == {p.name for p in EVENTS.glob("*.json")}


def test_samples_follow_the_wire_contracts() -> None:
    for record in load("action-node-entry-batch.json")["Records"]:
        assert record["eventSource"] == "aws:sqs"
        NodeEntryMessage.model_validate_json(record["body"])
    CohortSplitRequest.model_validate(load("cohort-split.json"))
    ListenRegistration.model_validate(load("listener-register.json"))
    for name in ("eventbridge-account-event.json", "eventbridge-person-event.json"):
        JourneyEvent.model_validate(load(name)["detail"])
    documented = set(routes())
    for name in SAMPLES["functions/api"]["handler"]:
        event = load(name)
        assert event["version"] == "2.0"
        method, route = event["routeKey"].split(" ", 1)
        assert (method, route) in documented, name


def _resolve(value: Any) -> Any:
    """Fill the template's intrinsics in an event pattern with the samples' stack values."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            text = str(value["Fn::Sub"])
            for key, real in {
                "${AWS::Partition}": "aws",
                "${AWS::Region}": REGION,
                "${AWS::AccountId}": ACCOUNT,
                "${AWS::StackName}": STACK,
            }.items():
                text = text.replace(key, real)
            return text
        if set(value) == {"Ref"} and value["Ref"] == gen.CONFIG_SET:
            return CONFIG_SET
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("function", "rule", "sample"),
    [
        (gen.LISTENER_FUNCTION, "AccountAndPersonEvents", "eventbridge-account-event.json"),
        (gen.LISTENER_FUNCTION, "AccountAndPersonEvents", "eventbridge-person-event.json"),
        (gen.LISTENER_FUNCTION, "EmailEngagement", "ses-email-clicked.json"),
        (gen.TRACKER_FUNCTION, "ExecutionStatusChange", "execution-status-change.json"),
    ],
)
def test_eventbridge_samples_match_the_template_rules(function: str, rule: str, sample: str) -> None:
    events = load_template()["Resources"][function]["Properties"]["Events"]
    pattern = _resolve(events[rule]["Properties"]["Pattern"])
    # moto's EventBridge pattern matcher (its TestEventPattern API answers nothing).
    matcher: Any = EventPattern.load(json.dumps(pattern))
    assert matcher.matches_event(load(sample))
    other: dict[str, Any] = {**load(sample), "source": "somewhere.else", "detail": {"on": "nothing"}}
    assert not matcher.matches_event(other)


# ---- handlers on their samples (moto) -----------------------------------------------------


def _module(code_uri: str) -> ModuleType | None:
    path = ROOT / code_uri / "app.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"sample_{path.parent.name}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A moto account with the stack's table, bus, parameters and queues, and the functions' env."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "account-journeys",
        "POWERTOOLS_METRICS_NAMESPACE": "AccountJourneys",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("MARKETO_BASE_URL", raising=False)
    with mock_aws():
        table = create_table(boto3.client("dynamodb", region_name=REGION), "JourneysTable", "journeys")
        bus = boto3.client("events", region_name=REGION).create_event_bus(Name=f"{STACK}-events")
        ssm = boto3.client("ssm", region_name=REGION)
        reference = {
            k: DATA[k] for k in ("attributes", "scores", "solutionInterests", "accountLists", "destinations")
        }
        ssm.put_parameter(Name="/account-journeys/reference-data", Type="String", Value=json.dumps(reference))
        queue = boto3.client("sqs", region_name=REGION).create_queue(QueueName="q")["QueueUrl"]
        substitutions = {name: queue for name in gen.substitutions()}
        ssm.put_parameter(Name="substitutions", Type="String", Value=json.dumps(substitutions))
        env = {
            "TABLE_NAME": table,
            "EVENT_BUS_NAME": f"{STACK}-events",
            "EVENT_BUS_ARN": bus["EventBusArn"],
            "REFERENCE_PARAMETER": "/account-journeys/reference-data",
            "DEFINITION_SUBSTITUTIONS_PARAMETER": "substitutions",
            "STATE_MACHINE_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/journeys-execution",
            "STATE_MACHINE_ARN_PREFIX": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STACK}-",
            "EMAIL_FROM": PARAMETERS["EmailFrom"],
            "SES_CONFIGURATION_SET": CONFIG_SET,
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        cold_start()
        yield env
        cold_start()


def cold_start() -> None:
    """Forget what the handlers cache per container (settings, clients), so each test is a cold start
    and nothing built inside this moto account leaks into another test."""
    from journeys.handlers import actions, activation, orchestration
    from journeys.settings import get_settings

    get_settings.cache_clear()
    for cached in (orchestration.aws_store, orchestration.aws_tasks, orchestration.aws_starter):
        cached.cache_clear()
    actions.aws_pipeline.cache_clear()
    actions.get_action_settings.cache_clear()
    assert activation.aws_store is orchestration.aws_store  # one cached store per container


def test_api_handler_serves_its_samples_in_order(aws: dict[str, str]) -> None:
    module = _module("functions/api")
    assert module is not None
    setattr(module, "_app", None)  # noqa: B010 - a cold start inside this moto account
    from journeys.api.aws import lambda_dependencies

    lambda_dependencies.cache_clear()
    results = {name: module.handler(load(name), Context()) for name in SAMPLES["functions/api"]["handler"]}
    lambda_dependencies.cache_clear()
    status = {name: r["statusCode"] for name, r in results.items()}
    assert status == {
        "api-1-create-journey.json": 201,
        "api-2-validate-journey.json": 200,
        "api-3-publish-journey.json": 200,
        "api-4-enter-accounts.json": 202,
        "api-5-node-counts.json": 200,
        "api-6-list-actions.json": 200,
        "api-7-marketo-lists.json": 404,  # no Marketo configured in this account
        "api-8-create-audience.json": 201,
    }, {n: r["body"][:300] for n, r in results.items()}
    assert json.loads(results["api-2-validate-journey.json"]["body"])["valid"] is True
    published = json.loads(results["api-3-publish-journey.json"]["body"])
    assert published["status"] == "live"
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.describe_state_machine(
        stateMachineArn=published["versions"][0]["stateMachineArn"].rsplit(":", 1)[0]
    )
    assert "${" not in machine["definition"]  # every placeholder was substituted
    entered = json.loads(results["api-4-enter-accounts.json"]["body"])["results"]
    assert [(e["accountId"], e["outcome"]) for e in entered] == [("acme", "unknown_account")]


def test_action_handler_answers_its_sample_batch(aws: dict[str, str]) -> None:
    module = _module("functions/actions")
    assert module is not None
    response = module.change_score(load("action-node-entry-batch.json"), Context())
    assert set(response) == {"batchItemFailures"}
    ids = {r["messageId"] for r in load("action-node-entry-batch.json")["Records"]}
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} <= ids


@pytest.mark.parametrize(
    "code_uri",
    [
        "functions/entry",
        "functions/listener",
        "functions/cohort",
        "functions/tracker",
        "functions/activation",
    ],
)
def test_runtime_handlers_run_on_their_samples(aws: dict[str, str], code_uri: str) -> None:
    """Each orchestration handler runs on every one of its samples and answers JSON."""
    module = _module(code_uri)
    assert module is not None, f"template.yaml references {code_uri}/app.py"
    handler: Callable[[dict[str, Any], Any], Any] = module.handler
    for name in SAMPLES[code_uri]["handler"]:
        result = handler(load(name), Context())
        json.dumps(result)  # Lambda returns JSON: the result must serialize
