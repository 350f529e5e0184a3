"""Legacy automation, older than Campaign Builder: follow-up sequences and action sets, which run each other (a
sequence's step runs an action set or one of its actions; an action starts or stops a follow-up sequence, whose
first step may run at once).

Follow-up sequences are what ContactService.addToCampaign and its siblings act on. "Campaigns were the original
name of follow-up sequences" (the API's method names predate Campaign Builder), so these methods never touch a
Campaign Builder campaign: "addToCampaign is adding a contact to a legacy follow-up sequence, not to the campaign
builder" (Infusionsoft staff, spec campaign-engine.md §1.11). A wrong sequence id is fault 6 ``[Loading]Error
loading follow-up sequence``. Tables: Campaign (the sequences), CampaignStep (their steps, in order, each after a
delay), Campaignee (one row per contact in a sequence). A step runs an email template (a marketing send) or a
legacy action set, or any single action-set action. While paused, the delay left is frozen and counts again from
the resume (spec §1.14 #8).

Action sets (the ActionSequence table) are a list of actions run on one contact at once.
ContactService.runActionSequence answers one struct per action run: ``{Action, Message, IsError}`` (the vendor
sample: ``{Action: "Apply/Remove Tag", Message: "tags applied to Contact: Nurture Subscriber", IsError: false}``,
``{Action: "Create Task", Message: "task1 (Task) sent successfully", IsError: false}``). Campaign Builder's
"legacy action set" process runs them too. Unlike Campaign Builder's HTTP post, a legacy action set's HTTP post
sends every field of the contact.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC
from server.domain.account import hooks
from server.domain.commerce import orders, subscriptions
from server.domain.crm import activities as contact_actions
from server.domain.crm import contacts, surveys, tags
from server.domain.data.query import select_rows
from server.domain.errors import LoadingError, MethodFailed, SandboxError
from server.domain.mail import emails
from server.environment import Environment
from server.store import due, schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tables import REGISTRY
from server.tally import Tally

from . import resources
from .resources import Unresolved

log = logging.getLogger("sandbox.engine")

# --- follow-up sequences -------------------------------------------------------------------------------------

ACTIVE, PAUSED, DONE = "Active", "Paused", "Done"


def _sequence(s: AppSession, sequence_id: int):
    row = s.get(schema.followup_sequence, sequence_id)
    if row is None:
        raise LoadingError("Error loading follow-up sequence")
    return row


def _steps(s: AppSession, sequence_id: int) -> list:
    st = schema.followup_step
    return s.execute(s.select(st).where(st.c.sequence_id == sequence_id).order_by(st.c.position, st.c.id)).all()


def _member(s: AppSession, contact_id: int, sequence_id: int):
    fm = schema.followup_member
    return s.execute(s.select(fm).where(fm.c.contact_id == contact_id, fm.c.sequence_id == sequence_id)).first()


def _require_contact(s: AppSession, contact_id: int) -> None:
    if not emails.contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")


def _now(s: AppSession) -> float:
    return s.clock.now().timestamp()


def _local(s: AppSession, ts: float) -> datetime:
    return s.clock.to_local(datetime.fromtimestamp(ts, UTC))


def _record_run(s: AppSession, contact_id: int, sequence_id: int, step_id: int, now: float) -> None:
    sr = schema.followup_step_run
    if not s.update(sr, sr.c.contact_id == contact_id, sr.c.step_id == step_id, run_at=now).rowcount:
        s.insert(sr, dict(contact_id=contact_id, step_id=step_id, sequence_id=sequence_id, run_at=now))


def _forget_runs(s: AppSession, contact_id: int, sequence_id: int) -> None:
    sr = schema.followup_step_run
    s.delete(sr, sr.c.contact_id == contact_id, sr.c.sequence_id == sequence_id)


def add(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    _sequence(s, sequence_id)
    _require_contact(s, contact_id)
    member = _member(s, contact_id, sequence_id)
    if member is not None and member.status in (ACTIVE, PAUSED):
        return True  # already in it: nothing changes
    steps = _steps(s, sequence_id)
    now = _now(s)
    first = steps[0] if steps else None
    values = dict(status=ACTIVE if first else DONE, next_step_id=first.id if first else None,
                  due_at=now + first.delay_seconds if first else None, paused_remaining=None, entered_at=now)
    fm = schema.followup_member
    if member is None:
        s.insert(fm, dict(values, id=s.next_id("followup_member"), sequence_id=sequence_id, contact_id=contact_id))
    else:
        s.update(fm, fm.c.id == member.id, **values)
    _forget_runs(s, contact_id, sequence_id)  # a new pass through the sequence
    s.emit("followup.added", "contact", contact_id, sequence_id=sequence_id)
    if first is not None and first.delay_seconds <= 0 and s.app.option("engine_mode") == "eager":
        run_member(s, _member(s, contact_id, sequence_id), now)
    return True


def remove(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    _sequence(s, sequence_id)
    fm = schema.followup_member
    removed = s.delete(fm, fm.c.contact_id == contact_id, fm.c.sequence_id == sequence_id).rowcount
    _forget_runs(s, contact_id, sequence_id)
    if removed:
        s.emit("followup.removed", "contact", contact_id, sequence_id=sequence_id)
    return True


def pause(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    _sequence(s, sequence_id)
    member = _member(s, contact_id, sequence_id)
    if member is None or member.status != ACTIVE:
        return False
    fm = schema.followup_member
    remaining = max(0.0, (member.due_at or _now(s)) - _now(s))
    s.update(fm, fm.c.id == member.id, status=PAUSED, due_at=None, paused_remaining=remaining)
    s.emit("followup.paused", "contact", contact_id, sequence_id=sequence_id)
    return True


def resume(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    _sequence(s, sequence_id)
    member = _member(s, contact_id, sequence_id)
    if member is None or member.status != PAUSED:
        return False
    fm = schema.followup_member
    s.update(fm, fm.c.id == member.id, status=ACTIVE, due_at=_now(s) + (member.paused_remaining or 0.0),
             paused_remaining=None)
    s.emit("followup.resumed", "contact", contact_id, sequence_id=sequence_id)
    return True


def next_step(s: AppSession, contact_id: int, sequence_id: int) -> int:
    _sequence(s, sequence_id)
    member = _member(s, contact_id, sequence_id)
    return member.next_step_id or 0 if member is not None else 0


def reschedule(s: AppSession, contact_ids: list[int], step_id: int) -> int:
    """Immediately perform the step for the contacts (vendor docs); returns how many were processed."""
    step = s.get(schema.followup_step, step_id)
    if step is None:
        raise LoadingError("Error loading follow-up sequence step")
    now = _now(s)
    done = 0
    fm = schema.followup_member
    for contact_id in contact_ids:
        if not emails.contact_exists(s, contact_id):
            continue
        member = _member(s, contact_id, step.sequence_id)
        if member is None:
            s.insert(fm, dict(id=s.next_id("followup_member"), sequence_id=step.sequence_id, contact_id=contact_id,
                              status=ACTIVE, next_step_id=step.id, due_at=now, paused_remaining=None,
                              entered_at=now))
        else:
            s.update(fm, fm.c.id == member.id, status=ACTIVE, next_step_id=step.id, due_at=now,
                     paused_remaining=None)
        # performed by request: a run of its own, even of a step the contact ran this very second (the drain's
        # key alone would name the email that run sent: a frozen clock, or the call made twice)
        run_member(s, _member(s, contact_id, step.sequence_id), now, run=f":r{s.next_id('followup_reschedule')}")
        done += 1
    return done


def run_member(s: AppSession, member, now: float, run: str = "") -> None:
    """Run the member's next step, then schedule the one after it (or finish). The step's email is keyed by the
    member, the step and the time (and ``run``): a drain that replays a step sends nothing twice."""
    steps = _steps(s, member.sequence_id)
    index = next((i for i, st in enumerate(steps) if st.id == member.next_step_id), None)
    fm = schema.followup_member
    if index is None:
        s.update(fm, fm.c.id == member.id, status=DONE, next_step_id=None, due_at=None)
        return
    step = steps[index]
    action = step.action or {}
    if step.step_status != "Inactive":
        try:
            if action.get("type") == "email" or (not action and step.template_id):
                template = action.get("template", step.template_id)
                draft = emails.Draft.of_template(s, resources.template_id(s, template))
                emails.send(s, [member.contact_id], draft, origin="followup", marketing=True,
                            keys=[f"followup:{s.app.id}:{member.id}:{step.id}:{int(now)}{run}"])
            elif action.get("type") == "action_set":
                run_action_set(s, member.contact_id, resources.action_set_id(s, action["action_set"]))
            elif action:
                run_action(s, member.contact_id, action)
            outcome = "done"
        except SandboxError as exc:  # a broken step is recorded and the sequence goes on
            s.emit("followup.step_failed", "contact", member.contact_id, step_id=step.id, message=exc.message)
            outcome = "failed"
        _record_run(s, member.contact_id, member.sequence_id, step.id, now)
        if s.tally is not None:
            s.tally.item("followup_step", outcome)
    s.emit("followup.step_run", "contact", member.contact_id, sequence_id=member.sequence_id, step_id=step.id)
    if index + 1 < len(steps):
        nxt = steps[index + 1]
        s.update(fm, fm.c.id == member.id, next_step_id=nxt.id, due_at=now + nxt.delay_seconds)
    else:
        s.update(fm, fm.c.id == member.id, status=DONE, next_step_id=None, due_at=None)


# --- the drain --------------------------------------------------------------------------------------

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    return due.earliest(conn, schema.followup_member, app_ids, status=ACTIVE)


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    fm = schema.followup_member
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app, tally=tally)
        q = s.select(fm).where(fm.c.status == ACTIVE, fm.c.due_at <= now).order_by(fm.c.due_at, fm.c.id).limit(500)
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        members = s.execute(q).all()
        for member in members:
            run_member(s, member, member.due_at)
    return len(members)


def report(s: AppSession, sequence_id: int) -> dict:
    """Per step: contacts queued for it (next up), and contacts done with the sequence."""
    _sequence(s, sequence_id)
    fm = schema.followup_member
    counts = dict(s.execute(s.select(fm, fm.c.next_step_id, sa.func.count()).where(
        fm.c.sequence_id == sequence_id, fm.c.status.in_((ACTIVE, PAUSED))).group_by(fm.c.next_step_id)).all())
    by_status = dict(s.execute(s.select(fm, fm.c.status, sa.func.count()).where(
        fm.c.sequence_id == sequence_id).group_by(fm.c.status)).all())
    return {"sequence_id": sequence_id, "active": by_status.get(ACTIVE, 0), "paused": by_status.get(PAUSED, 0),
            "done": by_status.get(DONE, 0),
            "steps": [{"id": st.id, "title": st.step_title, "queued": counts.get(st.id, 0)}
                      for st in _steps(s, sequence_id)]}


# --- a contact's pass through a sequence, and a sequence's steps (undocumented methods) -----------------
#
# getCampaigneeDetails, getCampaigneeStepDetails, getCampaignStepDetails and getCampaignStepOrder are seen only
# in client libraries (iSDK, Novak), which show their parameters and nothing of their answers: the struct keys
# below are the sandbox's, in the style of the Campaign, CampaignStep and Campaignee tables (docs/divergences.md).

def _step(s: AppSession, step_id: int):
    step = s.get(schema.followup_step, step_id)
    if step is None:
        raise LoadingError("Error loading follow-up sequence step")  # as rescheduleCampaignStep answers
    return step


def step_order(s: AppSession, sequence_id: int) -> list[int]:
    """ContactService.getCampaignStepOrder: the sequence's step ids, in the order they run."""
    _sequence(s, sequence_id)
    return [st.id for st in _steps(s, sequence_id)]


