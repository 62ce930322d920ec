"""Every graph rule of DESIGN section 3: a failing journey, and the error names the right node."""

from __future__ import annotations

from typing import Any

from journeys.definition.validate import validate_definition
from tests.unit.definition.builders import account_action, email, journey, people_split, when

END = {"type": "end"}


def issues_of(raw: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(i.node, i.field, i.message) for i in validate_definition(raw).issues]


def assert_issue(raw: dict[str, Any], node: str, field: str, fragment: str) -> None:
    found = issues_of(raw)
    assert any(n == node and f == field and fragment in m for n, f, m in found), found


def test_a_minimal_journey_is_valid() -> None:
    report = validate_definition(journey({"a": email(), "done": END}))
    assert report.ok, report.issues


def test_unreachable_node_is_named() -> None:
    assert_issue(journey({"a": email(), "orphan": email(), "done": END}), "orphan", "(node)", "not reachable")


def test_unknown_next_is_named_with_its_field() -> None:
    assert_issue(journey({"a": email("nowhere"), "done": END}), "a", "next", "unknown node 'nowhere'")


def test_unknown_start() -> None:
    assert_issue(journey({"a": email(), "done": END}, start="zzz"), "(journey)", "start", "unknown node")


def test_cycle_is_rejected_at_the_closing_edge() -> None:
    raw = journey({"a": email("b"), "b": {"type": "wait", "duration": "1d", "next": "a"}, "done": END})
    found = issues_of(raw)
    assert any(n == "b" and f == "next" and "cycle" in m for n, f, m in found), found


def test_self_loop() -> None:
    assert_issue(journey({"a": email("a"), "done": END}), "a", "next", "itself")


def test_path_that_does_not_end_in_an_end_node() -> None:
    # a listen whose `next` is missing cannot end anywhere
    raw = journey({"a": {"type": "listen", "event": {"on": "people", "type": "email_opened"}}, "done": END})
    assert_issue(raw, "a", "next", "required")


def test_split_with_no_paths_and_with_too_many() -> None:
    assert_issue(
        journey({"a": {"type": "split", "by": "accounts", "paths": []}, "done": END}),
        "a",
        "paths",
        "at least 1",
    )
    paths = [{"label": f"p{i}", "when": when("tier", i), "next": "done"} for i in range(26)]
    assert_issue(
        journey({"a": {"type": "split", "by": "accounts", "paths": paths}, "done": END}),
        "a",
        "paths",
        "at most 25",
    )


def test_otherwise_must_be_last_and_unique() -> None:
    paths = [
        {"label": "o", "otherwise": True, "next": "done"},
        {"label": "x", "when": when(), "next": "done"},
    ]
    assert_issue(journey({"a": {"type": "split", "by": "accounts", "paths": paths}, "done": END}),
                 "a", "paths[0].otherwise", "last")  # fmt: skip
    two = [
        {"label": "o", "otherwise": True, "next": "done"},
        {"label": "p", "otherwise": True, "next": "done"},
    ]
    assert_issue(journey({"a": {"type": "split", "by": "accounts", "paths": two}, "done": END}),
                 "a", "paths", "at most one otherwise")  # fmt: skip


def test_a_path_needs_conditions_or_otherwise() -> None:
    paths = [{"label": "x", "next": "done"}]
    assert_issue(journey({"a": {"type": "split", "by": "accounts", "paths": paths}, "done": END}),
                 "a", "paths[0]", "'when' conditions or 'otherwise")  # fmt: skip


def test_split_by_people_cannot_nest() -> None:
    inner = people_split([{"label": "i", "when": when(), "next": "m"}])
    outer = people_split([{"label": "o", "when": when(), "next": "inner"}])
    raw = journey({"a": outer, "inner": inner, "m": {"type": "merge", "next": "done"}, "done": END})
    assert_issue(raw, "inner", "type", "cannot be nested")


def test_split_by_people_allows_only_people_actions() -> None:
    raw = journey({
        "a": people_split([{"label": "p", "when": when(), "next": "acc"}]),
        "acc": account_action("m"), "m": {"type": "merge", "next": "done"}, "done": END,
    })  # fmt: skip
    assert_issue(raw, "acc", "on", "account actions never run inside a split by people")
    listen = {"type": "listen", "event": {"on": "people", "type": "email_opened"}, "next": "m"}
    raw2 = journey({"a": people_split([{"label": "p", "when": when(), "next": "l"}]), "l": listen,
                    "m": {"type": "merge", "next": "done"}, "done": END})  # fmt: skip
    assert_issue(raw2, "l", "type", "only people action nodes")
    wait = {"type": "wait", "duration": "1d", "next": "m"}
    raw3 = journey({"a": people_split([{"label": "p", "when": when(), "next": "w"}]), "w": wait,
                    "m": {"type": "merge", "next": "done"}, "done": END})  # fmt: skip
    assert_issue(raw3, "w", "type", "only people action nodes")


def test_split_by_people_paths_close_with_one_merge() -> None:
    raw = journey(
        {"a": people_split([{"label": "p", "when": when(), "next": "e"}]), "e": email("done"), "done": END}
    )
    assert_issue(raw, "done", "type", "must close with a merge")
    two = journey({
        "a": people_split([{"label": "p", "when": when(), "next": "m1"}, {"label": "q", "otherwise": True, "next": "m2"}]),
        "m1": {"type": "merge", "next": "done"}, "m2": {"type": "merge", "next": "done"}, "done": END,
    })  # fmt: skip
    assert_issue(two, "a", "paths", "same merge")


