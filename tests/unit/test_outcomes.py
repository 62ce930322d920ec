"""Outcome counts are built without validation: they must equal the validated model and its dump."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from journeys.outcomes import ActionResult, Outcome, OutcomeCounts

results = st.lists(
    st.builds(
        ActionResult,
        subject=st.text(max_size=5),
        outcome=st.sampled_from(list(Outcome)),
        reason=st.none() | st.sampled_from(["no email address", "person not found", "boom"]),
    ),
    max_size=30,
)


@given(results)
def test_counts_equal_the_validated_model_and_their_output_its_json_dump(batch: list[ActionResult]) -> None:
    counts = OutcomeCounts.of(batch)
    skipped = [r.reason or "unspecified" for r in batch if r.outcome is Outcome.SKIPPED]
    validated = OutcomeCounts.model_validate(
        {
            "applied": sum(r.outcome is Outcome.APPLIED for r in batch),
            "skipped": len(skipped),
            "failed": sum(r.outcome is Outcome.FAILED for r in batch),
            "skippedByReason": {reason: skipped.count(reason) for reason in skipped},
        }
    )
    assert counts == validated
    assert counts.output() == validated.model_dump(mode="json")
    assert OutcomeCounts.model_validate(counts.output()) == counts


@given(st.text(max_size=5), st.text(max_size=5))
def test_the_shortcuts_make_the_named_tuple_its_constructor_makes(subject: str, reason: str) -> None:
    made = [
        ActionResult.applied(subject),
        ActionResult.skipped(subject, reason),
        ActionResult.failed(subject, reason),
    ]
    expected = [
        ActionResult(subject, Outcome.APPLIED),
        ActionResult(subject, Outcome.SKIPPED, reason),
        ActionResult(subject, Outcome.FAILED, reason),
    ]
    assert made == expected and all(type(m) is ActionResult for m in made)
    assert [m._asdict() for m in made] == [e._asdict() for e in expected]
