"""Destination connectors (webhook) and the scheduled activation sync, without any network."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from journeys.connectors.destinations import (
    SIGNATURE_HEADER,
    ActivationRecord,
    DestinationRejected,
    DestinationUnavailable,
    WebhookConnector,
    activate_pending,
)
from journeys.model.lists import Destination, ExternalAudience
from tests.unit.executors.world import World

SECRET = "s3cret"
DEST = Destination(id="linkedin", name="LinkedIn", kind="webhook", url="https://hooks.example/li")
AUD = ExternalAudience(id="aud-q3", name="Q3", destination="linkedin")


class Hook:
    """A webhook receiver: answers from a script of statuses (then 200), records what it got."""

    def __init__(self, script: list[int | str] | None = None) -> None:
        self.script = list(script or [])
        self.bodies: list[dict[str, object]] = []
        self.signatures_ok: list[bool] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        step = self.script.pop(0) if self.script else 200
        if step == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        body = request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        self.signatures_ok.append(hmac.compare_digest(expected, request.headers[SIGNATURE_HEADER]))
        if step == 200:
            self.bodies.append(json.loads(body))
        headers = {"Retry-After": "7"} if step == 429 else {}
        return httpx.Response(int(step), headers=headers)


def connector(hook: Hook, slept: list[float], **kwargs: int) -> WebhookConnector:
    return WebhookConnector(lambda: SECRET, transport=httpx.MockTransport(hook), sleep=slept.append, **kwargs)


def records(n: int) -> list[ActivationRecord]:
    return [ActivationRecord(personId=f"p-{k}", accountId="acme", email=f"p{k}@x.example") for k in range(n)]


def test_batches_are_signed() -> None:
    hook = Hook()
    slept: list[float] = []
    connector(hook, slept, batch_size=2).deliver(DEST, AUD, records(5))
    assert [len(b["members"]) for b in hook.bodies] == [2, 2, 1]  # type: ignore[arg-type]
    assert hook.signatures_ok == [True, True, True]
    assert hook.bodies[0]["audience"] == {"id": "aud-q3", "name": "Q3"}
    assert slept == []


def test_retries_with_backoff_on_429_5xx_and_timeouts() -> None:
    hook = Hook([429, 503, "timeout"])
    slept: list[float] = []
    connector(hook, slept).deliver(DEST, AUD, records(1))
    assert len(hook.bodies) == 1
    assert slept == [7.0, 1.0, 2.0]  # Retry-After wins over the first backoff step


def test_gives_up_or_rejects() -> None:
    hook = Hook([500] * 5)
    slept: list[float] = []
    with pytest.raises(DestinationUnavailable):
        connector(hook, slept).deliver(DEST, AUD, records(1))
    assert len(slept) == 4
    with pytest.raises(DestinationRejected):
        connector(Hook([400]), []).deliver(DEST, AUD, records(1))


def test_activate_pending_marks_only_delivered_members(world: World) -> None:
    world.run("add_to_external_audience", {"audience": "aud-q3"})
    hook = Hook([200, 500, 500, 500, 500, 500])
    slept: list[float] = []
    webhook = connector(hook, slept, batch_size=10)
    with pytest.raises(DestinationUnavailable):
        activate_pending(world.store, "aud-q3", webhook, DEST, batch_size=2)
    # The first batch went out and is activated; the second stays pending for the next run.
    assert world.store.pending_activations("aud-q3", 10) == ["p-cy"]
    report = activate_pending(world.store, "aud-q3", webhook, DEST, batch_size=2)
    assert (report.delivered, report.dropped, report.remaining) == (1, 0, 0)
    delivered = [m["personId"] for b in hook.bodies for m in b["members"]]  # type: ignore[attr-defined]
    assert delivered == ["p-ana", "p-bo", "p-cy"]
    assert hook.bodies[0]["members"][0]["emailSha256"] == hashlib.sha256(b"ana@acme.example").hexdigest()  # type: ignore[index]