def test_merge_of_a_people_split_is_entered_only_from_its_paths() -> None:
    raw = journey({
        "a": {"type": "split", "by": "accounts", "paths": [
            {"label": "x", "when": when("tier", "gold"), "next": "ps"}, {"label": "y", "otherwise": True, "next": "side"}]},
        "ps": people_split([{"label": "p", "when": when(), "next": "m"}]),
        "side": email("m"), "m": {"type": "merge", "next": "done"}, "done": END,
    })  # fmt: skip
    assert_issue(raw, "side", "next", "closes the split by people")


def test_buying_group_facts_only_in_account_splits() -> None:
    cond = {"all": [{"buyingGroup": "analytics", "fact": "stage", "op": "eq", "value": "Won"}]}
    raw = journey({"a": people_split([{"label": "p", "when": cond, "next": "m"}]),
                   "m": {"type": "merge", "next": "done"}, "done": END})  # fmt: skip
    assert_issue(raw, "a", "paths[0].when.all[0]", "split by accounts")


def test_account_action_on_people_and_people_action_on_accounts() -> None:
    wrong = email()
    wrong["on"] = "accounts"
    assert_issue(journey({"a": wrong, "done": END}), "a", "on", "applies to people")


def test_wait_and_timeout_at_most_365_days() -> None:
    assert_issue(journey({"a": {"type": "wait", "duration": "366d", "next": "done"}, "done": END}),
                 "a", "duration", "365 days")  # fmt: skip
    listen = {"type": "listen", "event": {"on": "people", "type": "email_opened"},
              "timeout": {"duration": "53w", "next": "done"}, "next": "done"}  # fmt: skip
    assert_issue(journey({"a": listen, "done": END}), "a", "timeout.duration", "365 days")


def test_journey_must_fit_in_a_year() -> None:
    raw = journey({
        "a": {"type": "wait", "duration": "200d", "next": "b"},
        "b": {"type": "wait", "duration": "200d", "next": "done"}, "done": END,
    })  # fmt: skip
    assert_issue(raw, "(journey)", "nodes", "365 days")


def test_a_path_of_exactly_a_year_leaves_no_time_to_act() -> None:
    raw = journey({"a": {"type": "wait", "duration": "365d", "next": "done"}, "done": END})
    assert_issue(raw, "(journey)", "nodes", "within 365 days")
    assert validate_definition(
        journey({"a": {"type": "wait", "duration": "364d", "next": "done"}, "done": END})
    ).ok


def test_listen_timeout_is_a_duration() -> None:
    listen = {"type": "listen", "event": {"on": "people", "type": "email_opened"},
              "timeout": {"until": "2027-03-01T00:00:00Z", "next": "done"}, "next": "done"}  # fmt: skip
    assert_issue(journey({"a": listen, "done": END}), "a", "timeout.until", "takes a duration")


def test_bad_durations_and_dates() -> None:
    assert_issue(journey({"a": {"type": "wait", "duration": "3 days", "next": "done"}, "done": END}),
                 "a", "duration", "not a duration")  # fmt: skip
    assert_issue(journey({"a": {"type": "wait", "until": "2027-01-15T09:00:00", "next": "done"}, "done": END}),
                 "a", "until", "time zone")  # fmt: skip
    assert_issue(journey({"a": {"type": "wait", "next": "done"}, "done": END}), "a", "(root)", "exactly one")


def test_unknown_node_type_and_unknown_action() -> None:
    assert_issue(
        journey({"a": {"type": "teleport", "next": "done"}, "done": END}), "a", "type", "unknown node type"
    )
    bad = email()
    bad["action"] = "send_pigeon"
    assert_issue(journey({"a": bad, "done": END}), "a", "action", "unknown action 'send_pigeon'")


def test_action_params_are_checked_with_the_node_named() -> None:
    node = {"type": "action", "on": "accounts", "action": "update_buying_group_status",
            "params": {"solutionInterest": "analytics", "status": "s" * 51}, "next": "done"}  # fmt: skip
    assert_issue(journey({"a": node, "done": END}), "a", "params.status", "at most 50")


def test_unknown_listen_event_and_bad_filters() -> None:
    listen = {"type": "listen", "event": {"on": "people", "type": "fax_received"}, "next": "done"}
    assert_issue(journey({"a": listen, "done": END}), "a", "event.type", "unknown people event")
    listen2 = {"type": "listen", "event": {"on": "accounts", "type": "interesting_moment", "filters": {"type": "fax"}},
               "next": "done"}  # fmt: skip
    assert_issue(journey({"a": listen2, "done": END}), "a", "event.filters.type", "")


def test_all_errors_are_collected_not_just_the_first() -> None:
    bad1 = email("nowhere")
    bad2 = {"type": "wait", "duration": "forever", "next": "done"}
    found = issues_of(journey({"a": bad1, "b": bad2, "done": END}))
    nodes = {n for n, _, _ in found}
    assert {"a", "b"} <= nodes


def test_a_listen_on_email_clicks_names_a_send_email_node() -> None:
    listen = {"type": "listen", "event": {"on": "people", "type": "email_clicked", "filters": {"node": "b"}},
              "next": "done"}  # fmt: skip
    raw = journey({"a": email("l"), "l": listen, "done": END})
    assert_issue(raw, "l", "event.filters.node", "'b' is not a send_email node")
    raw["nodes"]["l"]["event"]["filters"]["node"] = "a"
    assert validate_definition(raw).ok