def step_info(s: AppSession, step_id: int) -> dict:
    """ContactService.getCampaignStepDetails: the CampaignStep row, its place (from 1) and its delay."""
    step = _step(s, step_id)
    order = [st.id for st in _steps(s, step.sequence_id)].index(step.id) + 1
    return {"Id": step.id, "CampaignId": step.sequence_id, "TemplateId": step.template_id or 0,
            "StepStatus": step.step_status or "", "StepTitle": step.step_title or "", "StepOrder": order,
            "DelaySeconds": int(step.delay_seconds or 0)}


def member_details(s: AppSession, contact_id: int, sequence_id: int) -> dict:
    """ContactService.getCampaigneeDetails: the contact's Campaignee row and where it is; an empty struct
    when the contact is not in the sequence."""
    sequence = _sequence(s, sequence_id)
    member = _member(s, contact_id, sequence_id)
    if member is None:
        return {}
    sr = schema.followup_step_run
    runs = s.execute(s.select(sr, sa.func.count()).where(sr.c.contact_id == contact_id,
                                                         sr.c.sequence_id == sequence_id)).scalar()
    out = {"Id": member.id, "CampaignId": sequence_id, "Campaign": sequence.name or "", "ContactId": contact_id,
           "Status": member.status, "DateAdded": _local(s, member.entered_at), "StepsRun": runs}
    if member.next_step_id:
        out["NextStepId"] = member.next_step_id
    if member.due_at is not None:
        out["NextStepDate"] = _local(s, member.due_at)
    return out


