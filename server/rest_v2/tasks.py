"""Tasks and task appointments (the contract's ``Task`` operations but the custom-field model ones, and the
SDK's ``TaskAppointments`` list).

A task is a ContactAction of ObjectType Task (a due date in ActionDate), an appointment one with IsAppointment
(ActionDate and EndDate its start and end): the rows DataService's ``ContactAction`` and REST v1's ``/tasks``
and ``/appointments`` read, written by the same domain operations (``task.added`` …, the REST hook
``task.add``; completing a task emits ``task.completed``). Wire rules of this family:
- ``assigned_to_user_id`` (required to create) is ContactAction.UserID and must be a user of the app;
  ``created_by_user_id`` is the calling user (an OAuth token's), else the assigned user (a key has none).
- ``priority``: ContactAction.Priority 1, 2, 3 as ``CRITICAL``, ``ESSENTIAL``, ``NONESSENTIAL`` (the mapping is
  unpublished; docs/divergences.md).
- ``completed: true`` completes the task now unless ``completion_time`` says when; ``false`` reopens it.
- ``remind_time_mins`` is never sent and cannot be set: the contract types it an integer whose enum lists
  strings, so no value is valid (docs/divergences.md).
"""
from __future__ import annotations

from server.domain.crm import activities as domain
from server.domain.data import records
from server.domain.data.listing import Condition
from server.domain.session import AppSession
from server.tables import FORM_CONTACT_ACTION

from . import activities
from .activities import Flag
from .api import Request, operation
from .custom_filters import with_custom_fields
from .errors import existing, invalid_field
from .filters import Id, Ids, Kind, Number, Since, Text, Time, Until
from .paging import Listing
from .wire import in_id, in_time, out_id, out_time

KIND = "Task"
PRIORITIES = {1: "CRITICAL", 2: "ESSENTIAL", 3: "NONESSENTIAL"}
_PRIORITY_OF = {name: number for number, name in PRIORITIES.items()}


class Priority(Kind):
    def parse(self, name, target, clause, clock):
        if clause.value not in _PRIORITY_OF:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not one of {', '.join(_PRIORITY_OF)}")
        return [Condition(target, "eq", _PRIORITY_OF[clause.value])]


TASKS = Listing(
    filters={"contact_id": Id(), "has_due_date": Flag(), "is_completed": Flag("completed"), "user_id": Id(),
             "opportunity_id": Id(), "task_ids": Ids("id"), "priority": Priority(),
             "since_time": Since("update_time"), "until_time": Until("update_time"), "id": Number(),
             "title": Text()},
    order_by={"id": "id", "create_time": "create_time", "due_time": "due_time", "update_time": "update_time"},
)
APPOINTMENTS = Listing(
    filters={"contact_id": Id(), "user_id": Id(), "start_time": Time("due_time"), "end_time": Time(),
             "create_time": Time(), "update_time": Time()},
    order_by={"start_time": "due_time", "end_time": "end_time", "create_time": "create_time",
              "update_time": "update_time"},
)
PROPERTIES = ("title", "description", "type", "priority", "completed", "completion_time", "due_time",
              "assigned_to_user_id", "contact_id", "opportunity_id", "accepted", "custom_fields")


# --- answers ------------------------------------------------------------------------------------------

def task_json(s: AppSession, t: domain.ActionRecord, customs: dict) -> dict:
    return {"id": out_id(t.id), "title": t.title, "description": t.text, "type": t.type,
            "priority": PRIORITIES.get(t.priority), "completed": t.completed is not None,
            "create_time": out_time(t.created, s.clock), "modification_time": out_time(t.updated, s.clock),
            "completion_time": out_time(t.completed, s.clock), "due_time": out_time(t.due, s.clock),
            "assigned_to_user_id": out_id(t.user_id), "created_by_user_id": out_id(t.created_by),
            "last_updated_by_user_id": out_id(t.updated_by), "contact_id": out_id(t.contact_id),
            "opportunity_id": out_id(t.opportunity_id), "accepted": t.accepted, "custom_fields": customs.get(t.id)}


def _answer(r: Request, tasks: list[domain.ActionRecord]) -> list[dict]:
    customs = activities.customs(r.s, "custom_fields" in r.fields(), [t.id for t in tasks])
    return [task_json(r.s, t, customs) for t in tasks]


