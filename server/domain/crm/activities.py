"""Notes, tasks and appointments: rows of ContactAction, told apart by ObjectType.

Every write emits ``<kind>.added`` / ``<kind>.updated`` / ``<kind>.deleted`` (kind ``note``, ``task`` or
``appointment``) on the entity ``contact_action`` with the action's id, and ``contact_id`` in the payload; a
task whose completion date is set also emits ``task.completed``. The sync endpoints and REST hooks read these.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from server.domain.data import custom_fields, listing
from server.domain.data.records import Values, Writer, check_values, stamp
from server.domain.errors import RecordNotFound
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_CONTACT_ACTION, REGISTRY, Table

CONTACT_ACTION = REGISTRY.get("ContactAction")
KINDS = ("Note", "Task", "Appointment")


def object_type(row: dict) -> str:
    if row.get("is_appointment"):
        return "Appointment"
    if row.get("action_date") is not None:
        return "Task"
    return "Note"


def _emit(s: AppSession, kind: str, verb: str, action_id: int, contact_id: int | None, **extra) -> None:
    s.emit(f"{kind.lower()}.{verb}", "contact_action", action_id, action_id=action_id, contact_id=contact_id,
           object_type=kind, **extra)


def _add(s: AppSession, table: Table, values: Values, kind: str | None = None) -> int:
    ca = schema.contact_action
    row = dict(values.columns)
    if row.get("creation_date") is None:
        row["creation_date"] = s.now_local()
    row["object_type"] = kind or object_type(row)
    action_id = s.next_id("contact_action")
    row["id"] = action_id
    if s.user_id is not None and row.get("created_by") is None:
        row["created_by"] = s.user_id
    stamp(s, ca, row, created=True)
    s.insert(ca, row)
    if values.customs:
        custom_fields.write_values(s, action_id, values.customs)
    _emit(s, row["object_type"], "added", action_id, row.get("contact_id"),
          action_type=row.get("action_type"), description=row.get("action_description"), fields=values.names)
    return action_id


def _update(s: AppSession, table: Table, action_id: int, values: Values) -> None:
    ca = schema.contact_action
    before = s.get(ca, action_id)
    row = dict(values.columns)
    if s.user_id is not None:
        row["last_updated_by"] = s.user_id
    stamp(s, ca, row, created=False)
    s.update(ca, ca.c.id == action_id, **row)
    if values.customs:
        custom_fields.write_values(s, action_id, values.customs)
    after = s.get(ca, action_id)
    _emit(s, after.object_type or "Note", "updated", action_id, after.contact_id, fields=values.names)
    if after.object_type == "Task" and before.completion_date is None and after.completion_date is not None:
        _emit(s, "Task", "completed", action_id, after.contact_id)


def _delete(s: AppSession, table: Table, action_id: int) -> None:
    ca = schema.contact_action
    row = s.get(ca, action_id)
    s.delete(ca, ca.c.id == action_id)
    custom_fields.delete_values(s, action_id, table.custom_form)
    if row is not None:
        _emit(s, row.object_type or "Note", "deleted", action_id, row.contact_id)


WRITER = Writer(("ContactAction",), _add, _update, _delete)


def add_note(s: AppSession, contact_id: int, data: dict) -> int:
    return _add(s, CONTACT_ACTION, check_values(s, CONTACT_ACTION, dict(data, ContactId=contact_id), "A"), "Note")


def add_task(s: AppSession, contact_id: int, data: dict) -> int:
    """A task (ContactAction with an ActionDate); completing it later emits ``task.completed``."""
    return add(s, "Task", dict(data, ContactId=contact_id))


def add_appointment(s: AppSession, contact_id: int, data: dict) -> int:
    return add(s, "Appointment", dict(data, ContactId=contact_id))


def add_action(s: AppSession, contact_id: int, data: dict, kind: str) -> int:
    """A note, task or appointment of ``kind`` for the contact (activity templates)."""
    return add(s, kind, dict(data, ContactId=contact_id))


# --- by kind (the REST resources) -------------------------------------------------------------------

def get(s: AppSession, kind: str, action_id: int):
    """The row of the note, task or appointment ``action_id``, or RecordNotFound."""
    ca = schema.contact_action
    row = s.execute(s.select(ca).where(ca.c.id == action_id, ca.c.object_type == kind)).first()
    if row is None:
        raise RecordNotFound(f"Unable to find this {kind}")
    return row


def add(s: AppSession, kind: str, data: dict, *, extra: dict | None = None) -> int:
    """Add a note, task or appointment from ContactAction fields (``ActionDescription`` …); ``extra`` holds
    store columns with no DataService field."""
    if kind == "Appointment":
        data = dict(data, IsAppointment=1)
    values = check_values(s, CONTACT_ACTION, data, "A")
    values.columns.update(extra or {})
    return _add(s, CONTACT_ACTION, values, kind)


def update(s: AppSession, kind: str, action_id: int, data: dict, *, extra: dict | None = None) -> None:
    """Change the named ContactAction fields; ``extra`` holds store columns with no DataService field."""
    get(s, kind, action_id)
    values = check_values(s, CONTACT_ACTION, data, "E")
    values.columns.update(extra or {})
    _update(s, CONTACT_ACTION, action_id, values)


def delete(s: AppSession, kind: str, action_id: int) -> None:
    get(s, kind, action_id)
    _delete(s, CONTACT_ACTION, action_id)


def delete_of_contact(s: AppSession, contact_id: int) -> None:
    """A deleted contact's notes, tasks and appointments go with it, each reported deleted."""
    ca = schema.contact_action
    rows = s.execute(s.select(ca, ca.c.id, ca.c.object_type).where(ca.c.contact_id == contact_id)
                     .order_by(ca.c.id)).all()
    if not rows:
        return
    s.delete(ca, ca.c.contact_id == contact_id)
    cv = schema.custom_value
    s.delete(cv, cv.c.record_id.in_([r.id for r in rows]),
             cv.c.field_id.in_(sa.select(schema.custom_field.c.id).where(
                 schema.custom_field.c.app_id == s.app.id,
                 schema.custom_field.c.form_id == CONTACT_ACTION.custom_form)))
    for r in rows:
        _emit(s, r.object_type or "Note", "deleted", r.id, contact_id)


