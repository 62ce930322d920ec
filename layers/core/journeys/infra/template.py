"""template.yaml, generated from the action catalog and the API's routes.

`python -m journeys.infra.template --write` rewrites template.yaml; a test fails when the
committed file drifts from this generator.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journeys.api.aws import API_TIMEOUT_SECONDS
from journeys.catalog import ACTIONS, ActionSpec
from journeys.infra.rights import Right, rights_of
from journeys.infra.yamlout import comment, dump
from journeys.messages import COHORT_FUNCTION_PLACEHOLDER, LISTENER_FUNCTION_PLACEHOLDER, TABLE_PLACEHOLDER
from journeys.settings import ACTION_TIMEOUT_SECONDS, MARKETO_ACTION_TIMEOUT_SECONDS

ROOT = Path(__file__).resolve().parents[4]
TEMPLATE_PATH = ROOT / "template.yaml"

RUNTIME = "python3.11"
ARCHITECTURE = "arm64"
SERVICE = "account-journeys"
ACTION_TIMEOUT = ACTION_TIMEOUT_SECONDS
VISIBILITY_FACTOR = 6  # Powertools/AWS guidance: queue visibility = 6 x function timeout
BATCH_SIZE = 10
BATCH_WINDOW = 5
MAX_RECEIVE_COUNT = 5
# Marketo Engage allows 10 concurrent calls per instance; 4 functions x 2 pollers = 8, which
# leaves room for the API's lookups.
MARKETO_MAX_CONCURRENCY = 2
ENTRY_TIMEOUT = 300

# The 22 action functions and the 4 fixed ones, by logical id.
API_FUNCTION = "ApiFunction"
ENTRY_FUNCTION = "EntryFunction"
LISTENER_FUNCTION = "ListenerFunction"
COHORT_FUNCTION = "CohortFunction"
TRACKER_FUNCTION = "TrackerFunction"
ACTIVATION_FUNCTION = "ActivationFunction"
TABLE = "JourneysTable"
BUS = "JourneysEventBus"
ROLE = "StateMachineRole"
SUBSTITUTIONS = "DefinitionSubstitutionsParameter"
CONFIG_SET = "EmailConfigurationSet"
HTTP_API = "JourneysHttpApi"

TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]

# Kept verbatim: tests build their moto tables from this definition.
JOURNEYS_TABLE: dict[str, Any] = {
    "Type": "AWS::DynamoDB::Table",
    "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "gsi1pk", "AttributeType": "S"},
            {"AttributeName": "gsi1sk", "AttributeType": "S"},
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


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def arn(name: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, "Arn"]}


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def bus_name() -> dict[str, list[str]]:
    # GetAtt Name rather than Ref: both give the name, and moto's CloudFormation resolves only this one.
    return {"Fn::GetAtt": [BUS, "Name"]}


def allow(actions: Sequence[str], resources: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resources, **extra}


STATE_MACHINE_PREFIX = (
    "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-"
)
EXECUTION_PREFIX = (
    "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${AWS::StackName}-"
)


REFERENCE_PARAMETER_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ReferenceDataParameterName}"
}


def table_statement() -> dict[str, Any]:
    return allow(TABLE_ACTIONS, [arn(TABLE), sub(f"${{{TABLE}.Arn}}/index/*")])


def task_token_statement() -> dict[str, Any]:
    return allow(
        ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
        "*",
        **comment(
            "'*': task-token calls support no resource-level permissions; the token is the authorization"
        ),
    )


def marketo_secret_statement() -> dict[str, Any]:
    return allow(
        ["secretsmanager:GetSecretValue"],
        sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${MarketoSecretName}-??????"
        ),
    )


def start_statement() -> dict[str, Any]:
    # The wildcard covers the journey machines of this stack and their published versions.
    return allow(["states:StartExecution"], sub(f"{STATE_MACHINE_PREFIX}*"))


def stop_statement() -> dict[str, Any]:
    return allow(["states:StopExecution"], sub(f"{EXECUTION_PREFIX}*"))


def policies(*statements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Version": "2012-10-17", "Statement": list(statements)}]


def parameters() -> dict[str, Any]:
    return {
        "LogLevel": {
            "Type": "String",
            "Default": "INFO",
            "AllowedValues": ["DEBUG", "INFO", "WARNING", "ERROR"],
            "Description": "Powertools log level of every function",
        },
        "JwtIssuer": {
            "Type": "String",
            "Description": "Issuer URL of the JWTs the HTTP API accepts (e.g. a Cognito user pool URL)",
            "AllowedPattern": "^https://.+",
        },
        "JwtAudience": {
            "Type": "CommaDelimitedList",
            "Description": "Accepted JWT audiences (app client ids)",
        },
        "CorsAllowOrigins": {
            "Type": "CommaDelimitedList",
            "Default": "http://localhost:5173",
            "Description": "Origins of the front ends allowed to call the API from a browser",
        },
        "SenderIdentity": {
            "Type": "String",
            "Description": "Verified SES identity (domain or address) the email actions send as",
        },
        "EmailFrom": {
            "Type": "String",
            "Description": "Default From address of authored emails and sales alerts (within SenderIdentity)",
        },
        "MarketoBaseUrl": {
            "Type": "String",
            "Default": "",
            "Description": "Marketo Engage REST base URL (Admin > Web Services), e.g. "
            "https://123-ABC-456.mktorest.com; empty: no Marketo (its lookups answer 404)",
            "AllowedPattern": "^(https://.+)?$",
        },
        "MarketoSecretName": {
            "Type": "String",
            "Default": "account-journeys/marketo",
            "Description": 'Name of the Secrets Manager secret holding {"client_id", "client_secret"}',
        },
        "ReferenceDataParameterName": {
            "Type": "String",
            "Default": "/account-journeys/reference-data",
            "Description": "SSM parameter (JSON, data-set format) with the attribute schema, scores, "
            "solution interests and destinations the API validates against",
            "AllowedPattern": "^/.+",
        },
        "EntrySchedule": {
            "Type": "String",
            "Default": "rate(15 minutes)",
            "Description": "How often the entry function refreshes audiences and starts entries",
        },
        "ActivationSchedule": {
            "Type": "String",
            "Default": "rate(1 hour)",
            "Description": "How often external audiences' pending members are pushed to their destinations",
        },
        "WebhookSecretName": {
            "Type": "String",
            "Default": "account-journeys/webhook-signing",
            "Description": "Name of the Secrets Manager secret whose value signs webhook deliveries (HMAC-SHA256)",
        },
        "ExportsBucketName": {
            "Type": "String",
            "Default": "",
            "Description": "S3 bucket that S3 destinations export audiences to; empty: no S3 exports",
        },
    }


def conditions() -> dict[str, Any]:
    return {"HasExportsBucket": {"Fn::Not": [{"Fn::Equals": [ref("ExportsBucketName"), ""]}]}}


def globals_() -> dict[str, Any]:
    return {
        "Function": {
            "Runtime": RUNTIME,
            "Architectures": [ARCHITECTURE],
            "Tracing": "Active",
            "Timeout": 30,
            "MemorySize": 512,
            "Layers": [ref("CoreLayer")],
            "Environment": {
                "Variables": {
                    "POWERTOOLS_SERVICE_NAME": SERVICE,
                    "POWERTOOLS_LOG_LEVEL": ref("LogLevel"),
                    "POWERTOOLS_METRICS_NAMESPACE": "AccountJourneys",
                    "TABLE_NAME": ref(TABLE),
                }
            },
        }
    }


def action_resources(spec: ActionSpec) -> dict[str, Any]:
    """Function, queue, DLQ and event source mapping of one action type."""
    rights = rights_of(spec.id)
    fn, queue, dlq = spec.function_logical_id, spec.queue_logical_id, f"{spec.pascal}DeadLetterQueue"
    # Every action reads the reference data (attribute types, scores, destinations) at cold start.
    env: dict[str, Any] = {"REFERENCE_PARAMETER": ref("ReferenceDataParameterName")}
    statements = [
        table_statement(),
        allow(["ssm:GetParameter"], REFERENCE_PARAMETER_ARN),
        allow(
            [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ],
            arn(queue),
        ),
        task_token_statement(),
    ]
    if Right.EMIT_EVENTS in rights:
        env["EVENT_BUS_NAME"] = bus_name()
        statements.append(allow(["events:PutEvents"], arn(BUS)))
    if Right.SEND_EMAIL in rights:
        env["SES_CONFIGURATION_SET"] = ref(CONFIG_SET)
        env["EMAIL_FROM"] = ref("EmailFrom")
        statements.append(
            allow(
                ["ses:SendEmail", "ses:SendRawEmail"],
                [
                    sub(
                        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderIdentity}"
                    ),
                    sub(
                        f"arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:configuration-set/${{{CONFIG_SET}}}"
                    ),
                ],
            )
        )
    if Right.SEND_SMS in rights:
        statements.append(
            allow(
                ["sns:Publish"],
                "*",
                **comment("'*': an SMS is published to a phone number, which has no ARN to scope to"),
            )
        )
    if Right.MARKETO in rights:
        env["MARKETO_BASE_URL"] = ref("MarketoBaseUrl")
        env["MARKETO_CREDENTIALS_SECRET"] = ref("MarketoSecretName")
        statements.append(marketo_secret_statement())
    if Right.START_ENTRIES in rights or Right.STOP_ENTRIES in rights:
        env["STATE_MACHINE_ARN_PREFIX"] = sub(STATE_MACHINE_PREFIX)
    if Right.START_ENTRIES in rights:
        statements.append(start_statement())
    if Right.STOP_ENTRIES in rights:
        statements.append(stop_statement())
    timeout = MARKETO_ACTION_TIMEOUT_SECONDS if spec.context == "marketo" else ACTION_TIMEOUT
    function: dict[str, Any] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Description": f"Action: {spec.label} ({spec.target})",
            "CodeUri": "functions/actions",
            "Handler": f"app.{spec.id}",
            "Timeout": timeout,
            "Environment": {"Variables": env},
            "Policies": policies(*statements),
        },
    }
    mapping: dict[str, Any] = {
        "EventSourceArn": arn(queue),
        **comment(
            "A plain event source mapping, not a SAM SQS event: SAM would attach the managed "
            "AWSLambdaSQSQueueExecutionRole, which may read every queue of the account"
        ),
        "FunctionName": ref(fn),
        "BatchSize": BATCH_SIZE,
        "MaximumBatchingWindowInSeconds": BATCH_WINDOW,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }
    if spec.context == "marketo":
        mapping["ScalingConfig"] = {"MaximumConcurrency": MARKETO_MAX_CONCURRENCY}
    return {
        dlq: {
            "Type": "AWS::SQS::Queue",
            "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True},
        },
        queue: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": timeout * VISIBILITY_FACTOR,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {"deadLetterTargetArn": arn(dlq), "maxReceiveCount": MAX_RECEIVE_COUNT},
            },
        },
        fn: function,
        f"{spec.pascal}EventSource": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": mapping},
    }


def substitutions() -> dict[str, str]:
    """Placeholder -> CloudFormation `Fn::Sub` expression, for every `${...}` compiled ASL may use."""
    values = {spec.queue_placeholder: f"${{{spec.queue_logical_id}}}" for spec in ACTIONS.values()}
    values[TABLE_PLACEHOLDER] = f"${{{TABLE}}}"
    values[COHORT_FUNCTION_PLACEHOLDER] = f"${{{COHORT_FUNCTION}.Arn}}"
    values[LISTENER_FUNCTION_PLACEHOLDER] = f"${{{LISTENER_FUNCTION}.Arn}}"
    return dict(sorted(values.items()))


def shared_resources() -> dict[str, Any]:
    queues = [arn(spec.queue_logical_id) for spec in ACTIONS.values()]
    default_bus = sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")
    return {
        "CoreLayer": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {
                "Description": "The journeys package and its pinned runtime dependencies",
                "ContentUri": "layers/core",
                "CompatibleRuntimes": [RUNTIME],
                "CompatibleArchitectures": [ARCHITECTURE],
                "RetentionPolicy": "Delete",
            },
            "Metadata": {"BuildMethod": RUNTIME, "BuildArchitecture": ARCHITECTURE},
        },
        BUS: {
            "Type": "AWS::Events::EventBus",
            "Properties": {
                **comment(
                    "EventBridge requires a bus name; derived from the stack so two stacks never collide"
                ),
                "Name": sub("${AWS::StackName}-events"),
            },
        },
        CONFIG_SET: {"Type": "AWS::SES::ConfigurationSet", "Properties": {}},
        "EmailEventsDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": ref(CONFIG_SET),
                "EventDestination": {
                    "Enabled": True,
                    "MatchingEventTypes": ["send", "delivery", "bounce", "open", "click"],
                    **comment("SES delivers to the default event bus only; a rule there feeds the listener"),
                    "EventBridgeDestination": {"EventBusArn": default_bus},
                },
            },
        },
        ROLE: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": "Execution role of every journey state machine the API publishes",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "states.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}},
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "journey-execution",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                allow(["sqs:SendMessage"], queues),
                                allow(["dynamodb:GetItem"], arn(TABLE)),
                                allow(
                                    ["lambda:InvokeFunction"],
                                    [
                                        arn(COHORT_FUNCTION),
                                        sub(f"${{{COHORT_FUNCTION}.Arn}}:*"),
                                        arn(LISTENER_FUNCTION),
                                        sub(f"${{{LISTENER_FUNCTION}.Arn}}:*"),
                                    ],
                                ),
                                allow(
                                    [
                                        "xray:PutTraceSegments",
                                        "xray:PutTelemetryRecords",
                                        "xray:GetSamplingRules",
                                        "xray:GetSamplingTargets",
                                    ],
                                    "*",
                                    **comment("'*': X-Ray trace calls support no resource-level permissions"),
                                ),
                            ],
                        },
                    }
                ],
            },
        },
        SUBSTITUTIONS: {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Description": "DefinitionSubstitutions the API applies to compiled ASL when it publishes",
                "Type": "String",
                **comment("Intelligent-Tiering: 22 queue URLs may outgrow the 4 KB of a standard parameter"),
                "Tier": "Intelligent-Tiering",
                "Value": sub(json.dumps(substitutions(), indent=None, separators=(",", ":"))),
            },
        },
    }


def route_id(method: str, path: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", path)
    return method.capitalize() + "".join(w[:1].upper() + w[1:] for w in words)


def api_resources(routes: Sequence[tuple[str, str]]) -> dict[str, Any]:
    events = {
        route_id(method, path): {
            "Type": "HttpApi",
            "Properties": {"ApiId": ref(HTTP_API), "Method": method, "Path": path},
        }
        for method, path in routes
    }
    return {
        HTTP_API: {
            "Type": "AWS::Serverless::HttpApi",
            "Properties": {
                "FailOnWarnings": True,
                **comment("Preflight requests are answered by API Gateway, before the authorizer"),
                "CorsConfiguration": {
                    "AllowOrigins": ref("CorsAllowOrigins"),
                    "AllowHeaders": ["authorization", "content-type"],
                    "AllowMethods": ["GET", "POST", "PUT", "DELETE"],
                    "MaxAge": 600,
                },
                **comment("Every route requires a valid JWT: the default authorizer applies to all of them"),
                "Auth": {
                    "DefaultAuthorizer": "JwtAuthorizer",
                    "Authorizers": {
                        "JwtAuthorizer": {
                            "IdentitySource": "$request.header.Authorization",
                            "JwtConfiguration": {"issuer": ref("JwtIssuer"), "audience": ref("JwtAudience")},
                        }
                    },
                },
            },
        },
        API_FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Description": "HTTP API: journeys, publishing, entries, counts, audiences, lookups",
                "CodeUri": "functions/api",
                "Handler": "app.handler",
                "Timeout": API_TIMEOUT_SECONDS,
                "Environment": {
                    "Variables": {
                        "STATE_MACHINE_ROLE_ARN": arn(ROLE),
                        "STATE_MACHINE_ARN_PREFIX": sub(STATE_MACHINE_PREFIX),
                        "DEFINITION_SUBSTITUTIONS_PARAMETER": ref(SUBSTITUTIONS),
                        "REFERENCE_PARAMETER": ref("ReferenceDataParameterName"),
                        "MARKETO_BASE_URL": ref("MarketoBaseUrl"),
                        "MARKETO_CREDENTIALS_SECRET": ref("MarketoSecretName"),
                    }
                },
                "Policies": policies(
                    table_statement(),
                    allow(
                        # publish=True on create/update also needs PublishStateMachineVersion.
                        [
                            "states:CreateStateMachine",
                            "states:UpdateStateMachine",
                            "states:PublishStateMachineVersion",
                            "states:TagResource",
                        ],
                        sub(f"{STATE_MACHINE_PREFIX}*"),
                    ),
                    allow(
                        ["iam:PassRole"],
                        arn(ROLE),
                        Condition={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}},
                    ),
                    start_statement(),
                    stop_statement(),
                    allow(
                        ["ssm:GetParameter"],
                        [
                            sub(
                                f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/${{{SUBSTITUTIONS}}}"
                            ),
                            REFERENCE_PARAMETER_ARN,
                        ],
                    ),
                    marketo_secret_statement(),
                ),
                "Events": events,
            },
        },
    }


def runtime_functions() -> dict[str, Any]:
    return {
        ENTRY_FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Description": "Scheduled: refreshes audiences and starts entries (re-entry rules apply)",
                "CodeUri": "functions/entry",
                "Handler": "app.handler",
                "Timeout": ENTRY_TIMEOUT,
                "Environment": {"Variables": {"STATE_MACHINE_ARN_PREFIX": sub(STATE_MACHINE_PREFIX)}},
                "Policies": policies(
                    # Scan: segment audiences test every account's attributes.
                    allow([*TABLE_ACTIONS, "dynamodb:Scan"], [arn(TABLE), sub(f"${{{TABLE}.Arn}}/index/*")]),
                    start_statement(),
                ),
                "Events": {
                    "Schedule": {
                        "Type": "Schedule",
                        "Properties": {"Schedule": ref("EntrySchedule"), "Description": "Start due entries"},
                    }
                },
            },
        },
        LISTENER_FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Description": "Registers listen tokens (from state machines) and answers them on matching events",
                "CodeUri": "functions/listener",
                "Handler": "app.handler",
                "Policies": policies(table_statement(), task_token_statement()),
                "Events": {
                    "AccountAndPersonEvents": {
                        "Type": "EventBridgeRule",
                        "Properties": {
                            "EventBusName": bus_name(),
                            "Pattern": {
                                "detail": {"on": ["accounts", "people"], "accountId": [{"exists": True}]}
                            },
                        },
                    },
                    "EmailEngagement": {
                        "Type": "EventBridgeRule",
                        "Properties": {
                            "Pattern": {
                                "source": ["aws.ses"],
                                # Listen nodes wait for opens and clicks; the other SES events stay on
                                # the default bus for whoever else wants them.
                                "detail-type": ["Email Opened", "Email Clicked"],
                                "detail": {"mail": {"tags": {"ses:configuration-set": [ref(CONFIG_SET)]}}},
                            }
                        },
                    },
                },
            },
        },
        COHORT_FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Description": "Split by people: partitions an entry's cohort into one cohort per path",
                "CodeUri": "functions/cohort",
                "Handler": "app.handler",
                "Policies": policies(table_statement()),
            },
        },
        ACTIVATION_FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Description": "Scheduled: delivers external audiences' pending members to their destinations",
                "CodeUri": "functions/activation",
                "Handler": "app.handler",
                "Timeout": ENTRY_TIMEOUT,
                "Environment": {
                    "Variables": {
                        "REFERENCE_PARAMETER": ref("ReferenceDataParameterName"),
                        "WEBHOOK_SECRET_NAME": ref("WebhookSecretName"),
                    }
                },
                "Policies": policies(
                    table_statement(),
                    allow(["ssm:GetParameter"], REFERENCE_PARAMETER_ARN),
                    allow(
                        ["secretsmanager:GetSecretValue"],
                        sub(
                            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
                            "${WebhookSecretName}-??????"
                        ),
                    ),
                    {
                        "Fn::If": [
                            "HasExportsBucket",
                            allow(["s3:PutObject"], sub("arn:${AWS::Partition}:s3:::${ExportsBucketName}/*")),
                            ref("AWS::NoValue"),
                        ]
                    },
                ),
                "Events": {
                    "Schedule": {
                        "Type": "Schedule",
                        "Properties": {
                            "Schedule": ref("ActivationSchedule"),
                            "Description": "Deliver pending audience members",
                        },
                    }
                },
            },
        },
        TRACKER_FUNCTION: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Description": "Execution status changes: entry status, memberships and per-node counts",
                "CodeUri": "functions/tracker",
                "Handler": "app.handler",
                "Environment": {"Variables": {"STATE_MACHINE_ARN_PREFIX": sub(STATE_MACHINE_PREFIX)}},
                "Policies": policies(
                    table_statement(),
                    # An ended entry's path is read from its execution history.
                    allow(["states:GetExecutionHistory"], sub(f"{EXECUTION_PREFIX}*")),
                ),
                "Events": {
                    "ExecutionStatusChange": {
                        "Type": "EventBridgeRule",
                        "Properties": {
                            "Pattern": {
                                "source": ["aws.states"],
                                "detail-type": ["Step Functions Execution Status Change"],
                                "detail": {"stateMachineArn": [{"prefix": sub(STATE_MACHINE_PREFIX)}]},
                            }
                        },
                    }
                },
            },
        },
    }


def outputs() -> dict[str, Any]:
    out: dict[str, Any] = {
        "ApiUrl": {
            "Description": "Base URL of the HTTP API",
            "Value": sub(f"https://${{{HTTP_API}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/"),
        },
        "JourneysTableName": {"Value": ref(TABLE)},
        "EventBusName": {"Value": bus_name()},
        "EventBusArn": {"Value": arn(BUS)},
        "StateMachineRoleArn": {"Value": arn(ROLE)},
        "StateMachineArnPrefix": {"Value": sub(STATE_MACHINE_PREFIX)},
        "DefinitionSubstitutionsParameterName": {"Value": ref(SUBSTITUTIONS)},
        "EmailConfigurationSetName": {"Value": ref(CONFIG_SET)},
    }
    for spec in ACTIONS.values():
        out[f"{spec.queue_logical_id}Url"] = {"Value": ref(spec.queue_logical_id)}
    return out


def build_template(routes: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    if routes is None:
        from journeys.api.openapi import routes as api_routes

        routes = api_routes()
    resources: dict[str, Any] = {
        **comment(
            "One table for journeys, versions, profiles, memberships, counts, the idempotency ledger, "
            "listen registrations and the shared Marketo rate limiter. Access patterns: docs/data-model.md."
        ),
        TABLE: JOURNEYS_TABLE,
        **shared_resources(),
        **api_resources(routes),
        **runtime_functions(),
    }
    for spec in ACTIONS.values():
        resources.update(action_resources(spec))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Account Journeys - B2B account journeys on AWS serverless "
        "(generated by `python -m journeys.infra.template --write`; do not edit by hand)",
        "Parameters": parameters(),
        "Conditions": conditions(),
        "Globals": globals_(),
        "Resources": resources,
        "Outputs": outputs(),
    }


def render() -> str:
    return dump(build_template())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {TEMPLATE_PATH.name}")
    args = parser.parse_args(argv)
    if args.write:
        TEMPLATE_PATH.write_text(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
