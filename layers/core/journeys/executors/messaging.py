"""Send email, send SMS and send sales alert: rendered with the sandboxed templates, then sent."""

from __future__ import annotations

from typing import Any, ClassVar

from journeys.catalog import inputs as i
from journeys.executors.base import ActionBatch, ExecutionContext, Interrupted, PermanentActionError, for_each
from journeys.executors.buying_groups import interest_of
from journeys.executors.ports import DeliveryRejected, OutboundEmail, new_email, new_sms, str_dict
from journeys.model.buying_groups import BuyingGroup, SolutionInterest, completeness
from journeys.model.profiles import Account, Person
from journeys.outcomes import ActionResult
from journeys.templating import PlainContext, TemplateError, plain_context, render

MARKETO_EMAIL_UNSUPPORTED = (
    "Marketo emails are sent by Marketo campaigns: use marketo_request_campaign with a campaign that sends it"
)


def person_fields(person: Person) -> dict[str, Any]:
    """The person as plain data (scalars, and scores as a dict of floats)."""
    fields: dict[str, Any] = person.attributes()  # a new dict: add the scores, no second copy
    fields["scores"] = dict(person.scores)
    return fields


def batch_context(batch: ActionBatch, journey_name: str) -> PlainContext:
    """The part of the template context every person of the batch shares: account and journey."""
    journey = {
        "id": batch.meta.journey_id,
        "name": journey_name,
        "node": batch.meta.node_id,
        "entry": batch.meta.entry_id,
    }
    # The account part is the same for every person of the cohort: reduce it to plain data once.
    account = batch.cached(
        f"template-account:{batch.account.id}", lambda: plain_context(batch.account.attributes())
    )
    return PlainContext({"account": account, "journey": journey})


def person_context(shared: PlainContext, person: Person) -> PlainContext:
    """`template_context` of one person, from the batch's `batch_context`.

    The account and journey dicts are shared, not copied, by every person's context: templates
    only read them (the sandbox refuses changes to dicts)."""
    return PlainContext(account=shared["account"], journey=shared["journey"], person=person_fields(person))


def template_context(batch: ActionBatch, person: Person | None, journey_name: str) -> PlainContext:
    """Exactly what a template may read: the person, the account and the journey, as plain data."""
    context = batch_context(batch, journey_name)
    if person is not None:
        context["person"] = person_fields(person)  # plain data already
    return context


def journey_name(ctx: ExecutionContext, batch: ActionBatch) -> str:
    def find() -> str:
        record = ctx.store.get_journey(batch.meta.journey_id)
        return record.name if record is not None else batch.meta.journey_id

    name: str = batch.cached(f"journey-name:{batch.meta.journey_id}", find)
    return name


def tags(batch: ActionBatch) -> dict[str, str]:
    return {
        "journey": batch.meta.journey_id,
        "node": batch.meta.node_id,
        "entry": batch.meta.entry_id,
        "account": batch.meta.account_id,
    }


class SendEmail:
    action_id: ClassVar[str] = "send_email"
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 10

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.SendEmail)
        email = inputs.email
        if isinstance(email, i.MarketoEmail):
            # The Marketo REST API cannot send an email asset to a lead outside a campaign run.
            return [ActionResult.skipped(p.id, MARKETO_EMAIL_UNSUPPORTED) for p in batch.people]
        sender = email.from_ or ctx.email_from
        if sender is None:
            raise PermanentActionError(
                "Action.Configuration", "no sender: set the email's from or EMAIL_FROM"
            )
        shared = batch_context(batch, journey_name(ctx, batch))
        batch_tags = tags(batch)
        checked = str_dict(batch_tags)  # once per batch; each person adds only its own id

        def apply(person: Person) -> ActionResult:
            if not person.email:
                return ActionResult.skipped(person.id, "no email address")
            context = person_context(shared, person)
            try:
                subject = render(email.subject, context)
                html = render(email.html, context, html=True)
                text = render(email.text, context) if email.text is not None else None
            except TemplateError as exc:
                return ActionResult.failed(person.id, str(exc))
            message = new_email(
                to=[person.email],
                sender=sender,
                subject=subject,
                html=html,
                text=text,
                tags={**batch_tags, "person": person.id},
                tags_checked=checked and type(person.id) is str,
            )
            try:
                ctx.email.send(message)
            except DeliveryRejected as exc:
                return ActionResult.failed(person.id, f"rejected: {exc}")
            return ActionResult.applied(person.id)

        return for_each(batch.people, apply)


class SendSms:
    action_id: ClassVar[str] = "send_sms"
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 10

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.SendSms)
        shared = batch_context(batch, journey_name(ctx, batch))
        batch_tags = tags(batch)
        checked = str_dict(batch_tags)  # once per batch; each person adds only its own id

        def apply(person: Person) -> ActionResult:
            if not person.phone:
                return ActionResult.skipped(person.id, "no phone")
            try:
                text = render(inputs.sms.text, person_context(shared, person))
            except TemplateError as exc:
                return ActionResult.failed(person.id, str(exc))
            if not text.strip():
                return ActionResult.failed(person.id, "the message renders empty")
            message = new_sms(
                to=person.phone,
                text=text,
                tags={**batch_tags, "person": person.id},
                tags_checked=checked and type(person.id) is str,
            )
            try:
                ctx.sms.send(message)
            except DeliveryRejected as exc:
                return ActionResult.failed(person.id, f"rejected: {exc}")
            return ActionResult.applied(person.id)

        return for_each(batch.people, apply)


