"""Create DynamoDB tables in moto from template.yaml itself, so test keys cannot drift."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that keeps CloudFormation short-form tags (!Ref, !Sub, ...) as plain data."""


def _cfn_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)  # type: ignore[no-untyped-call]


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as data (a fresh copy: callers may change it)."""
    return copy.deepcopy(_parsed(path, path.stat().st_mtime_ns))


@functools.cache
def _parsed(path: Path, mtime_ns: int) -> dict[str, Any]:
    # Parsing the template costs more than creating a moto table: once per file version.
    with path.open() as fh:
        return yaml.load(fh, Loader=_CfnLoader)  # type: ignore[no-any-return]


def table_definitions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Logical id -> properties of every AWS::DynamoDB::Table in the template."""
    template = template or load_template()
    return {
        name: res["Properties"]
        for name, res in template["Resources"].items()
        if res["Type"] == "AWS::DynamoDB::Table"
    }


def create_table(client: Any, logical_id: str, table_name: str | None = None) -> str:
    """Create one template table in (moto) DynamoDB; return its physical name."""
    props = table_definitions()[logical_id]
    name = table_name or logical_id
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    client.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return name
