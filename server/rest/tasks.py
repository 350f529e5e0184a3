"""/tasks: list (with ``sync_token``), search, sync, create, get, replace, patch, delete, the model. A task is
a ContactAction with a due date (ActionDate); creating one through here or DataService.add fires the same
``task.added`` event."""
from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, StrictBool, field_validator

from server.domain.crm import activities as domain
from server.domain.crm.activities import ActionFilter
from server.domain.session import AppSession
from server.tables import FORM_CONTACT_ACTION

from . import actions, custom, sync
from .api import Body, Int, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request
from .wire import DateTimeText, out_datetime

KIND = "Task"
REMIND = (5, 10, 15, 30, 60, 120, 240, 480, 1440, 2880)  # minutes [doc S1]


class ContactRef(Body):
    id: Int


class TaskBody(Body):
    title: str | None = Field(default=None, json_schema_extra={"type": "string", "minLength": 1})
    description: str | None = None
    type: str | None = None
    priority: Int | None = None
    completed: StrictBool | None = None
    completion_date: DateTimeText | None = None
    due_date: DateTimeText | None = None
    remind_time: Int | None = Field(None, json_schema_extra={"enum": sorted(REMIND)})
    url: str | None = None
    user_id: Int | None = None
    funnel_id: Int | None = None
    jgraph_id: Int | None = None
    contact: ContactRef | None = None

    @field_validator("remind_time")
    @classmethod
    def _remind(cls, value):
        if value is not None and value not in REMIND:
            raise ValueError(f"must be one of {', '.join(map(str, REMIND))} minutes")
        return value


class TaskShape(Shape):
    id: int
    title: str | None = None
    description: str | None = None
    type: str | None = None
    priority: int | None = None
    completed: bool | None = None
    completion_date: str | None = None
    creation_date: str | None = None
    modification_date: str | None = None
    due_date: str | None = None
    remind_time: int | None = None
    url: str | None = None
    user_id: int | None = None
    funnel_id: int | None = None
    jgraph_id: int | None = None
    contact: dict | None = None


TaskList = list_shape("TaskList", "tasks", TaskShape, sync_token=(str | None, None))


class TaskStatus(Shape):
    status: Literal["CREATED", "UPDATED", "DELETED"]
    task: dict


TaskStatusList = list_shape("TaskStatusList", "task_statuses", TaskStatus, sync_token=(str, ...))


class ListTasks(Paging):
    completed: bool | None = None
    contact_id: Int | None = None
    has_due_date: bool | None = None
    order: str | None = None
    since: DateTimeText | None = None
    until: DateTimeText | None = None
    user_id: Int | None = None


class SyncQuery(Paging):
    sync_token: str | None = None


def render(s: AppSession, rows) -> list[dict]:
    contacts = actions.contacts_of(s, rows)
    clock = s.clock
    return [{
        "id": r.id, "title": r.action_description, "description": r.creation_notes, "type": r.action_type,
        "priority": r.priority, "completed": r.completion_date is not None,
        "completion_date": out_datetime(r.completion_date, clock),
        "creation_date": out_datetime(r.creation_date, clock),
        "modification_date": out_datetime(r.last_updated, clock), "due_date": out_datetime(r.action_date, clock),
        "remind_time": actions.remind_minutes(r.action_date, r.popup_date), "url": None, "user_id": r.user_id,
        "funnel_id": None, "jgraph_id": None, "contact": contacts.get(r.contact_id),
    } for r in rows]


def load(s: AppSession, task_id: int) -> dict:
    return render(s, [domain.get(s, KIND, task_id)])[0]


def to_fields(s: AppSession, body: TaskBody, names: set[str], current=None) -> dict:
    data = {}
    simple = {"title": "ActionDescription", "description": "CreationNotes", "type": "ActionType",
              "priority": "Priority", "user_id": "UserID"}
    for prop, field in simple.items():
        if prop in names:
            data[field] = getattr(body, prop)
    if "user_id" in names:
        actions.require_user(s, body.user_id)
    if "contact" in names:
        actions.require_contact(s, body.contact.id if body.contact else None)
        data["ContactId"] = body.contact.id if body.contact else None
    due = actions.local(s, body.due_date) if "due_date" in names else (current.action_date if current else None)
    if "due_date" in names:
        if due is None:
            raise bad_request("due_date is required")
        data["ActionDate"] = due
    if "remind_time" in names or ("due_date" in names and current is not None and current.popup_date):
        minutes = body.remind_time if "remind_time" in names else actions.remind_minutes(current.action_date,
                                                                                      current.popup_date)
        data["PopupDate"] = None if minutes is None else due - _minutes(minutes)
    if "completion_date" in names:
        data["CompletionDate"] = actions.local(s, body.completion_date)
    elif "completed" in names:
        if body.completed and (current is None or current.completion_date is None):
            data["CompletionDate"] = s.now_local()
        elif body.completed is False:
            data["CompletionDate"] = None
    return data


