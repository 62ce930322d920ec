"""A year-long compiled journey, with listens that time out, runs to completion on virtual time."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from journeys import messages
from journeys.compiler import compile_journey
from journeys.definition.validate import validate_definition

from .conftest import START, Rig

YEAR_LONG = {
    "id": "year-long",
    "name": "Year-long nurture",
    "audience": {"accountList": "all"},
    "start": "welcome",
    "nodes": {
        "welcome": {"type": "action", "on": "people", "action": "change_score",
                    "params": {"score": "Person Score", "change": "+1"}, "next": "quarter"},
        "quarter": {"type": "wait", "duration": "100d", "next": "first-click"},
        "first-click": {"type": "listen", "event": {"on": "people", "type": "email_clicked"},
                        "timeout": {"duration": "90d", "next": "nudge"}, "next": "nudge"},
        "nudge": {"type": "action", "on": "people", "action": "change_score",
                  "params": {"score": "Person Score", "change": "+2"}, "next": "second-quarter"},
        "second-quarter": {"type": "wait", "duration": "100d", "next": "last-click"},
        "last-click": {"type": "listen", "event": {"on": "people", "type": "email_clicked"},
                       "timeout": {"duration": "74d"}, "next": "done"},
        "done": {"type": "end"},
    },
}  # fmt: skip


def test_a_year_long_journey_completes_in_virtual_time(rig: Rig) -> None:
    # 364 days of waits and timeouts plus the actions: a full year of a Standard execution,
    # which AWS caps at 365 days (the next test shows the cap).
    report = validate_definition(YEAR_LONG)
    assert report.journey is not None, report.issues
    compiled = compile_journey(report.journey)
    listens: list[Any] = []
    rig.lambdas.register("listener", lambda payload, call: listens.append(payload))

    def answer_actions() -> bool:
        batch = [m for url in list(rig.queues.queues) for m in rig.queues.receive(url, 100)]
        for message in batch:
            assert message.task_token is not None
            rig.sfn.send_task_success(message.task_token, json.dumps({"applied": 1}))
        return bool(batch)

    rig.sfn.add_idle_hook(answer_actions)
    values = {
        p: "listener" if p == messages.LISTENER_FUNCTION_PLACEHOLDER else f"local://{p}"
        for p in compiled.placeholders
    }
    machine = rig.sfn.create_state_machine("year-long", compiled.text, values)
    entries = [
        rig.sfn.start_execution(
            machine,
            f"entry-{i}",
            messages.ExecutionInput(
                journeyId="year-long", journeyVersion=1, accountId=f"a{i}"
            ).model_dump_json(),
        )
        for i in range(50)
    ]
    rig.sfn.run_until_idle()
    for arn in entries:
        info = rig.sfn.describe_execution(arn)
        assert info.status == "SUCCEEDED"
        assert info.stop_date is not None
        assert info.stop_date - info.start_date == timedelta(days=364)
    assert rig.sfn.clock.now == START + timedelta(days=364)
    assert rig.sfn.entered_states(entries[0])[-1] == "Leave journey: last-click timed out"
    assert len(listens) == 2 * len(entries)
    assert {payload["nodeId"] for payload in listens} == {"first-click", "last-click"}
    # enteredAt is the virtual time the listen began: events since then must wake the entry.
    assert sorted({payload["enteredAt"] for payload in listens}) == [
        "2027-04-11T09:00:00.000Z",
        "2027-10-18T09:00:00.000Z",
    ]


def test_an_execution_reaching_the_one_year_cap_times_out(rig: Rig) -> None:
    definition = {
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 365 * 86400, "End": True}},
    }
    arn = rig.sfn.start_execution(rig.sfn.create_state_machine("too-long", definition), "e", "{}")
    rig.sfn.run_until_idle()
    info = rig.sfn.describe_execution(arn)
    assert (info.status, info.error) == ("TIMED_OUT", "States.Timeout")
