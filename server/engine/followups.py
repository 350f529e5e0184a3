"""Legacy follow-up sequences: what ContactService.addToCampaign and its siblings act on.

"Campaigns were the original name of follow-up sequences" (the API's method names predate Campaign Builder), so
these methods never touch a Campaign Builder campaign: "addToCampaign is adding a contact to a legacy follow-up
sequence, not to the campaign builder" (Infusionsoft staff, spec campaign-engine.md §1.11). A wrong sequence id is
fault 6 ``[Loading]Error loading follow-up sequence``. Tables: Campaign (the sequences), CampaignStep (their
steps, in order, each after a delay), Campaignee (one row per contact in a sequence).

A step runs an email template (a marketing send) or a legacy action set, or any single action-set action.
While paused, the delay left is frozen and counts again from the resume (spec §1.14 #8).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from server.domain import emails
from server.domain.errors import LoadingError, MethodFailed, SandboxError
from server.store import schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession

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
    s.emit("followup.added", "contact", contact_id, sequence_id=sequence_id)
    if first is not None and first.delay_seconds <= 0 and s.app.option("engine_mode") == "eager":
        run_member(s, _member(s, contact_id, sequence_id), now)
    return True


def remove(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    _sequence(s, sequence_id)
    fm = schema.followup_member
    removed = s.delete(fm, fm.c.contact_id == contact_id, fm.c.sequence_id == sequence_id).rowcount
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
        run_member(s, _member(s, contact_id, step.sequence_id), now)
        done += 1
    return done


def run_member(s: AppSession, member, now: float) -> None:
    """Run the member's next step, then schedule the one after it (or finish)."""
    from . import action_sets

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
                from .resources import template_id

                draft = emails.Draft.of_template(s, template_id(s, template))
                emails.send(s, [member.contact_id], draft, origin="followup", marketing=True,
                            keys=[f"followup:{s.app.id}:{member.id}:{step.id}:{int(now)}"])
            elif action.get("type") == "action_set":
                from .resources import action_set_id

                action_sets.run(s, member.contact_id, action_set_id(s, action["action_set"]))
            elif action:
                action_sets.run_action(s, member.contact_id, action)
        except SandboxError as exc:  # a broken step is recorded and the sequence goes on
            s.emit("followup.step_failed", "contact", member.contact_id, step_id=step.id, message=exc.message)
    s.emit("followup.step_run", "contact", member.contact_id, sequence_id=member.sequence_id, step_id=step.id)
    if index + 1 < len(steps):
        nxt = steps[index + 1]
        s.update(fm, fm.c.id == member.id, next_step_id=nxt.id, due_at=now + nxt.delay_seconds)
    else:
        s.update(fm, fm.c.id == member.id, status=DONE, next_step_id=None, due_at=None)


# --- the drain --------------------------------------------------------------------------------------

def _next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    fm = schema.followup_member
    q = sa.select(fm.c.app_id, sa.func.min(fm.c.due_at)).where(fm.c.status == ACTIVE, fm.c.due_at.is_not(None))
    if app_ids is not None:
        q = q.where(fm.c.app_id.in_(app_ids))
    return dict(conn.execute(q.group_by(fm.c.app_id)).all())


def _run_due(engine: Engine, app: AppRecord, now: float) -> int:
    fm = schema.followup_member
    with transaction(engine, write=True) as conn:
        s = AppSession(conn, app)
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