def _minutes(n: int):

    return timedelta(minutes=n)


def _list(r: Request, *, mine: bool, path: str):
    q: ListTasks = r.query
    s = r.s
    token = sync.encode(s, sync.head(s))  # read first: the page below is at least as new as the token
    limit, offset = page(q)
    conditions = ActionFilter(contact_id=q.contact_id, user_id=s.user_id if mine else q.user_id,
                              completed=q.completed, has_due_date=q.has_due_date,
                              **actions.since_until(s, q.since, q.until))
    rows, total = domain.slice_of(s, KIND, conditions, limit=limit, offset=offset, order=(q.order or "").lower())
    carry = {"completed": q.completed, "contact_id": q.contact_id, "has_due_date": q.has_due_date, "order": q.order,
             "since": q.since, "until": q.until, "user_id": q.user_id}
    return envelope(r, "tasks", render(s, rows), total, limit, offset, path=path, carry=carry, sync_token=token)


@route("GET", "/tasks", summary="List tasks", tag="Task", query=ListTasks, response=TaskList)
def list_tasks(r: Request):
    return _list(r, mine=False, path="/tasks")


@route("GET", "/tasks/search", summary="Tasks of the authenticated user", tag="Task", query=ListTasks,
       response=TaskList)
def search_tasks(r: Request):
    return _list(r, mine=True, path="/tasks/search")


@route("GET", "/tasks/sync", summary="Tasks changed since a sync token", tag="Task", query=SyncQuery,
       response=TaskStatusList)
def sync_tasks(r: Request):
    return actions.sync_answer(r, kind=KIND, key="task_statuses", item_key="task", path="/tasks/sync",
                               render=render)


@route("POST", "/tasks", summary="Create a task", tag="Task", body=TaskBody, response=TaskShape)
def create_task(r: Request):
    body: TaskBody = r.body
    if not body.title:
        raise bad_request("title is required")  # Keap: title and due_date are required [doc S1]
    if not body.due_date:
        raise bad_request("due_date is required")
    data = to_fields(r.s, body, set(body.model_fields_set))
    return load(r.s, domain.add(r.s, KIND, data))  # 200, not 201 [doc S1]


@route("GET", "/tasks/model", summary="The task model", tag="Task", response=custom.ObjectModel)
def task_model(r: Request):
    return custom.model(r.s, FORM_CONTACT_ACTION, [])


@route("POST", "/tasks/model/customFields", summary="Create a task custom field", tag="Task",
       body=custom.CreateCustomField, response=custom.CustomFieldMeta, status=201)
def create_task_custom_field(r: Request):
    return custom.create(r.s, FORM_CONTACT_ACTION, r.body)


@route("GET", "/tasks/{taskId}", summary="Get a task", tag="Task", response=TaskShape)
def get_task(r: Request, taskId: int):
    return load(r.s, taskId)


@route("PUT", "/tasks/{taskId}", summary="Replace a task", tag="Task", body=TaskBody, response=TaskShape)
def replace_task(r: Request, taskId: int):
    current = domain.get(r.s, KIND, taskId)
    body: TaskBody = r.body
    if not body.title or not body.due_date:
        raise bad_request("title and due_date are required")
    names = set(TaskBody.model_fields) - {"url", "funnel_id", "jgraph_id"}
    domain.update(r.s, KIND, taskId, to_fields(r.s, body, names, current))
    return load(r.s, taskId)


@route("PATCH", "/tasks/{taskId}", summary="Update a task", tag="Task", body=TaskBody, response=TaskShape)
def patch_task(r: Request, taskId: int):
    current = domain.get(r.s, KIND, taskId)
    data = to_fields(r.s, r.body, set(r.body.model_fields_set), current)
    if "title" in data and not data["title"]:
        raise bad_request("title is required")
    if data:
        domain.update(r.s, KIND, taskId, data)
    return load(r.s, taskId)


@route("DELETE", "/tasks/{taskId}", summary="Delete a task", tag="Task", status=204)
def delete_task(r: Request, taskId: int):
    domain.delete(r.s, KIND, taskId)


