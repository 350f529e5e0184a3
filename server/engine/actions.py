"""What each sequence item does (seed 001's communications and processes), for a group of enrollments at once.

An executor takes the run, the compiled graph, the item and the enrollments standing at it, and answers an
outcome per enrollment: ``(status, reason, result)`` with status ``done``, ``skipped`` or ``failed``. A failed or
skipped item never stops the sequence (Keap skips an email to an opted-out address and goes on). Every effect
goes through the domain, so an action can fire a goal (apply tag), a REST hook or a sync change like any other
write; campaign notes are the exception the seed states: they "do not initiate any automation".
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from server.domain.crm import activities as contact_actions
from server.domain.crm import contacts, tags
from server.domain.data import records
from server.domain.errors import SandboxError
from server.domain.mail import emails, merge_fields, messages, preview
from server.store import schema
from server.tables import REGISTRY

from . import fulfillment, legacy, round_robins

DONE = ("done", None, None)

# Where a fax, a letter or a voice broadcast goes: the contact's number or postal address.
_RECIPIENT_FIELD = {"fax": "Fax1", "voice": "Phone1", "phone_call": "Phone1", "letter": "StreetAddress1"}


def execute(run, graph, item, rows) -> dict:
    executor = EXECUTORS.get(item.type)
    if executor is None:
        return {r.id: ("skipped", f"{item.type} is not an action", None) for r in rows}
    return executor(run, graph, item, rows)


def _contacts(rows) -> list[int]:
    return [r.contact_id for r in rows]


def _key(run, r, item) -> str:
    return f"seq:{run.s.app.id}:{r.id}:{item.id}"


# --- communications -----------------------------------------------------------------------------------

def email(run, graph, item, rows) -> dict:
    c = item.config
    s = run.s
    if c.get("template_id"):
        draft = emails.Draft.of_template(s, c["template_id"])
    else:
        draft = emails.Draft(subject=c.get("subject", ""), html_body=c.get("html", ""), text_body=c.get("text", ""),
                             content_type=_content_type(c), from_address=c.get("from", ""))
    if c.get("preview") and draft.content_type in ("HTML", "Multipart"):  # the subject preview line, merged
        draft = emails.Draft(**{**vars(draft), "html_body": preview.with_preview(draft.html_body, c["preview"])})
    to = c.get("to", "contact")
    to_contact = to in ("contact", emails.CONTACT_EMAIL)
    address = {"contact": emails.CONTACT_EMAIL, "owner": "~Owner.Email~"}.get(to, to)
    draft = emails.Draft(**{**vars(draft), "to_address": address})
    results = emails.send(s, _contacts(rows), draft, origin="sequence", marketing=to_contact,
                          campaign_fields=graph.merge_fields, keys=[_key(run, r, item) for r in rows],
                          context={"campaign_id": graph.campaign_id, "sequence_id": item.sequence_id,
                                   "item_id": item.id})
    # the message is found again by its idempotency key; the step run need not name it
    return {r.id: ("skipped", reason, None) if reason else DONE for r, (_, reason) in zip(rows, results)}


def _content_type(c: dict) -> str:
    if c.get("html") and c.get("text"):
        return "Multipart"
    return "Text" if c.get("text") and not c.get("html") else "HTML"


def _int(value) -> int | None:
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


def customerhub(run, graph, item, rows) -> dict:
    """Add to CustomerHub (seed 001: "Creates the Contact's login information (Username and Password)"): a
    contact without a Username gets one (its email, else ``contact<id>``) and a new random Password, written
    as the Contact's fields; one who has a Username keeps both (already a member). Then captured in the outbox
    like the other communications, where ``~Contact.Username~`` and ``~Contact.Password~`` merge."""
    s = run.s
    ids = _contacts(rows)
    logins = merge_fields.contexts(s, ids, {("Contact", "Username"), ("Contact", "Email")})
    for contact_id in dict.fromkeys(ids):
        login = logins[contact_id]
        if not login.value("Contact", "Username"):
            contacts.update(s, contact_id, {"Username": login.value("Contact", "Email") or f"contact{contact_id}",
                                            "Password": secrets.token_urlsafe(9)})
    return other_communication(run, graph, item, rows)


def other_communication(run, graph, item, rows) -> dict:
    """Fax, letter, voice broadcast, phone call, CustomerHub's welcome: captured in the outbox, rendered for each
    contact. A phone call is a call for a user to make (seed 002's "Phone Call" communication): the contact's
    number, the script in ``body``, and the user who makes it (``user``, else the contact's owner) in
    ``from_address``."""
    s, c = run.s, item.config
    body = c.get("body") or c.get("text") or c.get("html") or ""
    field = _RECIPIENT_FIELD.get(item.type)
    calls = item.type == "phone_call"
    used = merge_fields.tokens(body, c.get("subject")) | ({("Contact", field)} if field else set()) | (
        {("Contact", "OwnerID")} if calls else set())
    ctxs = merge_fields.contexts(s, _contacts(rows), used, campaign_fields=graph.merge_fields)
    out_messages, out = [], {}
    for r in rows:
        ctx = ctxs[r.contact_id]
        to = ctx.value("Contact", field) if field else ""
        reason = None if (to or not field) else f"no {field}"
        out_messages.append(messages.Outgoing(
            kind=item.type, origin="sequence", contact_id=r.contact_id, to_address=to or None,
            subject=merge_fields.render(c.get("subject") or item.name, ctx),
            text_body=merge_fields.render(body, ctx), reason=reason, campaign_id=graph.campaign_id,
            sequence_id=item.sequence_id, item_id=item.id, idempotency_key=_key(run, r, item),
            user_id=(c.get("user_id") or _int(ctx.value("Contact", "OwnerID"))) if calls else None))
        out[r.id] = ("skipped", reason, None) if reason else DONE
    messages.record(s, out_messages)
    return out


# --- processes ------------------------------------------------------------------------------------------

def apply_tag(run, graph, item, rows) -> dict:
    for tag_id in item.config.get("tag_ids", []):
        tags.apply_many(run.s, _contacts(rows), tag_id)
    return {r.id: DONE for r in rows}


def remove_tag(run, graph, item, rows) -> dict:
    for tag_id in item.config.get("tag_ids", []):
        tags.remove_many(run.s, _contacts(rows), tag_id)
    return {r.id: DONE for r in rows}


def note(run, graph, item, rows) -> dict:
    """A date-stamped note from a template. The engine's own notes do not fire note goals: those listen for
    note templates applied by users (``note.template_applied``), never for ``note.added``."""
    c = item.config
    out = {}
    for r in rows:
        action_id = contact_actions.add_note(run.s, r.contact_id, {
            "ActionType": c.get("action_type", "Other"), "ActionDescription": c.get("title") or item.name,
            "CreationNotes": c.get("body", ""), "ActionDate": None})
        out[r.id] = ("done", None, {"action_id": action_id})
    return out


def _owners(run, rows) -> dict[int, int | None]:
    c = schema.contact
    ids = sorted({r.contact_id for r in rows})
    out: dict[int, int | None] = {}
    for i in range(0, len(ids), 500):
        for row in run.s.execute(run.s.select(c, c.c.id, c.c.owner_id).where(c.c.id.in_(ids[i:i + 500]))):
            out[row.id] = row.owner_id
    return out


def task(run, graph, item, rows) -> dict:
    c = item.config
    s = run.s
    owners = _owners(run, rows) if not c.get("user_id") else {}
    due = s.now_local() + timedelta(days=c.get("due_in_days", 0))
    title, description = c.get("title") or item.name or "Task", c.get("description", "")
    ctxs = merge_fields.contexts(s, _contacts(rows), merge_fields.tokens(title, description),
                                 campaign_fields=graph.merge_fields)
    out = {}
    for r in rows:
        user_id = c.get("user_id") or owners.get(r.contact_id) or _first_user(s)
        ctx = ctxs[r.contact_id]
        action_id = contact_actions.add_task(s, r.contact_id, {
            "ActionDescription": merge_fields.render(title, ctx),
            "CreationNotes": merge_fields.render(description, ctx),
            "ActionDate": due, "UserID": user_id, "Priority": c.get("priority", 1), "ActionType": "Task"})
        s.insert(schema.campaign_task, dict(action_id=action_id, campaign_id=graph.campaign_id, item_id=item.id))
        out[r.id] = ("done", None, {"action_id": action_id})
    return out


def appointment(run, graph, item, rows) -> dict:
    """Scheduled from the date the contact entered the sequence, or from a contact date field."""
    c = item.config
    s = run.s
    start_field = c.get("start", "entry")
    values = run.field_values(start_field, rows) if start_field != "entry" else {}
    owners = _owners(run, rows) if not c.get("user_id") else {}
    title, description = c.get("title") or item.name or "Appointment", c.get("description", "")
    ctxs = merge_fields.contexts(s, _contacts(rows), merge_fields.tokens(title, description),
                                 campaign_fields=graph.merge_fields)
    out = {}
    for r in rows:
        if start_field == "entry":
            base = s.clock.to_local(datetime.fromtimestamp(r.entered_at, s.clock.zone))
        else:
            base = values.get(r.contact_id)
            if base is None:
                out[r.id] = ("skipped", f"{start_field} is empty", None)
                continue
        start = base + timedelta(days=c.get("offset_days", 0))
        if c.get("at"):
            hours, minutes = (int(x) for x in c["at"].split(":"))
            start = start.replace(hour=hours, minute=minutes, second=0)
        end = start + timedelta(minutes=c.get("duration_minutes", 60))
        action_id = contact_actions.add_appointment(s, r.contact_id, {
            "ActionDescription": merge_fields.render(title, ctxs[r.contact_id]),
            "CreationNotes": merge_fields.render(description, ctxs[r.contact_id]), "ActionDate": start,
            "EndDate": end,
            "UserID": c.get("user_id") or owners.get(r.contact_id) or _first_user(s), "ActionType": "Appointment"})
        out[r.id] = ("done", None, {"action_id": action_id})
    return out


def _first_user(s) -> int | None:
    u = schema.user
    return s.execute(s.select(u, sa.func.min(u.c.id))).scalar()


def set_field(run, graph, item, rows) -> dict:
    """Overwrite, or only when blank; "today" (or "now") sets a date field to the moment the contact reached
    the step. Merge fields do not work here (seed 001): the value is taken as it is."""
    c = item.config
    name, value, only_blank = c["field"], c.get("value"), c.get("mode") == "if_blank"
    s = run.s
    if isinstance(value, str) and value.strip().lower() in ("today", "now"):
        value = s.now_local() if value.strip().lower() == "now" else s.now_local().replace(hour=0, minute=0,
                                                                                             second=0)
    current = run.field_values(name, rows) if only_blank else {}
    out = {}
    for r in rows:
        if only_blank and current.get(r.contact_id) not in (None, ""):
            out[r.id] = ("skipped", f"{name} is not blank", None)
            continue
        try:
            contacts.update(s, r.contact_id, {name: value})
            out[r.id] = DONE
        except SandboxError as exc:
            out[r.id] = ("failed", exc.message, None)
    return out


def _owner(run, item) -> int | None:
    """The user an Assign Owner or Create Opportunity item picks for its next contact."""
    c = item.config
    if c.get("round_robin_rule"):
        return round_robins.next_of_rule(run.s, c["round_robin_rule"])
    users = [u for u in c.get("round_robin_ids") or [] if u]
    return round_robins.next_of_item(run.s, item.id, users) if users else c.get("user_id")


def assign_owner(run, graph, item, rows) -> dict:
    out = {}
    for r in rows:
        try:
            owner = _owner(run, item)
        except SandboxError as exc:
            out[r.id] = ("failed", exc.message, None)
            continue
        contacts.update(run.s, r.contact_id, {"OwnerID": owner})
        out[r.id] = ("done", None, {"owner_id": owner})
    return out


def create_opportunity(run, graph, item, rows) -> dict:
    c = item.config
    if REGISTRY.get("Lead") is None:
        return {r.id: ("failed", "this sandbox has no opportunities (Lead table)", None) for r in rows}
    used = merge_fields.tokens(c.get("title"))
    ctxs = merge_fields.contexts(run.s, _contacts(rows), used, campaign_fields=graph.merge_fields)
    out = {}
    for r in rows:
        try:
            owner = _owner(run, item)
        except SandboxError as exc:
            out[r.id] = ("failed", exc.message, None)
            continue
        values = {"ContactID": r.contact_id, "StageID": c["stage_id"],
                  "OpportunityTitle": merge_fields.render(c.get("title") or item.name or "Opportunity",
                                                          ctxs[r.contact_id])}
        if owner:
            values["UserID"] = owner
        if c.get("notes"):
            values["OpportunityNotes"] = c["notes"]
        try:
            out[r.id] = ("done", None, {"opportunity_id": records.add(run.s, "Lead", values)})
        except SandboxError as exc:
            out[r.id] = ("failed", exc.message, None)
    return out


def http_post(run, graph, item, rows) -> dict:
    """Queued for delivery off the request path (server.domain.outbox.http_posts); the sequence does not wait for it.
    Campaign Builder posts only the name/value pairs configured, merged (no contact data of its own)."""
    s = run.s
    pairs = item.config.get("fields") or []
    used = merge_fields.tokens(*(v for _, v in pairs))
    ctxs = merge_fields.contexts(s, _contacts(rows), used, campaign_fields=graph.merge_fields)
    first = s.next_id("http_post", len(rows))
    posts, out = [], {}
    for offset, r in enumerate(rows):
        ctx = ctxs[r.contact_id]
        posts.append(dict(id=first + offset, idempotency_key=_key(run, r, item), url=item.config["url"],
                          fields=[[n, merge_fields.render(v, ctx)] for n, v in pairs], contact_id=r.contact_id,
                          campaign_id=graph.campaign_id, item_id=item.id, status="pending", attempts=0,
                          next_attempt_at=run.now, lease_until=None, last_status=None, last_error=None,
                          created_at=run.now, delivered_at=None, log=[]))
        out[r.id] = ("done", None, {"http_post_id": first + offset})
    s.insert(schema.http_post, posts)
    return out


def action_set(run, graph, item, rows) -> dict:
    out = {}
    for r in rows:
        results = legacy.run_action_set(run.s, r.contact_id, item.config["action_set_id"])
        failed = [x for x in results if x["IsError"]]
        out[r.id] = ("failed" if failed else "done", failed[0]["Message"] if failed else None, {"results": results})
    return out


def fulfillment_list(run, graph, item, rows) -> dict:
    """Rows collect until delivered: at once, or when ``queue.min_rows`` are waiting, or when the oldest has
    waited ``queue.max_days`` (server.engine.fulfillment)."""
    s, c = run.s, item.config
    values = {}
    for name in c.get("fields", []):
        for contact_id, value in run.field_values(name, rows).items():
            values.setdefault(contact_id, {})[name] = value
    first = s.next_id("fulfillment_row", len(rows))
    s.insert(schema.fulfillment_row, [dict(id=first + i, item_id=item.id, contact_id=r.contact_id,
                                           values=_jsonable(values.get(r.contact_id, {})), created_at=run.now,
                                           job_id=None) for i, r in enumerate(rows)])
    fulfillment.deliver_if_ready(s, graph.campaign_id, item, run.now)
    return {r.id: DONE for r in rows}


def _jsonable(values: dict) -> dict:
    return {k: (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in values.items()}


EXECUTORS = {
    "email": email, "fax": other_communication, "letter": other_communication, "voice": other_communication,
    "phone_call": other_communication,
    "customerhub": customerhub, "apply_tag": apply_tag, "remove_tag": remove_tag, "note": note,
    "task": task, "appointment": appointment, "set_field": set_field, "assign_owner": assign_owner,
    "create_opportunity": create_opportunity, "http_post": http_post, "action_set": action_set,
    "fulfillment_list": fulfillment_list,
}
