"""functions/actions/app.py: one thin handler per catalog action, nothing AWS at import time."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from journeys.catalog.actions import ACTIONS
from journeys.handlers.actions import ActionPipeline, make_handler
from journeys.handlers.stepfunctions import RecordingTaskResponder
from journeys.outcomes import OutcomeCounts
from tests.unit.executors.world import World, message, sqs_record

APP = Path(__file__).resolve().parents[3] / "functions" / "actions" / "app.py"


class LambdaContext:
    function_name = "change-score"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:change-score"
    aws_request_id = "req-1"


def load_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("actions_app", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_handler_per_catalog_action_and_no_client_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_client(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an AWS client was created at import time")

    monkeypatch.setattr(boto3, "client", no_client)
    monkeypatch.setattr(boto3.Session, "client", no_client)
    app = load_app()
    handlers = {name for name, value in vars(app).items() if callable(value) and not name.startswith("_")}
    assert handlers - {"make_handler"} == set(ACTIONS)
    assert all(getattr(app, action).__name__ == action for action in ACTIONS)


def test_handler_runs_the_pipeline(world: World) -> None:
    responder = RecordingTaskResponder()
    built: list[str] = []

    def factory(action_id: str) -> ActionPipeline:
        built.append(action_id)
        return ActionPipeline(action_id, world.ctx, responder)

    handler = make_handler("change_score", factory)
    msg = message("change_score", {"score": "Person Score", "change": "=1"})
    response = handler({"Records": [sqs_record(msg)]}, LambdaContext())
    assert response == {"batchItemFailures": []}
    assert built == ["change_score"]
    assert responder.successes[msg.taskToken] == [OutcomeCounts(applied=3)]


def test_unknown_action_has_no_handler() -> None:
    with pytest.raises(KeyError):
        make_handler("send_fax")
