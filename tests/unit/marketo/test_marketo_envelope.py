"""Defensive parsing of what Marketo sends back."""

from __future__ import annotations

from journeys.connectors.marketo.envelope import Envelope, RecordResult


def test_absent_fields_default_to_empty() -> None:
    env = Envelope.model_validate({"success": True})
    assert env.errors == [] and env.warnings == [] and env.result == []
    assert env.next_page_token is None and env.more_result is False


def test_codes_are_strings_whatever_marketo_sends() -> None:
    env = Envelope.model_validate(
        {
            "requestId": "e42b#1",
            "success": False,
            "errors": [{"code": 601, "message": "Access token invalid"}, {"code": "606", "message": "x"}],
            "warnings": [{"code": 1, "message": "w"}, "No assets found for the given search criteria."],
            "result": None,
        }
    )
    assert env.error_codes() == ["601", "606"]
    assert [w.code for w in env.warnings] == ["1", ""]
    assert env.warnings[1].message.startswith("No assets")
    assert env.result == []


def test_paging_fields() -> None:
    env = Envelope.model_validate({"success": True, "result": [{}], "nextPageToken": "abc", "moreResult": 1})
    assert env.next_page_token == "abc" and env.more_result is True


def test_record_reasons_in_every_documented_spelling() -> None:
    plural = RecordResult.parse({"id": 1, "status": "skipped", "reasons": [{"code": 1004, "message": "m"}]})
    singular = RecordResult.parse({"id": 2, "status": "skipped", "reason": {"code": "1015", "message": "m"}})
    activity = RecordResult.parse(
        {"id": 3, "status": "skipped", "errors": [{"code": "1004", "message": "m"}]}
    )
    assert [r.reasons[0].code for r in (plural, singular, activity)] == ["1004", "1015", "1004"]


def test_garbage_record_is_tolerated() -> None:
    assert RecordResult.parse("nonsense").id is None
    assert RecordResult.parse({"id": 5, "reasons": "bad"}).reasons == []