def _task(s: AppSession, task_id: int) -> domain.ActionRecord:
    return existing(domain.find(s, KIND, task_id), "Task", task_id)


# --- the request's values -----------------------------------------------------------------------------

def _values(r: Request, changed: set[str], current: domain.ActionRecord | None = None) -> dict:
    """ContactAction fields for the task properties ``changed`` (a masked property absent from the body is
    cleared)."""
    body, s, values = r.body, r.s, {}
    for prop, field in (("title", "ActionDescription"), ("description", "CreationNotes"), ("type", "ActionType")):
        if prop in changed:
            values[field] = body.get(prop) or None
    if "priority" in changed:
        values["Priority"] = _PRIORITY_OF.get(body.get("priority"))
    if "assigned_to_user_id" in changed:
        values["UserID"] = activities.user_in_body(s, body.get("assigned_to_user_id"), "assigned_to_user_id")
    if "contact_id" in changed:
        values["ContactId"] = activities.contact_in_body(s, body["contact_id"]) if body.get("contact_id") else None
    if "opportunity_id" in changed:
        values["OpportunityId"] = _opportunity(s, body.get("opportunity_id"))
    if "due_time" in changed:
        values["ActionDate"] = in_time(body["due_time"], s.clock, "due_time") if body.get("due_time") else None
    if "accepted" in changed:
        values["Accepted"] = 1 if body.get("accepted") else 0
    if "completion_time" in changed and body.get("completion_time"):
        values["CompletionDate"] = in_time(body["completion_time"], s.clock, "completion_time")
    elif "completed" in changed or "completion_time" in changed:
        done = bool(body.get("completed"))
        already = current is not None and current.completed is not None
        values["CompletionDate"] = (current.completed if already else s.now_local()) if done else None
    if "custom_fields" in changed:
        values.update(activities.custom_fields_in(s, body.get("custom_fields") or []))
    return values


def _opportunity(s: AppSession, value) -> int | None:
    if not value:
        return None
    opportunity_id = in_id(value, "opportunity_id")
    if not records.count(s, "Lead", {"Id": opportunity_id}):
        raise invalid_field("opportunity_id", f"no opportunity has the id {value}")
    return opportunity_id


# --- tasks --------------------------------------------------------------------------------------------

@operation("listTasks")
def list_tasks(r: Request) -> dict:
    page = domain.page_actions(r.s, KIND, r.list_query(with_custom_fields(r, TASKS, FORM_CONTACT_ACTION)))
    return r.page("tasks", _answer(r, page.items), page)


@operation("createTask")
def create_task(r: Request) -> dict:
    values = _values(r, {p for p in PROPERTIES if p in r.body})
    if r.s.user_id is None:
        values["CreatedBy"] = values["UserID"]
    task_id = domain.add(r.s, KIND, values)
    return _answer(r, [_task(r.s, task_id)])[0]


@operation("getTask")
def get_task(r: Request, task_id: int) -> dict:
    return _answer(r, [_task(r.s, task_id)])[0]


@operation("updateTask")
def update_task(r: Request, task_id: int) -> dict:
    current = _task(r.s, task_id)
    mask = r.update_mask()
    changed = {p for p in PROPERTIES if p in r.body} if mask is None else set(mask) & set(PROPERTIES)
    values = _values(r, changed, current)
    if values:
        domain.update(r.s, KIND, task_id, values)
    return _answer(r, [_task(r.s, task_id)])[0]


@operation("deleteTask")
def delete_task(r: Request, task_id: int) -> None:
    _task(r.s, task_id)
    domain.delete(r.s, KIND, task_id)


# --- task appointments --------------------------------------------------------------------------------

@operation("listAppointments")
def list_appointments(r: Request) -> dict:
    q = r.list_query(with_custom_fields(r, APPOINTMENTS, FORM_CONTACT_ACTION))
    page = domain.page_actions(r.s, "Appointment", q)
    items = [{"id": out_id(a.id), "title": a.title, "description": a.text, "location": a.location,
              "contact_id": out_id(a.contact_id), "user_id": out_id(a.user_id),
              "start_time": out_time(a.due, r.s.clock), "end_time": out_time(a.end, r.s.clock),
              "create_time": out_time(a.created, r.s.clock), "update_time": out_time(a.updated, r.s.clock)}
             for a in page.items]
    return r.page("taskAppointments", items, page)