def member_step_details(s: AppSession, contact_id: int, step_id: int) -> dict:
    """ContactService.getCampaigneeStepDetails: one step of the contact's pass. ``Status``: ``Scheduled``
    (the step runs next, at ``ScheduledDate``), ``Paused`` (next, the contact paused), ``Done`` (it ran, at
    ``DateRun``), ``Pending`` (later) or ``Skipped`` (passed without running: inactive, or rescheduled past).
    An empty struct when the contact is not in the step's sequence."""
    step = _step(s, step_id)
    member = _member(s, contact_id, step.sequence_id)
    if member is None:
        return {}
    sr = schema.followup_step_run
    run_at = s.execute(s.select(sr, sr.c.run_at).where(sr.c.contact_id == contact_id,
                                                       sr.c.step_id == step_id)).scalar()
    out = {"Id": step.id, "CampaignId": step.sequence_id, "ContactId": contact_id,
           "StepTitle": step.step_title or "", "StepStatus": step.step_status or "",
           "TemplateId": step.template_id or 0}
    if member.next_step_id == step.id and member.status in (ACTIVE, PAUSED):
        out["Status"] = "Scheduled" if member.status == ACTIVE else "Paused"
        if member.due_at is not None:
            out["ScheduledDate"] = _local(s, member.due_at)
    elif run_at is not None:
        out["Status"] = "Done"
    else:
        order = [st.id for st in _steps(s, step.sequence_id)]
        ahead = member.status != DONE and member.next_step_id in order and \
            order.index(step.id) > order.index(member.next_step_id)
        out["Status"] = "Pending" if ahead else "Skipped"
    if run_at is not None:
        out["DateRun"] = _local(s, run_at)
    return out


