"""template.yaml: generated, lint-clean, least-privilege, transformable and deployable offline."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from moto import mock_aws

from journeys.api.openapi import routes
from journeys.catalog import ACTIONS
from journeys.compiler import compile_journey, error_names, placeholders
from journeys.definition.validate import validate_definition
from journeys.infra import template as gen
from journeys.infra.rights import ACTION_RIGHTS
from journeys.messages import COHORT_FUNCTION_PLACEHOLDER, LISTENER_FUNCTION_PLACEHOLDER, TABLE_PLACEHOLDER
from tests.infra import sam
from tests.infra.journeys import ENTERPRISE
from tests.support.tables import TEMPLATE, load_template

STACK = "journeys-test"

# The table as it stood before this template was generated: its keys must never drift.
ORIGINAL_TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    },
}

# Actions AWS documents as having no resource-level permissions: the only ones allowed on "*".
STAR_RESOURCE_ACTIONS = {
    "states:SendTaskSuccess",
    "states:SendTaskFailure",
    "states:SendTaskHeartbeat",
    "sns:Publish",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return sam.transformed()


def test_committed_template_is_what_the_generator_writes() -> None:
    assert TEMPLATE.read_text() == gen.render(), "run: python -m journeys.infra.template --write"


def test_journeys_table_is_kept_verbatim(template: dict[str, Any]) -> None:
    assert template["Resources"]["JourneysTable"] == ORIGINAL_TABLE


def test_cfn_lint_is_clean() -> None:
    lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(lint), str(TEMPLATE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_catalog_action_has_rights_function_queue_dlq_and_event_source(
    template: dict[str, Any],
) -> None:
    assert set(ACTION_RIGHTS) == set(ACTIONS)
    res = template["Resources"]
    marketo_pollers = 0
    for spec in ACTIONS.values():
        fn = res[spec.function_logical_id]["Properties"]
        assert fn["CodeUri"] == "functions/actions"
        assert fn["Handler"] == f"app.{spec.id}"
        queue = res[spec.queue_logical_id]["Properties"]
        assert queue["VisibilityTimeout"] == 6 * fn["Timeout"]
        dlq = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert res[dlq]["Type"] == "AWS::SQS::Queue"
        mapping = res[f"{spec.pascal}EventSource"]["Properties"]
        assert mapping["EventSourceArn"] == {"Fn::GetAtt": [spec.queue_logical_id, "Arn"]}
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BatchSize"] >= 1
        assert mapping["MaximumBatchingWindowInSeconds"] >= 0
        if spec.context == "marketo":
            marketo_pollers += mapping["ScalingConfig"]["MaximumConcurrency"]
        else:
            assert "ScalingConfig" not in mapping
    # Marketo Engage allows 10 concurrent calls for the whole instance.
    assert 0 < marketo_pollers <= 10


def test_globals_and_layer(template: dict[str, Any]) -> None:
    fn = template["Globals"]["Function"]
    assert (fn["Runtime"], fn["Architectures"], fn["Tracing"]) == ("python3.11", ["arm64"], "Active")
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "TABLE_NAME"} <= set(
        fn["Environment"]["Variables"]
    )
    layer = template["Resources"]["CoreLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/core"
    assert layer["Metadata"]["BuildMethod"] == "python3.11"


def test_no_physical_names(template: dict[str, Any]) -> None:
    named = {"Name", "QueueName", "FunctionName", "TableName", "RoleName", "StateMachineName", "ApiName"}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::EventSourceMapping":
            continue  # FunctionName there references the function, it names nothing
        for key in named & set(resource.get("Properties", {})):
            value = resource["Properties"][key]
            # EventBridge requires a bus name: it must derive from the stack name.
            assert isinstance(value, dict) and "${AWS::StackName}" in value.get("Fn::Sub", ""), logical_id


def _statements(cfn: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in cfn["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                for item in policy["PolicyDocument"]["Statement"]:
                    # A conditional statement: check the one it may add.
                    yield logical_id, item["Fn::If"][1] if "Fn::If" in item else item


def test_least_privilege(cfn: dict[str, Any]) -> None:
    statements = list(_statements(cfn))
    assert statements
    for role, statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions), (role, actions)
        if statement["Resource"] == "*":
            assert set(actions) <= STAR_RESOURCE_ACTIONS, (role, actions)
    for logical_id, resource in cfn["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            managed = {str(a).rsplit("/", 1)[-1] for a in resource["Properties"].get("ManagedPolicyArns", [])}
            # Logs and X-Ray only: AWSLambdaSQSQueueExecutionRole would read every queue.
            assert managed <= {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}, logical_id


def test_every_star_resource_is_explained() -> None:
    lines = TEMPLATE.read_text().splitlines()
    stars = [i for i, line in enumerate(lines) if line.strip() == "Resource: '*'"]
    assert stars
    for i in stars:
        assert lines[i + 1].strip().startswith("# '*':"), lines[i]


def test_rights_follow_the_catalog(cfn: dict[str, Any]) -> None:
    roles = {spec.id: f"{spec.function_logical_id}Role" for spec in ACTIONS.values()}

    def actions_of(role: str) -> set[str]:
        return {a for r, s in _statements(cfn) if r == role for a in s["Action"]}

    assert "sns:Publish" in actions_of(roles["send_sms"])
    assert "ses:SendEmail" in actions_of(roles["send_email"])
    assert "states:StartExecution" in actions_of(roles["add_account_to_journey"])
    assert "states:StopExecution" in actions_of(roles["remove_account_from_journey"])
    assert "secretsmanager:GetSecretValue" in actions_of(roles["marketo_add_to_list"])
    # and nothing more than the catalog grants
    assert "sns:Publish" not in actions_of(roles["change_score"])
    assert "secretsmanager:GetSecretValue" not in actions_of(roles["change_score"])
    api = actions_of("ApiFunctionRole")
    assert {
        "states:CreateStateMachine",
        "states:UpdateStateMachine",
        "states:TagResource",
        "iam:PassRole",
    } <= api
    execution = actions_of("StateMachineRole")
    assert {"sqs:SendMessage", "dynamodb:GetItem", "lambda:InvokeFunction"} <= execution


def test_every_route_is_in_the_template_behind_the_jwt_authorizer(
    template: dict[str, Any], cfn: dict[str, Any]
) -> None:
    api = template["Resources"]["JourneysHttpApi"]["Properties"]
    assert api["Auth"]["DefaultAuthorizer"] == "JwtAuthorizer"
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    assert sorted((e["Properties"]["Method"], e["Properties"]["Path"]) for e in events) == sorted(routes())
    body = next(r for r in cfn["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Api")["Properties"][
        "Body"
    ]
    operations = [op for path in body["paths"].values() for op in path.values()]
    assert len(operations) == len(routes())
    assert all(op["security"] == [{"JwtAuthorizer": []}] for op in operations)


def test_transforms_without_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    types = {r["Type"] for r in sam.transformed()["Resources"].values()}
    assert not any(t.startswith("AWS::Serverless::") for t in types)
    assert {
        "AWS::Lambda::Function",
        "AWS::SQS::Queue",
        "AWS::ApiGatewayV2::Api",
        "AWS::Events::Rule",
    } <= types


# ---- placeholders and error names ---------------------------------------------------------


def _substitutions(template: dict[str, Any]) -> dict[str, str]:
    value = template["Resources"][gen.SUBSTITUTIONS]["Properties"]["Value"]["Fn::Sub"]
    parsed: dict[str, str] = json.loads(value)
    return parsed


def test_every_placeholder_the_compiler_can_emit_has_a_substitution(template: dict[str, Any]) -> None:
    subs = _substitutions(template)
    possible = {spec.queue_placeholder for spec in ACTIONS.values()}
    possible |= {TABLE_PLACEHOLDER, COHORT_FUNCTION_PLACEHOLDER, LISTENER_FUNCTION_PLACEHOLDER}
    assert possible <= set(subs)
    # and what the compiler really emits, for a journey with every node type
    report = validate_definition(ENTERPRISE)
    assert report.journey is not None, report.issues
    used = placeholders(compile_journey(report.journey).definition)
    assert set(used) <= set(subs)
    assert {"SendEmailQueueUrl", "CohortFunctionArn", "ListenerFunctionArn", "JourneysTableName"} <= set(used)
    # every value names a resource of the template
    for expression in subs.values():
        for name in re.findall(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}", expression):
            assert name in template["Resources"], expression


# The States.* names of the Amazon States Language specification.
STATES_ERRORS = {
    "States.ALL",
    "States.HeartbeatTimeout",
    "States.Timeout",
    "States.TaskFailed",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.QueryEvaluationError",
}
# Step Functions reports client-side failures of an integration with the AWS SDK for Java names.
JAVA_SDK_ERRORS = {
    "SQS": {"SdkClientException", "AmazonSQSException"},
    "Lambda": {"SdkClientException", "AWSLambdaException"},
    "DynamoDB": {"SdkClientException", "AmazonDynamoDBException"},
}
BOTOCORE_SERVICE = {"SQS": "sqs", "Lambda": "lambda", "DynamoDB": "dynamodb"}


def _is_real(name: str) -> bool:
    if name.startswith("States."):
        return name in STATES_ERRORS
    service, _, error = name.partition(".")
    if service not in BOTOCORE_SERVICE:
        return False
    model = botocore.session.get_session().get_service_model(BOTOCORE_SERVICE[service])
    return error in JAVA_SDK_ERRORS[service] or error in {shape.name for shape in model.error_shapes}


def test_every_error_name_the_compiler_uses_is_real() -> None:
    report = validate_definition(ENTERPRISE)
    assert report.journey is not None
    names = error_names(compile_journey(report.journey).definition)
    assert names
    assert [n for n in names if not _is_real(n)] == []
    assert not _is_real("Lambda.Unknown") and not _is_real("States.Whatever")


# ---- moto deploy --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(cfn: dict[str, Any]) -> Iterator[dict[str, Any]]:
    deployable, dropped = sam.without_unsupported(cfn)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", sam.REGION)
        with mock_aws():
            s3 = boto3.client("s3", region_name=sam.REGION)
            s3.create_bucket(Bucket=sam.ARTIFACT_BUCKET)
            s3.put_object(Bucket=sam.ARTIFACT_BUCKET, Key=sam.ARTIFACT_KEY, Body=sam.code_zip())
            client = boto3.client("cloudformation", region_name=sam.REGION)
            client.create_stack(
                StackName=STACK,
                TemplateBody=json.dumps(deployable),
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sam.PARAMETERS.items()],
                Capabilities=["CAPABILITY_IAM"],
            )
            yield {"deployable": deployable, "dropped": dropped, "cfn": client}


def _physical(stack: dict[str, Any]) -> dict[str, str]:
    summaries = stack["cfn"].list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    return {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}


def test_deploys_into_moto_and_every_supported_resource_exists(
    stack: dict[str, Any], cfn: dict[str, Any]
) -> None:
    status = stack["cfn"].describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE"
    dropped_types = {cfn["Resources"][name]["Type"] for name in stack["dropped"]}
    assert dropped_types <= sam.UNSUPPORTED_IN_MOTO
    assert set(_physical(stack)) == set(cfn["Resources"]) - stack["dropped"]


def test_deployed_functions_queues_and_mappings(stack: dict[str, Any]) -> None:
    physical = _physical(stack)
    lam = boto3.client("lambda", region_name=sam.REGION)
    sqs = boto3.client("sqs", region_name=sam.REGION)
    for spec in ACTIONS.values():
        fn = lam.get_function(FunctionName=physical[spec.function_logical_id])["Configuration"]
        assert fn["Handler"] == f"app.{spec.id}"
        assert fn["Runtime"] == "python3.11"
        attrs = sqs.get_queue_attributes(QueueUrl=physical[spec.queue_logical_id], AttributeNames=["All"])
        redrive = json.loads(attrs["Attributes"]["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(
            physical[f"{spec.pascal}DeadLetterQueue"].rsplit("/", 1)[-1]
        )
        mappings = lam.list_event_source_mappings(FunctionName=physical[spec.function_logical_id])
        assert [m["EventSourceArn"] for m in mappings["EventSourceMappings"]] == [
            attrs["Attributes"]["QueueArn"]
        ]
    for name in (
        gen.API_FUNCTION,
        gen.ENTRY_FUNCTION,
        gen.LISTENER_FUNCTION,
        gen.COHORT_FUNCTION,
        gen.TRACKER_FUNCTION,
    ):
        assert lam.get_function(FunctionName=physical[name])["Configuration"]["Handler"] == "app.handler"


def test_deployed_substitutions_resolve_to_deployed_resources(stack: dict[str, Any]) -> None:
    physical = _physical(stack)
    ssm = boto3.client("ssm", region_name=sam.REGION)
    value = ssm.get_parameter(Name=physical[gen.SUBSTITUTIONS])["Parameter"]["Value"]
    subs = json.loads(value)
    sqs = boto3.client("sqs", region_name=sam.REGION)
    for spec in ACTIONS.values():
        url = subs[spec.queue_placeholder]
        assert url == physical[spec.queue_logical_id]
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    assert subs[TABLE_PLACEHOLDER] == physical["JourneysTable"]
    lam = boto3.client("lambda", region_name=sam.REGION)
    for placeholder, logical_id in (
        (COHORT_FUNCTION_PLACEHOLDER, gen.COHORT_FUNCTION),
        (LISTENER_FUNCTION_PLACEHOLDER, gen.LISTENER_FUNCTION),
    ):
        arn = lam.get_function(FunctionName=physical[logical_id])["Configuration"]["FunctionArn"]
        assert subs[placeholder] == arn


def test_template_has_no_yaml_aliases() -> None:
    # CloudFormation rejects anchors and aliases; shared values must be written out.
    text = TEMPLATE.read_text()
    assert not re.search(r"[&*]id\d{3}", text)
