"""Send email and send SMS send exactly what the reference path builds for each person.

The executors build the template context once per batch and each message without pydantic's
validation where its values are already exact; the reference builds the whole context per person
(`template_context`) and validates each message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from journeys.catalog import inputs as i
from journeys.executors import EXECUTORS, ActionBatch
from journeys.executors.messaging import journey_name, tags, template_context
from journeys.executors.ports import OutboundEmail, OutboundSms
from journeys.model.profiles import Person
from journeys.outcomes import ActionResult, Outcome
from journeys.templating import render
from tests.unit.executors.world import World


class Text(str):
    """A str subclass, as only `model_construct` or `model_copy(update=...)` can put in a person."""


EMAIL = {
    "subject": "Welcome {{ person.firstName }} at {{ account.name }}",
    "html": "<p>Hi {{ person.firstName }} {{ person.since }}, {{ journey.name }} / {{ account.owner.name }}</p>",
    "text": "{{ person.firstName }}: {{ person.scores['Person Score'] }}",  # jinja renders this one
}
SMS = {"text": "Hi {{ person.firstName }} from {{ account.name }} ({{ journey.node }})"}


def odd_people(world: World) -> list[Person]:
    """The world's people, and people whose values are not what validation would make of them."""
    ana = world.store.get_people(["p-ana"])[0]
    return [
        *world.store.people_of_account("acme"),
        ana.model_copy(update={"id": "p-esc", "firstName": '<Ann & "Jo" O\'Neil>'}),
        ana.model_copy(update={"id": "p-date", "since": date(2026, 1, 2)}),  # dumped to JSON
        ana.model_copy(
            update={"id": "p-sub", "email": Text("sub@acme.example"), "phone": Text("+15559990000")}
        ),
        ana.model_copy(update={"id": Text("p-text-id"), "firstName": Text("Sub")}),
        ana.model_copy(update={"id": "p-empty", "email": "", "phone": ""}),
    ]


def batch_of(
    world: World, action_id: str, params: dict[str, Any], people: list[Person], entry: str
) -> ActionBatch:
    batch = world.batch(action_id, params, people=[], entry=entry)
    batch.people = people
    return batch


# A message's own ids go into every tag; one that is not an exact str is converted by validation.
ENTRIES = pytest.mark.parametrize("entry", ["e-1", Text("e-sub")], ids=["str", "str-subclass"])


def expected_email(world: World, batch: ActionBatch, person: Person) -> OutboundEmail | ActionResult:
    email = batch.inputs_as(i.SendEmail).email
    assert isinstance(email, i.AuthoredEmail)
    if not person.email:
        return ActionResult.skipped(person.id, "no email address")
    context = template_context(batch, person, journey_name(world.ctx, batch))
    return OutboundEmail(
        to=[person.email],
        sender=email.from_ or world.ctx.email_from,
        subject=render(email.subject, context),
        html=render(email.html, context, html=True),
        text=render(email.text, context) if email.text is not None else None,
        tags={**tags(batch), "person": person.id},
    )


def expected_sms(world: World, batch: ActionBatch, person: Person) -> OutboundSms | ActionResult:
    if not person.phone:
        return ActionResult.skipped(person.id, "no phone")
    context = template_context(batch, person, journey_name(world.ctx, batch))
    text = render(batch.inputs_as(i.SendSms).sms.text, context)
    return OutboundSms(to=person.phone, text=text, tags={**tags(batch), "person": person.id})


def held(model: BaseModel) -> tuple[Any, ...]:
    """A message as it is, down to the exact types of its values and the fields set."""
    data = model.__dict__
    return (
        type(model),
        data,
        {k: type(v) for k, v in data.items()},
        [type(v) for v in data["to"]] if isinstance(data["to"], list) else None,
        [(type(k), type(v)) for k, v in data["tags"].items()],
        model.model_fields_set,
        model.__pydantic_extra__,
        model.__pydantic_private__,
    )


def assert_sent(batch: Any, expected: list[Any], results: list[ActionResult], outbox: list[Any]) -> None:
    """Each person's result is the reference one, and what was sent is what the reference built."""
    sent = iter(outbox)
    for person, want, result in zip(batch.people, expected, results, strict=True):
        if isinstance(want, ActionResult):
            assert result == want
        else:
            assert result == ActionResult.applied(person.id)
            assert held(next(sent)) == held(want)
    assert next(sent, None) is None


@ENTRIES
@pytest.mark.parametrize("text", [EMAIL["text"], None])
def test_send_email_sends_what_the_reference_path_builds(world: World, text: str | None, entry: str) -> None:
    params = {"email": {**EMAIL, "text": text}}
    batch = batch_of(world, "send_email", params, odd_people(world), entry)
    expected = [expected_email(world, batch, p) for p in batch.people]

    results = EXECUTORS["send_email"].execute(world.ctx, batch)

    assert_sent(batch, expected, results, world.outbox.emails)
    assert [r.outcome for r in results].count(Outcome.APPLIED) == 6  # p-cy and p-empty have no email


@ENTRIES
def test_send_sms_sends_what_the_reference_path_builds(world: World, entry: str) -> None:
    batch = batch_of(world, "send_sms", {"sms": SMS}, odd_people(world), entry)
    expected = [expected_sms(world, batch, p) for p in batch.people]

    results = EXECUTORS["send_sms"].execute(world.ctx, batch)

    assert_sent(batch, expected, results, world.outbox.sms)
    assert [r.outcome for r in results].count(Outcome.APPLIED) == 6  # p-bo and p-empty have no phone


def test_a_template_cannot_change_what_the_people_of_a_batch_share(world: World) -> None:
    # The account and journey parts of the context are one dict per batch, read by every person.
    for html in ("{{ account.pop('name') }}", "{{ journey.clear() }}", "{{ account.update(name='X') }}"):
        res = world.run("send_email", {"email": {"subject": "s", "html": html}})
        assert {(r.outcome, (r.reason or "")[:22]) for r in res.values()} == {
            (Outcome.FAILED, "template cannot render"),
            (Outcome.SKIPPED, "no email address"),
        }

    world.run("send_email", {"email": {"subject": "{{ account.name }} {{ journey.name }}", "html": "h"}})

    assert {e.subject for e in world.outbox.emails} == {"Acme Corp Onboarding"}
