"""Offline helpers: transform template.yaml with aws-sam-translator, deploy it into moto."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from tests.support.tables import load_template

REGION = "us-east-1"
ARTIFACT_BUCKET = "sam-artifacts"
ARTIFACT_KEY = "code.zip"

PARAMETERS = {
    "JwtIssuer": "https://issuer.example.com",
    "JwtAudience": "journeys-ui",
    "SenderIdentity": "example.com",
    "EmailFrom": "journeys@example.com",
}

# Resource types moto's CloudFormation cannot create (as of moto 5.2.5): they are stripped
# before create_stack, and every reference to them is replaced by a fixed string. The other
# resources of the template must exist after the deploy.
UNSUPPORTED_IN_MOTO = {
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
}


class FixedPolicies:
    """Managed-policy lookup stub: the names SAM asks for, with fixed ARNs (no IAM call)."""

    def load(self) -> dict[str, str]:
        names = ["AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess", "AWSLambdaSQSQueueExecutionRole"]
        return {n: f"arn:aws:iam::aws:policy/service-role/{n}" for n in names}


def packaged_template() -> dict[str, Any]:
    """template.yaml as `sam package` would leave it: local code paths become S3 URIs."""
    template = copy.deepcopy(load_template())
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://{ARTIFACT_BUCKET}/{ARTIFACT_KEY}"
    return template


def transformed(region: str = REGION) -> dict[str, Any]:
    """The CloudFormation template SAM would deploy; a region-only session, no credentials used."""
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    policies = FixedPolicies().load()
    result: dict[str, Any] = translator.translate(
        packaged_template(), parameter_values=dict(PARAMETERS), get_managed_policy_map=lambda: policies
    )
    return result


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def without_unsupported(template: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Drop the resources moto cannot create; references to them become fixed strings."""
    template = copy.deepcopy(template)
    dropped = {name for name, res in template["Resources"].items() if res["Type"] in UNSUPPORTED_IN_MOTO}
    for name in dropped:
        del template["Resources"][name]

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"} and value["Ref"] in dropped:
                return f"{value['Ref']}-stub"
            if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in dropped:
                return f"{value['Fn::GetAtt'][0]}-stub"
            if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
                text = value["Fn::Sub"]
                for name in dropped:
                    text = text.replace(f"${{{name}}}", f"{name}-stub").replace(
                        f"${{{name}.", f"{name}-stub.${{"
                    )
                return {"Fn::Sub": text}
            return {
                k: fix(v)
                for k, v in value.items()
                if not (k == "DependsOn" and isinstance(v, str) and v in dropped)
            }
        if isinstance(value, list):
            return [fix(v) for v in value if not (isinstance(v, str) and v in dropped)]
        return value

    template["Resources"] = fix(template["Resources"])
    for name, resource in template["Resources"].items():
        # moto cannot generate an SSM parameter's name (CloudFormation can): give it one.
        if resource["Type"] == "AWS::SSM::Parameter":
            resource["Properties"].setdefault("Name", f"moto-{name}")
    template["Outputs"] = fix(template.get("Outputs", {}))
    return template, dropped