SALES_ALERT_SUBJECT = "Sales alert: {{ account.name or account.id }} - {{ interest.name }}"
SALES_ALERT_HTML = """\
<h1>{{ interest.name }} for {{ account.name or account.id }}</h1>
<p>Journey: {{ journey.name }} ({{ journey.node }})</p>
<table>
<tr><th>Stage</th><td>{{ group.stage or "none" }}</td></tr>
<tr><th>Status</th><td>{{ group.status or "none" }}</td></tr>
<tr><th>Completeness</th><td>{{ group.completeness }}%</td></tr>
</table>
<h2>Members</h2>
{% if members %}<table>
<tr><th>Name</th><th>Role</th><th>Email</th><th>Phone</th><th>Title</th><th>Scores</th></tr>
{% for m in members %}<tr><td>{{ m.name }}</td><td>{{ m.role }}</td><td>{{ m.email }}</td><td>{{ m.phone }}</td>\
<td>{{ m.title }}</td><td>{% for k, v in m.scores|dictsort %}{{ k }}: {{ v }}{% if not loop.last %}, \
{% endif %}{% endfor %}</td></tr>
{% endfor %}</table>{% else %}<p>No members yet.</p>{% endif %}
<h2>Missing roles</h2>
{% if missing %}<ul>{% for r in missing %}<li>{{ r.role }}: {{ r.missing }} more needed</li>{% endfor %}</ul>\
{% else %}<p>None: every role is filled.</p>{% endif %}
"""
SALES_ALERT_TEXT = """\
{{ interest.name }} for {{ account.name or account.id }}
Stage: {{ group.stage or "none" }} | Status: {{ group.status or "none" }} | Completeness: {{ group.completeness }}%
Members:
{% for m in members %}- {{ m.name }} ({{ m.role }}) {{ m.email }}{% for k, v in m.scores|dictsort %} {{ k }}={{ v }}\
{% endfor %}
{% else %}- none
{% endfor %}Missing roles:
{% for r in missing %}- {{ r.role }}: {{ r.missing }} more needed
{% else %}- none
{% endfor %}"""


def alert_summary(
    interest: SolutionInterest, group: BuyingGroup, people: dict[str, Person]
) -> dict[str, Any]:
    """The buying group as the alert shows it: members with contact details and scores, what is missing."""
    members = []
    for member in group.members:
        person = people.get(member.person)
        full_name = " ".join(x for x in (person.firstName, person.lastName) if x) if person else ""
        members.append(
            {
                "person": member.person,
                "name": full_name or member.person,
                "role": member.role,
                "email": (person.email if person else None) or "",
                "phone": (person.phone if person else None) or "",
                "title": str((person.model_extra or {}).get("jobTitle", "")) if person else "",
                "scores": dict(person.scores) if person else {},
            }
        )
    missing = []
    for role in interest.roles:
        have = sum(1 for m in group.members if m.role == role.name)
        if have < role.required:
            missing.append({"role": role.name, "missing": role.required - have})
    return {
        "interest": {"id": interest.id, "name": interest.name},
        "group": {
            "stage": group.stage,
            "status": group.status,
            "completeness": completeness(interest, group.members),
        },
        "members": members,
        "missing": missing,
    }


def recipients(account: Account, send_to: list[str]) -> list[str]:
    """Addresses and resolved aliases (`owner`: the account owner's email), first-seen order."""
    out: dict[str, None] = {}
    for target in send_to:
        if target == "owner":
            if account.owner is not None:
                out[account.owner.email] = None
        else:
            out[target] = None
    return list(out)


class SendSalesAlert:
    action_id: ClassVar[str] = "send_sales_alert"
    idempotent: ClassVar[bool] = False
    chunk_size: ClassVar[int] = 1

    def execute(self, ctx: ExecutionContext, batch: ActionBatch) -> list[ActionResult]:
        inputs = batch.inputs_as(i.SendSalesAlert)
        account = batch.account
        interest = interest_of(ctx, batch, inputs.solutionInterest)
        if interest is None:
            return [ActionResult.failed(account.id, f"unknown solution interest '{inputs.solutionInterest}'")]
        to = recipients(account, inputs.sendTo)
        if not to:
            return [ActionResult.skipped(account.id, "no recipient: the account has no owner")]
        if ctx.email_from is None:
            raise PermanentActionError("Action.Configuration", "no sender for sales alerts: set EMAIL_FROM")
        try:
            found = ctx.store.get_buying_group(account.id, interest.id)
            if found is None:
                return [ActionResult.skipped(account.id, "no buying group")]
            group = found[0]
            people = {p.id: p for p in ctx.store.get_people([m.person for m in group.members])}
            context = {
                **template_context(batch, None, journey_name(ctx, batch)),
                **alert_summary(interest, group, people),
            }
            message = OutboundEmail(
                to=to,
                sender=ctx.email_from,
                subject=render(SALES_ALERT_SUBJECT, context),
                html=render(SALES_ALERT_HTML, context, html=True),
                text=render(SALES_ALERT_TEXT, context),
                kind="sales_alert",
                tags={**tags(batch), "account": account.id},
            )
            ctx.email.send(message)
        except DeliveryRejected as exc:
            return [ActionResult.failed(account.id, f"rejected: {exc}")]
        except Exception as exc:
            raise Interrupted([], exc) from exc
        return [ActionResult.applied(account.id)]
