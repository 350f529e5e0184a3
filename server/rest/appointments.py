"""/appointments: list (with ``sync_token``), sync, create, get, replace, patch, delete, the model. An
appointment is a ContactAction with IsAppointment set; ActionDate and EndDate are its start and end."""
from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from server.domain.crm import activities as domain
from server.domain.crm.activities import ActionFilter
from server.domain.session import AppSession
from server.tables import FORM_CONTACT_ACTION

from . import actions, custom, sync
from .api import Body, Int, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request
from .wire import DateTimeText, out_datetime

KIND = "Appointment"


# a reminder at most a year before the start (the real limit is unrecorded: docs/divergences.md)
REMIND_MAX = 525_600

class AppointmentBody(Body):
    title: str | None = Field(default=None, json_schema_extra={"type": "string", "minLength": 1})
    description: str | None = None
    location: str | None = None
    start_date: DateTimeText | None = None
    end_date: DateTimeText | None = None
    remind_time: Int | None = Field(None, json_schema_extra={"minimum": 0, "maximum": REMIND_MAX})
    contact_id: Int | None = None
    user: Int | None = None  # a user id [doc S1]

    @field_validator("remind_time")
    @classmethod
    def _remind(cls, value):
        if value is not None and value < 0:
            raise ValueError("must not be negative")
        if value is not None and value > REMIND_MAX:
            raise ValueError(f"must be at most {REMIND_MAX} minutes (a year)")
        return value


class AppointmentShape(Shape):
    id: int
    title: str | None = None
    description: str | None = None
    location: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    remind_time: int | None = None
    contact_id: int | None = None
    user: int | None = None


AppointmentList = list_shape("AppointmentList", "appointments", AppointmentShape, sync_token=(str | None, None))


class AppointmentStatus(Shape):
    status: Literal["CREATED", "UPDATED", "DELETED"]
    appointment: dict


AppointmentStatusList = list_shape("AppointmentStatusList", "appointment_statuses", AppointmentStatus,
                                   sync_token=(str, ...))


class ListAppointments(Paging):
    contact_id: Int | None = None
    since: DateTimeText | None = None
    until: DateTimeText | None = None


class SyncQuery(Paging):
    sync_token: str | None = None


def render(s: AppSession, rows) -> list[dict]:
    clock = s.clock
    return [{"id": r.id, "title": r.action_description, "description": r.creation_notes, "location": r.location,
             "start_date": out_datetime(r.action_date, clock), "end_date": out_datetime(r.end_date, clock),
             "remind_time": actions.remind_minutes(r.action_date, r.popup_date), "contact_id": r.contact_id,
             "user": r.user_id} for r in rows]


def load(s: AppSession, appointment_id: int) -> dict:
    return render(s, [domain.get(s, KIND, appointment_id)])[0]


def to_fields(s: AppSession, body: AppointmentBody, names: set[str], current=None) -> tuple[dict, dict]:
    """ContactAction fields, and the store columns without a DataService field (location)."""
    data = {}
    fields = {"title": "ActionDescription", "description": "CreationNotes", "contact_id": "ContactId",
              "user": "UserID"}
    for prop, field in fields.items():
        if prop in names:
            data[field] = getattr(body, prop)
    if "contact_id" in names:
        actions.require_contact(s, body.contact_id)
    if "user" in names:
        actions.require_user(s, body.user)
    start = actions.local(s, body.start_date) if "start_date" in names else (current.action_date if current else None)
    end = actions.local(s, body.end_date) if "end_date" in names else (current.end_date if current else None)
    if "start_date" in names:
        data["ActionDate"] = start
    if "end_date" in names:
        data["EndDate"] = end
    if start is None or end is None:
        raise bad_request("start_date and end_date are required")
    if end < start:
        raise bad_request("end_date must not be before start_date")
    if "remind_time" in names or ("start_date" in names and current is not None and current.popup_date):

        minutes = body.remind_time if "remind_time" in names else actions.remind_minutes(current.action_date,
                                                                                      current.popup_date)
        data["PopupDate"] = None if minutes is None else start - timedelta(minutes=minutes)
    extra = {"location": body.location} if "location" in names else {}
    return data, extra