def move_to_contact(s: AppSession, from_contact: int, to_contact: int) -> None:
    """A merge gives the kept contact the duplicate's notes, tasks and appointments."""
    ca = schema.contact_action
    rows = s.execute(s.select(ca, ca.c.id, ca.c.object_type).where(ca.c.contact_id == from_contact)
                     .order_by(ca.c.id)).all()
    if not rows:
        return
    s.update(ca, ca.c.contact_id == from_contact, contact_id=to_contact, last_updated=s.now_local())
    for r in rows:
        _emit(s, r.object_type or "Note", "updated", r.id, to_contact, fields=["ContactId"])


# --- reads for the protocols that page (REST v2) ------------------------------------------------------

class ActionRecord(NamedTuple):
    """A note, task or appointment (times are the app's local wall time, as every stored time)."""

    id: int
    kind: str
    contact_id: int | None
    opportunity_id: int | None
    user_id: int | None
    title: str | None  # ActionDescription
    text: str | None  # CreationNotes
    type: str | None  # ActionType
    priority: int | None
    accepted: bool
    created: datetime | None
    updated: datetime | None
    due: datetime | None  # ActionDate: a task's due time, an appointment's start
    end: datetime | None
    popup: datetime | None
    completed: datetime | None
    created_by: int | None
    updated_by: int | None
    location: str | None
    pinned: datetime | None


_ca = schema.contact_action
ACTION_FIELDS = listing.Fields(
    {"id": _ca.c.id, "contact_id": _ca.c.contact_id, "user_id": _ca.c.user_id,
     "opportunity_id": _ca.c.opportunity_id, "title": _ca.c.action_description, "priority": _ca.c.priority,
     "create_time": _ca.c.creation_date, "update_time": _ca.c.last_updated, "due_time": _ca.c.action_date,
     "end_time": _ca.c.end_date,
     "completed": sa.case((_ca.c.completion_date.is_(None), 0), else_=1),
     "has_due_date": sa.case((_ca.c.action_date.is_(None), 0), else_=1)},
    text=frozenset({"title"}))


def _action_record(row) -> ActionRecord:
    return ActionRecord(row.id, row.object_type, row.contact_id or None, row.opportunity_id or None,
                        row.user_id or None, row.action_description, row.creation_notes, row.action_type,
                        row.priority, bool(row.accepted), row.creation_date, row.last_updated, row.action_date,
                        row.end_date, row.popup_date, row.completion_date, row.created_by or None,
                        row.last_updated_by or None, row.location, row.pinned_at)


