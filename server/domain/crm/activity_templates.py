"""Note, task and appointment templates (ContactService.getActivityHistoryTemplateMap and
applyActivityHistoryTemplate, ☆: in the iSDK only, "add a note, task, or appointment to a contact from a
template"). Applying one creates the ContactAction and emits ``note.template_applied``, which the campaign
engine's "note applied" goal listens to (seed 000: applying a note template can start automation)."""
from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from server.domain.data import listing
from server.domain.errors import MethodFailed, RecordNotFound
from server.store import schema
from server.store.session import AppSession

from . import activities

KINDS = ("Note", "Task", "Appointment")


def add_template(s: AppSession, name: str, kind: str = "Note", *, action_type: str | None = None,
                 description: str | None = None, notes: str | None = None, due_in_days: int | None = None,
                 duration_minutes: int | None = None, priority: int | None = None) -> int:
    if kind not in KINDS:
        raise ValueError(f"template kind must be one of {KINDS}")
    template_id = s.next_id("activity_template")
    s.insert(schema.activity_template, dict(id=template_id, name=name, kind=kind, action_type=action_type,
                                            description=description, notes=notes, due_in_days=due_in_days,
                                            duration_minutes=duration_minutes, priority=priority))
    return template_id


def template_map(s: AppSession) -> dict[str, str]:
    """Template Id (as the member name) -> template name, like WebFormService.getMap."""
    t = schema.activity_template
    return {str(r.id): r.name for r in s.execute(s.select(t, t.c.id, t.c.name).order_by(t.c.id))}


def apply(s: AppSession, contact_id: int, template_id: int, user_id: int) -> int:
    """Give the contact the template's note, task or appointment; returns the new ContactAction id."""
    c = schema.contact
    if s.execute(s.select(c, c.c.id).where(c.c.id == contact_id)).first() is None:
        raise MethodFailed("contactId must be a valid id")
    template = s.get(schema.activity_template, template_id)
    if template is None:
        raise RecordNotFound(f"Record not found for Id:{template_id}")
    if user_id and s.get(schema.user, user_id) is None:
        raise MethodFailed("userId must be a valid id")
    now = s.now_local()
    data = {"ActionType": template.action_type or template.kind,
            "ActionDescription": template.description or template.name,
            "CreationNotes": template.notes or "", "UserID": user_id or None, "CreatedBy": user_id or None}
    if template.priority is not None:
        data["Priority"] = template.priority
    if template.kind == "Task":
        data["ActionDate"] = now + timedelta(days=template.due_in_days or 0)
    elif template.kind == "Appointment":
        start = now + timedelta(days=template.due_in_days or 0)
        data.update(ActionDate=start, EndDate=start + timedelta(minutes=template.duration_minutes or 60),
                    IsAppointment=1)
    action_id = activities.add_action(s, contact_id, {k: v for k, v in data.items() if v is not None}, template.kind)
    s.emit("note.template_applied", "contact", contact_id, contact_id=contact_id, template_id=template_id,
           template_name=template.name, action_id=action_id, kind=template.kind)
    return action_id


# --- reads for the protocols that page (REST v2) ------------------------------------------------------

class TemplateRecord(NamedTuple):
    id: int
    name: str
    kind: str
    action_type: str | None
    description: str | None


_at = schema.activity_template
TEMPLATE_FIELDS = listing.Fields({"id": _at.c.id, "title": _at.c.name, "action_type": _at.c.action_type},
                                 text=frozenset({"title", "action_type"}))


def page_templates(s: AppSession, kind: str, q: listing.ListQuery) -> listing.Page[TemplateRecord]:
    """The templates of one kind (Note, Task or Appointment) under ``q``'s conditions."""
    return listing.page(s, s.select(_at).where(_at.c.kind == kind), TEMPLATE_FIELDS, q,
                        lambda r: TemplateRecord(r.id, r.name, r.kind, r.action_type, r.description))