@route("GET", "/appointments", summary="List appointments", tag="Appointment", query=ListAppointments,
       response=AppointmentList)
def list_appointments(r: Request):
    q: ListAppointments = r.query
    s = r.s
    token = sync.encode(s, sync.head(s))
    limit, offset = page(q)
    conditions = ActionFilter(contact_id=q.contact_id, **actions.since_until(s, q.since, q.until))
    rows, total = domain.slice_of(s, KIND, conditions, limit=limit, offset=offset)
    return envelope(r, "appointments", render(s, rows), total, limit, offset, path="/appointments",
                    carry={"contact_id": q.contact_id, "since": q.since, "until": q.until}, sync_token=token)


@route("GET", "/appointments/sync", summary="Appointments changed since a sync token", tag="Appointment",
       query=SyncQuery, response=AppointmentStatusList)
def sync_appointments(r: Request):
    return actions.sync_answer(r, kind=KIND, key="appointment_statuses", item_key="appointment",
                               path="/appointments/sync", render=render)


@route("POST", "/appointments", summary="Create an appointment", tag="Appointment", body=AppointmentBody,
       response=AppointmentShape, status=201)
def create_appointment(r: Request):
    body: AppointmentBody = r.body
    if not body.title:
        raise bad_request("title is required")  # title, start_date and end_date are required [doc S1]
    data, extra = to_fields(r.s, body, set(body.model_fields_set))
    return load(r.s, domain.add(r.s, KIND, data, extra=extra))


@route("GET", "/appointments/model", summary="The appointment model", tag="Appointment",
       response=custom.ObjectModel)
def appointment_model(r: Request):
    return custom.model(r.s, FORM_CONTACT_ACTION, [])


@route("POST", "/appointments/model/customFields", summary="Create an appointment custom field",
       tag="Appointment", body=custom.CreateCustomField, response=custom.CustomFieldMeta, status=201)
def create_appointment_custom_field(r: Request):
    return custom.create(r.s, FORM_CONTACT_ACTION, r.body)


@route("GET", "/appointments/{appointmentId}", summary="Get an appointment", tag="Appointment",
       response=AppointmentShape)
def get_appointment(r: Request, appointmentId: int):
    return load(r.s, appointmentId)


@route("PUT", "/appointments/{appointmentId}", summary="Replace an appointment", tag="Appointment",
       body=AppointmentBody, response=AppointmentShape)
def replace_appointment(r: Request, appointmentId: int):
    current = domain.get(r.s, KIND, appointmentId)
    if not r.body.title:
        raise bad_request("title is required")
    data, extra = to_fields(r.s, r.body, set(AppointmentBody.model_fields), current)
    domain.update(r.s, KIND, appointmentId, data, extra=extra)
    return load(r.s, appointmentId)


@route("PATCH", "/appointments/{appointmentId}", summary="Update an appointment", tag="Appointment",
       body=AppointmentBody, response=AppointmentShape)
def patch_appointment(r: Request, appointmentId: int):
    current = domain.get(r.s, KIND, appointmentId)
    names = set(r.body.model_fields_set)
    if "title" in names and not r.body.title:
        raise bad_request("title is required")
    data, extra = to_fields(r.s, r.body, names, current)
    if data or extra:
        domain.update(r.s, KIND, appointmentId, data, extra=extra)
    return load(r.s, appointmentId)


@route("DELETE", "/appointments/{appointmentId}", summary="Delete an appointment", tag="Appointment",
       status=204)
def delete_appointment(r: Request, appointmentId: int):
    domain.delete(r.s, KIND, appointmentId)