# --- action sets ---------------------------------------------------------------------------------------------

ACTION_NAMES = {
    "apply_tag": "Apply/Remove Tag", "remove_tag": "Apply/Remove Tag", "create_task": "Create Task",
    "create_note": "Create Note", "send_email": "Send Email", "start_followup": "Start Follow-up Sequence",
    "stop_followup": "Stop Follow-up Sequence", "set_field": "Set Field Value", "assign_owner": "Assign Owner",
    "http_post": "Send an HTTP Post",
    "create_order": "Create an Order",
    "cancel_subscription": "Cancel a Subscription",
}


def load_action_set(s: AppSession, action_set_id: int):
    row = s.get(schema.action_set, action_set_id)
    if row is None:
        raise LoadingError("Error loading action set")  # by analogy with the follow-up sequence fault
    return row


def run_action_set(s: AppSession, contact_id: int, action_set_id: int) -> list[dict]:
    row = load_action_set(s, action_set_id)
    if not emails.contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")
    results = []
    for action in row.actions or []:
        kind = action.get("type")
        name = ACTION_NAMES.get(kind, kind or "Unknown")
        try:
            message = run_action(s, contact_id, action)
            results.append({"Action": name, "Message": message, "IsError": False})
        except SandboxError as exc:
            results.append({"Action": name, "Message": exc.message, "IsError": True})
    s.emit("action_set.run", "contact", contact_id, action_set_id=action_set_id)
    return results


