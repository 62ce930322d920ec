"""Buying groups (optimistic locking), account lists, external audiences, timelines."""

from __future__ import annotations

import threading

import pytest

from journeys.model.lists import DUMMY_AUDIENCE_RECORD, AccountList, ExternalAudience, TimelineEntry
from journeys.store.repository import Conflict, NotFound, Store
from tests.contract.builders import group


def test_buying_group_versions_and_conflicts(store: Store) -> None:
    assert store.get_buying_group("acme", "analytics") is None

    assert store.save_buying_group(group("acme", ("p1", "Decision Maker")), None) == 1
    with pytest.raises(Conflict):
        store.save_buying_group(group("acme"), None)  # exists already
    with pytest.raises(Conflict):
        store.save_buying_group(group("acme"), 7)  # stale version
    with pytest.raises(Conflict):
        store.save_buying_group(group("globex"), 1)  # does not exist

    updated = group("acme", ("p1", "Decision Maker"), ("p2", "Influencer"), stage="Awareness")
    assert store.save_buying_group(updated, 1) == 2
    assert store.get_buying_group("acme", "analytics") == (updated, 2)
    assert list(store.iter_buying_groups()) == [updated]


def test_concurrent_group_saves_from_one_version_have_one_winner(store: Store) -> None:
    # Given a group at version 1 read by 6 writers at once
    store.save_buying_group(group("acme"), None)
    outcomes: list[str] = []
    start = threading.Barrier(6)

    def write(n: int) -> None:
        start.wait()
        try:
            store.save_buying_group(group("acme", (f"p{n}", "Influencer")), 1)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")

    # When they all save against version 1
    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then exactly one save lands and the others must re-read
    assert sorted(outcomes) == ["conflict"] * 5 + ["saved"]
    found = store.get_buying_group("acme", "analytics")
    assert found is not None and found[1] == 2 and len(found[0].members) == 1


def test_account_list_membership(store: Store) -> None:
    assert store.get_account_list("vip") is None
    with pytest.raises(NotFound):
        store.add_to_account_list("vip", "acme")
    with pytest.raises(NotFound):
        store.remove_from_account_list("vip", "acme")

    store.put_account_list(AccountList(id="vip", name="VIP", members=["zeta", "acme"]))
    assert store.add_to_account_list("vip", "globex") is True
    assert store.add_to_account_list("vip", "globex") is False  # already a member: ignored
    assert store.remove_from_account_list("vip", "initech") is False  # not a member: ignored
    assert store.remove_from_account_list("vip", "zeta") is True
    assert store.remove_from_account_list("vip", "zeta") is False

    got = store.get_account_list("vip")
    assert got == AccountList(id="vip", name="VIP", members=["acme", "globex"])


def test_put_account_list_replaces_members_and_lists_in_order(store: Store) -> None:
    store.put_account_list(AccountList(id="b", name="B", members=["x", "y"]))
    store.put_account_list(AccountList(id="a", name="A", kind="dynamic", status="draft"))
    store.put_account_list(AccountList(id="b", name="B2", members=["z", "x"]))

    assert store.list_account_lists() == [
        AccountList(id="b", name="B2", members=["z", "x"]),
        AccountList(id="a", name="A", kind="dynamic", status="draft"),
    ]


def test_new_audience_dummy_record_is_replaced_by_the_first_real_member(store: Store) -> None:
    # Given a new audience holding only the dummy record
    store.put_audience(ExternalAudience(id="aud", name="Q3", members=[DUMMY_AUDIENCE_RECORD]))
    assert store.pending_activations("aud", 10) == []

    # When people are added (one twice, and the dummy id itself, which is not a profile)
    added = store.add_audience_members("aud", ["p1", "p2", "p1", DUMMY_AUDIENCE_RECORD])
    again = store.add_audience_members("aud", ["p2", "p3"])

    # Then the dummy is gone and each person was added and queued once
    assert added == ["p1", "p2"]
    assert again == ["p3"]
    found = store.get_audience("aud")
    assert found is not None and found.members == ["p1", "p2", "p3"]
    assert store.pending_activations("aud", 10) == ["p1", "p2", "p3"]


