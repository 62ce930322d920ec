"""The journey -> ASL mapping: shapes, names, contracts, determinism, refusals."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from journeys import messages
from journeys.catalog import get_action
from journeys.compiler import CompileError, compile_journey, error_names, placeholders, state_names
from journeys.compiler.asl import ACTION_TIMEOUT_SECONDS, LISTEN_MAX_SECONDS
from journeys.compiler.cli import compile_command
from journeys.definition.model import ActionNode, ListenNode
from journeys.definition.validate import validate_file

from .conftest import action, journey

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples" / "journeys").glob("*.yaml"))


def compiled_example(path: Path) -> dict[str, Any]:
    report = validate_file(path)
    assert report.journey is not None
    return compile_journey(report.journey).definition


def test_examples_exist() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_output_is_byte_identical_for_the_same_definition(path: Path) -> None:
    first = validate_file(path).journey
    second = validate_file(path).journey
    assert first is not None and second is not None
    assert compile_journey(first).text == compile_journey(second).text
    assert compile_journey(first).text == json.dumps(compile_journey(first).definition, indent=2) + "\n"


def test_action_node_sends_a_node_entry_message() -> None:
    j = journey(
        {
            "welcome": action("send_email", "done", email={"subject": "Hi", "html": "<p/>"}),
            "done": {"type": "end"},
        },
        "welcome",
    )
    asl = compile_journey(j).definition
    state = asl["States"]["Send email: welcome"]
    spec = get_action("send_email")
    assert spec is not None
    assert state["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert state["Parameters"]["QueueUrl"] == f"${{{spec.queue_placeholder}}}"
    body = state["Parameters"]["MessageBody"]
    assert {k.removesuffix(".$") for k in body} == set(messages.NodeEntryMessage.model_fields)
    assert body["taskToken.$"] == "$$.Task.Token"
    assert body["entryId.$"] == "$$.Execution.Name"
    assert (body["nodeId"], body["target"], body["action"]) == ("welcome", "people", "send_email")
    assert body["params"] == {"email": {"subject": "Hi", "html": "<p/>"}}
    assert state["TimeoutSeconds"] == ACTION_TIMEOUT_SECONDS
    assert state["ResultPath"] is None
    assert state["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Action failed: welcome"}
    ]
    retried = {e for r in state["Retry"] for e in r["ErrorEquals"]}
    assert retried and not retried & {"States.ALL", "States.Timeout", "States.TaskFailed"}
    assert asl["States"]["Action failed: welcome"]["Type"] == "Fail"
    assert asl["States"]["End: done"] == {"Type": "Succeed", "Comment": "node done"}


def test_split_by_accounts_reads_the_split_view_and_leaves_when_nothing_matches() -> None:
    j = journey(
        {
            "size": {
                "type": "split",
                "by": "accounts",
                "paths": [
                    {
                        "label": "Large",
                        "when": {"all": [{"attribute": "employees", "op": "gte", "value": 1000}]},
                        "next": "done",
                    }
                ],
            },
            "done": {"type": "end"},
        },
        "size",
    )
    states = compile_journey(j).definition["States"]
    read = states["Read account: size"]
    assert read["Resource"] == "arn:aws:states:::dynamodb:getItem"
    assert read["Parameters"]["TableName"] == f"${{{messages.TABLE_PLACEHOLDER}}}"
    assert read["Parameters"]["Key"] == {
        "pk": {"S.$": f"States.Format('{messages.ACCOUNT_PK_PREFIX}{{}}', $.accountId)"},
        "sk": {"S": messages.ACCOUNT_SK},
    }
    assert read["ResultSelector"] == {"view.$": "States.StringToJson($.Item.splitView.S)"}
    choice = states["Split by accounts: size"]
    assert choice["Default"] == "Leave journey: no path of size matched"
    assert states[choice["Default"]]["Type"] == "Succeed"
    assert [c["Next"] for c in choice["Choices"]] == ["End: done"]


def test_split_by_people_runs_one_branch_per_path_and_merges() -> None:
    j = journey(
        {
            "persona": {
                "type": "split",
                "by": "people",
                "paths": [
                    {
                        "label": "Deciders",
                        "when": {"all": [{"attribute": "persona", "op": "eq", "value": "dm"}]},
                        "next": "sms",
                    },
                    {"label": "Rest", "otherwise": True, "next": "join"},
                ],
            },
            "sms": action("send_sms", "join", sms={"text": "hi"}),
            "join": {"type": "merge", "next": "done"},
            "done": {"type": "end"},
        },
        "persona",
    )
    states = compile_journey(j).definition["States"]
    prepare = states["Prepare split by people: persona"]
    assert prepare["Result"]["paths"] == [
        {"all": [{"attribute": "persona", "op": "eq", "value": "dm"}]},
        None,
    ]
    partition = states["Partition people: persona"]
    assert partition["Parameters"]["FunctionName"] == f"${{{messages.COHORT_FUNCTION_PLACEHOLDER}}}"
    payload = partition["Parameters"]["Payload"]
    assert {k.removesuffix(".$") for k in payload} == set(messages.CohortSplitRequest.model_fields)
    parallel = states["Split by people: persona"]
    assert parallel["ResultPath"] is None and parallel["Next"] == "Merge: join"
    first, second = parallel["Branches"]
    assert first["States"][first["StartAt"]]["Parameters"]["cohort.$"] == "$.split.cohorts[0]"
    assert first["States"]["Send SMS: sms"]["End"] is True
    assert second["States"][second["StartAt"]] | {"Parameters": None} == {
        "Type": "Pass",
        "Comment": "node persona: the people of path 2",
        "Parameters": None,
        "End": True,
    }
    assert states["Merge: join"]["Parameters"]["cohort.$"] == "$.cohort"


def test_listen_registers_and_times_out_to_its_path_or_out() -> None:
    j = journey(
        {
            "click": {
                "type": "listen",
                "event": {"on": "people", "type": "email_clicked"},
                "timeout": {"duration": "7d", "next": "nudge"},
                "next": "done",
            },
            "nudge": {
                "type": "listen",
                "event": {"on": "accounts", "type": "interesting_moment"},
                "next": "done",
            },
            "done": {"type": "end"},
        },
        "click",
    )
    states = compile_journey(j).definition["States"]
    click = states["Listen for email_clicked: click"]
    assert click["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert click["TimeoutSeconds"] == 7 * 86400
    payload = click["Parameters"]["Payload"]
    assert {k.removesuffix(".$") for k in payload} == set(messages.ListenRegistration.model_fields)
    assert payload["enteredAt.$"] == "$$.State.EnteredTime"
    assert click["Catch"][0] == {
        "ErrorEquals": ["States.Timeout"],
        "ResultPath": None,
        "Next": "Listen for interesting_moment: nudge",
    }
    nudge = states["Listen for interesting_moment: nudge"]
    assert nudge["TimeoutSeconds"] == LISTEN_MAX_SECONDS
    assert states[nudge["Catch"][0]["Next"]]["Type"] == "Succeed"


def test_waits_use_seconds_or_a_timestamp() -> None:
    j = journey(
        {
            "pause": {"type": "wait", "duration": "2w", "next": "until"},
            "until": {"type": "wait", "until": "2027-01-15T10:00:00+01:00", "next": "done"},
            "done": {"type": "end"},
        },
        "pause",
    )
    states = compile_journey(j).definition["States"]
    assert states["Wait 2w: pause"]["Seconds"] == 14 * 86400
    assert states["Wait until 2027-01-15 09:00Z: until"]["Timestamp"] == "2027-01-15T09:00:00Z"


def test_helpers_list_placeholders_and_error_names() -> None:
    j = journey(
        {
            "w": action("send_email", "l", email={"subject": "a", "html": "b"}),
            "l": {"type": "listen", "event": {"on": "people", "type": "email_clicked"}, "next": "done"},
            "done": {"type": "end"},
        },
        "w",
    )
    compiled = compile_journey(j)
    assert (
        compiled.placeholders == placeholders(compiled.text) == ["ListenerFunctionArn", "SendEmailQueueUrl"]
    )
    assert "States.Timeout" in error_names(compiled.text)
    assert "SQS.SdkClientException" in error_names(compiled.definition)
    assert state_names(compiled.definition)[0] == "Send email: w"


def test_long_node_ids_give_unique_names_of_at_most_80_characters() -> None:
    a, b = "a" * 78 + "-1", "a" * 78 + "-2"
    j = journey(
        {
            a: action("send_email", b, email={"subject": "a", "html": "b"}),
            b: action("send_email", "done", email={"subject": "a", "html": "b"}),
            "done": {"type": "end"},
        },
        a,
    )
    names = state_names(compile_journey(j).definition)
    assert len(names) == len(set(names))
    assert max(len(n) for n in names) <= 80


def test_what_asl_cannot_express_is_a_compile_error_naming_node_and_field() -> None:
    j = journey(
        {
            "x": action("change_data_value", "l", attribute="region", value="eu"),
            "l": {
                "type": "listen",
                "event": {"on": "people", "type": "email_clicked"},
                "timeout": {"duration": "7d"},
                "next": "done",
            },
            "done": {"type": "end"},
        },
        "x",
    )
    # The validator refuses a dated listen timeout; the compiler still guards against one.
    listen = j.nodes["l"]
    assert isinstance(listen, ListenNode) and listen.timeout is not None
    listen.timeout.duration, listen.timeout.until = None, datetime(2027, 2, 1, tzinfo=UTC)
    node = j.nodes["x"]
    assert isinstance(node, ActionNode)
    node.params["extra"] = {"note.$": "would be read as a path"}
    with pytest.raises(CompileError) as caught:
        compile_journey(j)
    assert [(i.node, i.field) for i in caught.value.issues] == [
        ("x", "params.extra.note.$"),
        ("l", "timeout.until"),
    ]


def test_cli_writes_the_asl_and_refuses_invalid_journeys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "asl.json"
    assert compile_command(argparse.Namespace(file=str(EXAMPLES[0]), out=str(out), data=None)) == 0
    assert json.loads(out.read_text())["StartAt"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: X\nstart: a\nnodes: {a: {type: wait, duration: 3d, next: nowhere}}\n")
    assert compile_command(argparse.Namespace(file=str(bad), out=None, data=None)) == 2
    assert "nowhere" in capsys.readouterr().err


def test_user_text_that_looks_like_a_placeholder_is_refused() -> None:
    j = journey(
        {
            "mail": action("send_email", "done", email={"subject": "Save ${amount}", "html": "<p/>"}),
            "done": {"type": "end"},
        },
        "mail",
    )
    with pytest.raises(CompileError) as caught:
        compile_journey(j)
    assert [(i.node, i.field) for i in caught.value.issues] == [("mail", "params.email.subject")]