BOUNCE_TRIGGERS = {"Bounce": "bounce_action_set", "HardBounce": "hard_bounce_action_set"}


def on_bounce(s: AppSession, event) -> None:
    """A contact's address bounced: the action set the app's bounce trigger names runs on the contact (seed 004:
    "triggers to handle bounced email scenarios"). One that cannot run is logged; the bounce stands."""
    option = BOUNCE_TRIGGERS.get(event.payload.get("status"))
    action_set_id = s.app.option(option) if option else 0
    if not action_set_id:
        return
    try:
        run_action_set(s, event.entity_id, action_set_id)
    except SandboxError as exc:
        log.warning("the bounce trigger of app %s could not run action set %s: %s", s.app.name, action_set_id,
                    exc.message)


def submit_survey(s: AppSession, survey_result_id: int, action_set_ids: list[int]) -> bool:
    """ContactService.submitSurveyAndApplyActionSets (undocumented; the Novak SDK sends ``(int surveyResultId,
    array actionSetIds)`` and names the answer ``$success``): stamp the survey result submitted, then run the
    action sets on its contact in the order given. Every action set is loaded first, so a wrong id changes
    nothing; submitting again runs them again."""
    row = surveys.require(s, survey_result_id)
    for action_set_id in action_set_ids:
        load_action_set(s, action_set_id)
    surveys.mark_submitted(s, row, action_set_ids)
    for action_set_id in action_set_ids:
        run_action_set(s, row.contact_id, action_set_id)
    return True


def _tag_ids(s: AppSession, action: dict) -> list[int]:
    out = []
    for ref in action.get("tags") or ([action["tag"]] if "tag" in action else []):
        try:
            out.append(resources.tag_id(s, ref))
        except Unresolved as exc:
            raise SandboxError(str(exc)) from None
    return out


def run_action(s: AppSession, contact_id: int, action: dict) -> str:
    """One action on one contact; returns its message, raises a SandboxError when it fails. Its changes queue no
    REST hook deliveries: "Deliveries are not triggered by legacy 'action sets'" (spec rest-oauth-throttle.md
    §8.5), which run every action through here (as does a follow-up sequence's step of one action)."""
    with s.acting_for(hooks.LEGACY_ACTION_SET):
        return _run_action(s, contact_id, action)


