"""Random sequences of list operations agree with a plain set model of membership."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from journeys.connectors.marketo import MarketoClient, UnlimitedRateLimiter, VirtualClock
from journeys.connectors.marketo.embedded import EmbeddedMarketo
from journeys.outcomes import ActionResult

KNOWN = range(1, 9)  # leads 9..12 do not exist in Marketo

operations = st.lists(
    st.tuples(st.sampled_from(["add", "remove"]), st.lists(st.integers(1, 12), max_size=8)), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_list_operations_match_a_set_model(ops: list[tuple[str, list[int]]]) -> None:
    clock = VirtualClock()
    marketo = EmbeddedMarketo(clock=clock).seed(
        ["Default"], ["Default"], [{"id": i} for i in KNOWN], [{"id": 1, "name": "L"}], []
    )
    members: set[int] = set()
    with MarketoClient(
        marketo.settings(), transport=marketo.transport(), clock=clock, limiter=UnlimitedRateLimiter()
    ) as client:
        for kind, ids in ops:
            unique = list(dict.fromkeys(ids))
            expected: list[ActionResult] = []
            for i in unique:
                if i not in KNOWN:
                    expected.append(ActionResult.skipped(str(i), "1004 lead not found"))
                elif kind == "add":
                    members.add(i)
                    expected.append(ActionResult.applied(str(i)))
                elif i in members:
                    members.discard(i)
                    expected.append(ActionResult.applied(str(i)))
                else:
                    expected.append(ActionResult.skipped(str(i), "1015 not in list"))
            call = client.add_to_list if kind == "add" else client.remove_from_list
            assert call(1, ids) == expected
    assert set(marketo.snapshot()["lists"][0]["members"]) == members
    assert marketo.contract_violations == []
