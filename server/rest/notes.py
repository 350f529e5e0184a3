"""/notes: list, create, get, replace, patch, delete, the model. A note is a ContactAction without a due date;
``note.added`` fires whichever protocol made it."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.domain.crm import activities as domain
from server.domain.crm.activities import ActionFilter
from server.domain.session import AppSession
from server.tables import FORM_CONTACT_ACTION

from . import actions, custom
from .api import Body, Int, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request
from .wire import out_datetime

KIND = "Note"
NoteType = Literal["Appointment", "Call", "Email", "Fax", "Letter", "Other"]


class NoteBody(Body):
    contact_id: Int | None = Field(default=None, json_schema_extra={"type": "integer"})  # never null
    title: str | None = None
    body: str | None = None
    type: NoteType | None = None
    user_id: Int | None = None


class NoteShape(Shape):
    id: int
    title: str | None = None
    body: str | None = None
    type: str | None = None
    contact_id: int | None = None
    user_id: int | None = None
    date_created: str | None = None
    last_updated: str | None = None
    last_updated_by: dict | None = None


NoteList = list_shape("NoteList", "notes", NoteShape)


class ListNotes(Paging):
    contact_id: Int | None = None
    user_id: Int | None = None


def render(s: AppSession, rows) -> list[dict]:
    users = actions.users_of(s, [r.last_updated_by or r.created_by for r in rows])
    clock = s.clock
    return [{"id": r.id, "title": r.action_description, "body": r.creation_notes, "type": r.action_type,
             "contact_id": r.contact_id, "user_id": r.user_id, "date_created": out_datetime(r.creation_date, clock),
             "last_updated": out_datetime(r.last_updated, clock),
             "last_updated_by": users.get(r.last_updated_by or r.created_by)} for r in rows]


def load(s: AppSession, note_id: int) -> dict:
    return render(s, [domain.get(s, KIND, note_id)])[0]


def to_fields(s: AppSession, body: NoteBody, names: set[str]) -> dict:
    fields = {"contact_id": "ContactId", "title": "ActionDescription", "body": "CreationNotes",
              "type": "ActionType", "user_id": "UserID"}
    if "contact_id" in names:
        if body.contact_id is None:
            raise bad_request("contact_id is required")
        actions.require_contact(s, body.contact_id)
    if "user_id" in names:
        actions.require_user(s, body.user_id)
    return {fields[n]: getattr(body, n) for n in names if n in fields}


def _check_create(body: NoteBody) -> None:
    if body.contact_id is None:
        raise bad_request("contact_id is required")  # RequestNote: contact_id required; title or body [doc S1]
    if not body.title and not body.body:
        raise bad_request("A note needs a title or a body")


@route("GET", "/notes", summary="List notes", tag="Note", query=ListNotes, response=NoteList)
def list_notes(r: Request):
    q: ListNotes = r.query
    limit, offset = page(q)
    rows, total = domain.slice_of(r.s, KIND, ActionFilter(contact_id=q.contact_id, user_id=q.user_id), limit=limit,
                                 offset=offset)
    return envelope(r, "notes", render(r.s, rows), total, limit, offset, path="/notes",
                    carry={"contact_id": q.contact_id, "user_id": q.user_id})


@route("POST", "/notes", summary="Create a note", tag="Note", body=NoteBody, response=NoteShape, status=201)
def create_note(r: Request):
    _check_create(r.body)
    return load(r.s, domain.add(r.s, KIND, to_fields(r.s, r.body, set(r.body.model_fields_set))))


@route("GET", "/notes/model", summary="The note model", tag="Note", response=custom.ObjectModel)
def note_model(r: Request):
    return custom.model(r.s, FORM_CONTACT_ACTION, [])


@route("POST", "/notes/model/customFields", summary="Create a note custom field", tag="Note",
       body=custom.CreateCustomField, response=custom.CustomFieldMeta, status=201)
def create_note_custom_field(r: Request):
    return custom.create(r.s, FORM_CONTACT_ACTION, r.body)


@route("GET", "/notes/{noteId}", summary="Get a note", tag="Note", response=NoteShape)
def get_note(r: Request, noteId: int):
    return load(r.s, noteId)


@route("PUT", "/notes/{noteId}", summary="Replace a note", tag="Note", body=NoteBody, response=NoteShape)
def replace_note(r: Request, noteId: int):
    domain.get(r.s, KIND, noteId)
    _check_create(r.body)
    domain.update(r.s, KIND, noteId, to_fields(r.s, r.body, set(NoteBody.model_fields)))
    return load(r.s, noteId)


@route("PATCH", "/notes/{noteId}", summary="Update a note", tag="Note", body=NoteBody, response=NoteShape)
def patch_note(r: Request, noteId: int):
    domain.get(r.s, KIND, noteId)
    data = to_fields(r.s, r.body, set(r.body.model_fields_set))
    if data:
        domain.update(r.s, KIND, noteId, data)
    return load(r.s, noteId)


@route("DELETE", "/notes/{noteId}", summary="Delete a note", tag="Note", status=204)
def delete_note(r: Request, noteId: int):
    domain.delete(r.s, KIND, noteId)