def _run_action(s: AppSession, contact_id: int, action: dict) -> str:
    kind = action.get("type")
    if kind in ("apply_tag", "remove_tag"):
        ids = _tag_ids(s, action)
        for tag_id in ids:
            (tags.apply if kind == "apply_tag" else tags.remove)(s, contact_id, tag_id)
        names = ", ".join(s.get(schema.tag, i).group_name for i in ids)
        return f"tags {'applied to' if kind == 'apply_tag' else 'removed from'} Contact: {names}"
    if kind == "create_task":
        title = action.get("title", "Task")
        contact_actions.add_task(s, contact_id, {
            "ActionDescription": title, "CreationNotes": action.get("description", ""),
            "ActionDate": s.now_local() + timedelta(days=action.get("due_in_days", 0)), "ActionType": "Task"})
        return f"{title} (Task) sent successfully"
    if kind == "create_note":
        title = action.get("title", "Note")
        contact_actions.add_note(s, contact_id, {"ActionDescription": title, "CreationNotes": action.get("body", ""),
                                                 "ActionType": action.get("action_type", "Other")})
        return f"{title} (Note) sent successfully"
    if kind == "send_email":
        try:
            template = resources.template_id(s, action["template"])
        except Unresolved as exc:
            raise SandboxError(str(exc)) from None
        draft = emails.Draft.of_template(s, template)
        [(_, reason)] = emails.send(s, [contact_id], draft, origin="action_set", marketing=True)
        if reason:
            return f"{draft.subject} was not sent: {reason}"
        return f"{draft.subject} (Email) sent successfully"
    if kind == "start_followup":
        add(s, contact_id, int(action["sequence"]))
        return f"Contact added to follow-up sequence {action['sequence']}"
    if kind == "stop_followup":
        remove(s, contact_id, int(action["sequence"]))
        return f"Contact removed from follow-up sequence {action['sequence']}"
    if kind == "set_field":
        contacts.update(s, contact_id, {action["field"]: action.get("value")})
        return f"{action['field']} set"
    if kind == "assign_owner":
        try:
            owner = resources.user_id(s, action["user"])
        except Unresolved as exc:
            raise SandboxError(str(exc)) from None
        contacts.update(s, contact_id, {"OwnerID": owner})
        return f"Owner set to user {owner}"
    if kind == "http_post":
        _legacy_post(s, contact_id, action)
        return f"HTTP post to {action['url']} queued"
    if kind == "create_order":
        return _create_order(s, contact_id, action)
    if kind == "cancel_subscription":
        return _cancel_subscriptions(s, contact_id, action)
    raise SandboxError(f"unknown action {kind!r}")


def _product_ids(s: AppSession, action: dict) -> list[int]:
    refs = action.get("products") or ([action["product"]] if action.get("product") is not None else [])
    try:
        return [resources.product_id(s, ref) for ref in refs]
    except Unresolved as exc:
        raise SandboxError(str(exc)) from None


def _create_order(s: AppSession, contact_id: int, action: dict) -> str:
    """An order of the action's products (each at its price, ``quantity`` of each) for the contact, unpaid,
    as an order placed by hand is: its invoice is due, and a purchase goal sees it once it is paid."""
    product_ids = _product_ids(s, action)
    if not product_ids:
        raise SandboxError("create_order needs products")
    title = action.get("title") or "Order from an action set"
    quantity = action.get("quantity", 1)
    order_id, _ = orders.create_order(s, contact_id, title, s.now_local(), "Offline",
                                      [{"product_id": p, "quantity": quantity} for p in product_ids])
    return f"Order {order_id} created"


def _cancel_subscriptions(s: AppSession, contact_id: int, action: dict) -> str:
    """Every active subscription of the contact (to the action's ``product`` or ``products`` if it names any)
    made Inactive, with the action's ``reason``."""
    cancelled = [i for product_id in _product_ids(s, action) or [None]
                 for i in subscriptions.active_of(s, contact_id, product_id)]
    for subscription_id in cancelled:
        subscriptions.cancel(s, subscription_id, action.get("reason") or "Cancelled by an action set")
    if not cancelled:
        return "No active subscription to cancel"
    return f"Subscription{'s' if len(cancelled) > 1 else ''} {', '.join(map(str, cancelled))} cancelled"


def _legacy_post(s: AppSession, contact_id: int, action: dict) -> None:
    """A legacy action set's HTTP post sends all the contact's fields (unlike Campaign Builder's)."""
    contact = REGISTRY.get("Contact")
    names = [n for n, f in contact.fields.items() if f.readable and f.column]
    c = schema.contact
    row = select_rows(s, contact, names, {}, extra_where=[c.c.id == contact_id])
    fields = [[k, "" if v is None else str(v)] for k, v in (row[0] if row else {}).items()]
    now = s.clock.now().timestamp()
    post_id = s.next_id("http_post")
    s.insert(schema.http_post, dict(id=post_id, idempotency_key=f"actionset:{s.app.id}:{post_id}",
                                    url=action["url"], fields=fields, contact_id=contact_id, campaign_id=None,
                                    item_id=None, status="pending", attempts=0, next_attempt_at=now,
                                    lease_until=None, last_status=None, last_error=None, created_at=now,
                                    delivered_at=None, log=[]))
