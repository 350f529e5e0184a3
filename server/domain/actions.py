"""Notes, tasks and appointments: rows of ContactAction, told apart by ObjectType."""
from __future__ import annotations

from server.store import schema
from server.store.session import AppSession
from server.tables import REGISTRY, Table

from .records import PLAIN, Values, Writer, check_values, writer

CONTACT_ACTION = REGISTRY.get("ContactAction")


def object_type(row: dict) -> str:
    if row.get("is_appointment"):
        return "Appointment"
    if row.get("action_date") is not None:
        return "Task"
    return "Note"


def _add(s: AppSession, table: Table, values: Values, kind: str | None = None) -> int:
    row = dict(values.columns)
    if row.get("creation_date") is None:
        row["creation_date"] = s.now_local()
    row["object_type"] = kind or object_type(row)
    action_id = PLAIN.add(s, table, Values(row, values.customs, values.names))
    s.emit(f"{row['object_type'].lower()}.added", "contact", row.get("contact_id"), action_id=action_id,
           action_type=row.get("action_type"), description=row.get("action_description"))
    return action_id


def _update(s: AppSession, table: Table, action_id: int, values: Values) -> None:
    before = s.get(schema.contact_action, action_id)
    PLAIN.update(s, table, action_id, values)
    after = s.get(schema.contact_action, action_id)
    if after.object_type == "Task" and before.completion_date is None and after.completion_date is not None:
        s.emit("task.completed", "contact", after.contact_id, action_id=action_id)


writer("ContactAction")(Writer(_add, _update, PLAIN.delete))


def add_note(s: AppSession, contact_id: int, data: dict) -> int:
    return _add(s, CONTACT_ACTION, check_values(s, CONTACT_ACTION, dict(data, ContactId=contact_id), "A"), "Note")


def add_task(s: AppSession, contact_id: int, data: dict) -> int:
    """A task (ContactAction with an ActionDate); completing it later emits ``task.completed``."""
    return _add(s, CONTACT_ACTION, check_values(s, CONTACT_ACTION, dict(data, ContactId=contact_id), "A"), "Task")


def add_appointment(s: AppSession, contact_id: int, data: dict) -> int:
    values = dict(data, ContactId=contact_id, IsAppointment=1)
    return _add(s, CONTACT_ACTION, check_values(s, CONTACT_ACTION, values, "A"), "Appointment")
def add_action(s: AppSession, contact_id: int, data: dict, kind: str) -> int:
    """A note, task or appointment of ``kind`` for the contact (activity templates)."""
    return _add(s, CONTACT_ACTION, check_values(s, CONTACT_ACTION, dict(data, ContactId=contact_id), "A"), kind)