def find(s: AppSession, kind: str, action_id: int) -> ActionRecord | None:
    """The note, task or appointment ``action_id`` of ``kind``, or None."""
    row = s.execute(s.select(_ca).where(_ca.c.id == action_id, _ca.c.object_type == kind)).first()
    return None if row is None else _action_record(row)


def page_actions(s: AppSession, kind: str, q: listing.ListQuery) -> listing.Page[ActionRecord]:
    """Notes, tasks or appointments (``kind``) under ``q``'s conditions (ACTION_FIELDS and the custom fields of
    ContactAction, ``_Name``)."""
    fields = custom_fields.filterable(s, ACTION_FIELDS, FORM_CONTACT_ACTION, _ca, q.where)
    return listing.page(s, s.select(_ca).where(_ca.c.object_type == kind), fields, q, _action_record)


def set_pinned(s: AppSession, kind: str, action_id: int, pinned: bool) -> None:
    """Pin a note (REST v2's ``is_pinned``; no DataService field): the time it was pinned, or none."""
    current = get(s, kind, action_id)
    if bool(current.pinned_at) == pinned:
        return
    s.update(_ca, _ca.c.id == action_id, pinned_at=s.now_local() if pinned else None)
    _emit(s, kind, "updated", action_id, current.contact_id, fields=["pinned"])


class ActionUser(NamedTuple):
    """A user named on a note, task or appointment (assigned to it, or who created or changed it)."""

    id: int
    given_name: str | None
    family_name: str | None
    email: str | None


def users_of(s: AppSession, user_ids) -> dict[int, ActionUser]:
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    u = schema.user
    q = s.select(u, u.c.id, u.c.first_name, u.c.last_name, u.c.email).where(u.c.id.in_(ids))
    return {r.id: ActionUser(r.id, r.first_name, r.last_name, r.email) for r in s.execute(q)}


# --- reads for REST v1's lists (offset pages) ---------------------------------------------------------

# A ContactAction row as REST v1 reads it: every column by its store name (``action_description``,
# ``action_date`` …), the names REST v1's renderers use.
ActionRow = NamedTuple("ActionRow", [(col.name, Any) for col in _ca.c])
# REST v1's task orders, by name
ACTION_ORDERS = {"due_date": _ca.c.action_date, "creation_date": _ca.c.creation_date,
                 "modification_date": _ca.c.last_updated, "priority": _ca.c.priority, "id": _ca.c.id,
                 "title": _ca.c.action_description}


def _action_row(row) -> ActionRow:
    return ActionRow(*(row._mapping[col.name] for col in _ca.c))


@dataclass(frozen=True)
class ActionFilter:
    """Conditions of a list of notes, tasks or appointments; None: no condition. ``since``/``until`` bound
    the last change (app-local wall times; ``until`` takes in its whole second)."""

    contact_id: int | None = None
    user_id: int | None = None
    completed: bool | None = None
    has_due_date: bool | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list:
        out = []
        if self.contact_id is not None:
            out.append(_ca.c.contact_id == self.contact_id)
        if self.user_id is not None:
            out.append(_ca.c.user_id == self.user_id)
        if self.completed is not None:
            out.append(_ca.c.completion_date.is_not(None) if self.completed else _ca.c.completion_date.is_(None))
        if self.has_due_date is not None:
            out.append(_ca.c.action_date.is_not(None) if self.has_due_date else _ca.c.action_date.is_(None))
        if self.since is not None:
            out.append(_ca.c.last_updated >= self.since)
        if self.until is not None:
            out.append(_ca.c.last_updated < self.until + timedelta(seconds=1))
        return out


def slice_of(s: AppSession, kind: str, conditions: ActionFilter, *, limit: int, offset: int,
             order: str | None = None) -> tuple[list[ActionRow], int]:
    """A page of the notes, tasks or appointments (``kind``) under ``conditions``, and how many there are;
    ``order`` is one of ACTION_ORDERS (then id)."""
    base = s.select(_ca).where(_ca.c.object_type == kind, *conditions.where())
    total = s.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    ordered = [ACTION_ORDERS[order]] if order in ACTION_ORDERS else []
    rows = s.execute(base.order_by(*ordered, _ca.c.id).limit(limit).offset(offset)).all()
    return [_action_row(r) for r in rows], total


def by_ids(s: AppSession, kind: str, ids: list[int]) -> dict[int, ActionRow]:
    if not ids:
        return {}
    q = s.select(_ca).where(_ca.c.object_type == kind, _ca.c.id.in_(ids))
    return {r.id: _action_row(r) for r in s.execute(q)}