def test_pending_activations_page_and_clear(store: Store) -> None:
    store.put_audience(ExternalAudience(id="aud", name="Q3", destination="linkedin", members=["seeded"]))
    store.add_audience_members("aud", [f"p{n}" for n in range(5)])

    assert store.pending_activations("aud", 2) == ["p0", "p1"]
    assert store.pending_activations("aud", 0) == []
    store.mark_activated("aud", ["p0", "p1", "unknown"])
    assert store.pending_activations("aud", 10) == ["p2", "p3", "p4"]

    # Re-putting the audience keeps members that were still pending queued.
    store.put_audience(ExternalAudience(id="aud", name="Q3 b", members=["p2", "p3", "new"]))
    assert store.pending_activations("aud", 10) == ["p2", "p3"]
    assert [a.name for a in store.list_audiences()] == ["Q3 b"]


def test_unknown_audience(store: Store) -> None:
    assert store.get_audience("nope") is None
    assert store.list_audiences() == []
    with pytest.raises(NotFound):
        store.add_audience_members("nope", ["p1"])
    with pytest.raises(NotFound):
        store.pending_activations("nope", 5)
    with pytest.raises(NotFound):
        store.mark_activated("nope", ["p1"])


def _moment(subject: str, at: str, on: str = "person", description: str | None = None) -> TimelineEntry:
    return TimelineEntry.model_validate(
        {"on": on, "subject": subject, "type": "milestone", "at": at, "description": description}
    )


def test_timeline_per_subject_in_recording_order(store: Store) -> None:
    assert store.timeline("person", "p1") == []
    moments = [
        _moment("p1", "2026-01-01T00:00:00Z", description="first"),
        _moment("acme", "2026-01-02T00:00:00Z", on="account"),
        _moment("p1", "2026-01-03T00:00:00Z", description="second"),
        _moment("p2", "2026-01-04T00:00:00Z"),
    ]
    for m in moments:
        store.append_moment(m)

    assert store.timeline("person", "p1") == [moments[0], moments[2]]
    assert store.timeline("account", "acme") == [moments[1]]
    assert store.timeline("account", "p1") == []
    assert list(store.iter_moments()) == moments


def test_concurrent_audience_adds_count_each_person_once(store: Store) -> None:
    # Given a new audience and two batches that overlap on 20 of their 30 people each
    store.put_audience(ExternalAudience(id="aud", name="Q3", members=[DUMMY_AUDIENCE_RECORD]))
    first = [f"p{n:02d}" for n in range(30)]
    second = [f"p{n:02d}" for n in range(10, 40)]
    results: dict[str, list[str]] = {}
    start = threading.Barrier(2)

    def add(name: str, ids: list[str]) -> None:
        start.wait()
        results[name] = store.add_audience_members("aud", ids)

    # When both are added at the same moment
    threads = [threading.Thread(target=add, args=a) for a in (("first", first), ("second", second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then each of the 40 people was newly added (and queued) by exactly one of the calls
    added = results["first"] + results["second"]
    assert sorted(added) == [f"p{n:02d}" for n in range(40)]
    assert results["first"] == [p for p in first if p in results["first"]]  # input order kept
    found = store.get_audience("aud")
    assert found is not None and sorted(found.members) == sorted(added)
    assert sorted(store.pending_activations("aud", 100)) == sorted(added)


def test_lists_and_audiences_without_members_read_only_the_head(store: Store) -> None:
    # Given a list and an audience with members
    store.put_account_list(AccountList(id="l1", name="Strategic", members=["a1", "a2"]))
    store.put_audience(ExternalAudience(id="aud", name="Q3", destination="linkedin", members=["p1"]))
    store.add_audience_members("aud", ["p2"])

    # When they are read without members
    lst = store.get_account_list("l1", members=False)
    aud = store.get_audience("aud", members=False)

    # Then everything but the members is there, and the members are still stored
    assert lst is not None and (lst.name, lst.members) == ("Strategic", [])
    assert aud is not None and (aud.name, aud.destination, aud.members) == ("Q3", "linkedin", [])
    assert [x.members for x in store.list_account_lists(members=False)] == [[]]
    assert [x.name for x in store.list_audiences(members=False)] == ["Q3"]
    assert store.get_audience("nope", members=False) is None
    assert store.get_account_list("nope", members=False) is None
    full = store.get_audience("aud")
    assert full is not None and full.members == ["p1", "p2"]
