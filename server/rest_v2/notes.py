"""Notes (the contract's ``Note`` operations but the custom-field model ones): a contact's notes (list, get,
create, update, delete), every note (``GET /notes``), and the note templates.

A note is a ContactAction without a due date (server.domain.crm.activities): the row DataService's
``ContactAction`` and REST v1's ``/notes`` read, written by the same domain operations, so ``note.added`` (the
REST hook ``note.add``) fires whichever protocol made it. Wire rules of this family:
- ``user_id`` (required by the contract) is the user the note is assigned to (ContactAction.UserID) and, on
  create, who created it (CreatedBy); it must be a user of the app. ``title`` or ``type`` is required.
- ``is_pinned`` pins the note (``pinned_at`` is when; no DataService field shows it).
- Under ``/contacts/{contact_id}/notes`` a note of another contact is not found (404).
- ``title==x`` finds ``x`` anywhere in the title (the contract: "Bare value matches anywhere"); ``x*`` a prefix.
- Note templates are the activity templates of kind Note (ContactService.getActivityHistoryTemplateMap).
"""
from __future__ import annotations

from dataclasses import replace

from server.domain.crm import activities as domain
from server.domain.crm import activity_templates
from server.domain.data.listing import Condition
from server.domain.session import AppSession
from server.tables import FORM_CONTACT_ACTION

from . import activities
from .activities import Contains
from .api import Request, operation
from .custom_filters import with_custom_fields
from .errors import invalid_field, not_found
from .filters import Id, Ids, Number, Since, Text, Until
from .paging import Listing
from .wire import out_id, out_time

KIND = "Note"
NOTES = Listing(
    filters={"id": Number(), "ids": Ids("id"), "title": Contains(), "contact_id": Id(),
             "assigned_to_user_id": Id("user_id"), "since_time": Since("update_time"),
             "until_time": Until("update_time")},
    order_by={"id": "id", "create_time": "create_time", "update_time": "update_time"},
)
TEMPLATES = Listing(filters={"title": Text(), "action_type": Text()}, order_by={"id": "id", "title": "title"})
PROPERTIES = ("contact_id", "title", "text", "type", "user_id", "is_pinned", "custom_fields")


def note_json(s: AppSession, n: domain.ActionRecord, users: dict, customs: dict) -> dict:
    return {"id": out_id(n.id), "title": n.title, "text": n.text, "type": n.type, "contact_id": out_id(n.contact_id),
            "assigned_to_user": activities.basic_user(users.get(n.user_id)),
            "create_time": out_time(n.created, s.clock), "update_time": out_time(n.updated, s.clock),
            "created_by_user_id": out_id(n.created_by), "last_updated_by_user_id": out_id(n.updated_by),
            "pinned_at": out_time(n.pinned, s.clock), "custom_fields": customs.get(n.id)}


def _answer(r: Request, notes: list[domain.ActionRecord]) -> list[dict]:
    users = domain.users_of(r.s, [n.user_id for n in notes])
    customs = activities.customs(r.s, "custom_fields" in r.fields(), [n.id for n in notes])
    return [note_json(r.s, n, users, customs) for n in notes]


def _note(s: AppSession, contact_id: int, note_id: int) -> domain.ActionRecord:
    found = domain.find(s, KIND, note_id)
    if found is None or found.contact_id != contact_id:
        raise not_found("Note", note_id)
    return found


def _values(r: Request, changed: set[str]) -> dict:
    """ContactAction fields for the note properties ``changed`` (a masked property absent from the body is
    cleared)."""
    body, values = r.body, {}
    if "contact_id" in changed:
        values["ContactId"] = activities.contact_in_body(r.s, body.get("contact_id"))
    if "user_id" in changed:
        values["UserID"] = activities.user_in_body(r.s, body.get("user_id"), "user_id")
    for prop, field in (("title", "ActionDescription"), ("text", "CreationNotes"), ("type", "ActionType")):
        if prop in changed:
            values[field] = body.get(prop) or None
    if "custom_fields" in changed:
        values.update(activities.custom_fields_in(r.s, body.get("custom_fields") or []))
    return values


def _list(r: Request, contact_id: int | None) -> dict:
    q = r.list_query(with_custom_fields(r, NOTES, FORM_CONTACT_ACTION))
    if contact_id is not None:
        q = replace(q, where=(*q.where, Condition("contact_id", "eq", contact_id)))
    page = domain.page_actions(r.s, KIND, q)
    return r.page("notes", _answer(r, page.items), page)


@operation("listNotes")
def list_notes(r: Request, contact_id: int) -> dict:
    activities.require_contact(r.s, contact_id)
    return _list(r, contact_id)


@operation("listAllNotes")
def list_all_notes(r: Request) -> dict:
    return _list(r, None)


@operation("createNote")
def create_note(r: Request, contact_id: int) -> dict:
    activities.require_contact(r.s, contact_id)
    if not r.body.get("title") and not r.body.get("type"):
        raise invalid_field("title", "a title or a type is required")
    values = _values(r, {p for p in PROPERTIES if p in r.body} - {"contact_id", "is_pinned"})
    values.update(ContactId=contact_id, CreatedBy=values["UserID"])
    note_id = domain.add(r.s, KIND, values)
    if r.body.get("is_pinned"):
        domain.set_pinned(r.s, KIND, note_id, True)
    return _answer(r, [domain.find(r.s, KIND, note_id)])[0]


@operation("getNote")
def get_note(r: Request, contact_id: int, note_id: int) -> dict:
    return _answer(r, [_note(r.s, contact_id, note_id)])[0]


@operation("updateNote")
def update_note(r: Request, contact_id: int, note_id: int) -> dict:
    _note(r.s, contact_id, note_id)
    mask = r.update_mask()
    changed = {p for p in PROPERTIES if p in r.body} if mask is None else set(mask)
    values = _values(r, changed - {"is_pinned"})
    if values:
        domain.update(r.s, KIND, note_id, values)
    if "is_pinned" in changed:
        domain.set_pinned(r.s, KIND, note_id, bool(r.body.get("is_pinned")))
    return _answer(r, [domain.find(r.s, KIND, note_id)])[0]


@operation("deleteNote")
def delete_note(r: Request, contact_id: int, note_id: int) -> None:
    _note(r.s, contact_id, note_id)
    domain.delete(r.s, KIND, note_id)


@operation("listNoteTemplates")
def list_note_templates(r: Request) -> dict:
    page = activity_templates.page_templates(r.s, KIND, r.list_query(TEMPLATES))
    items = [{"id": out_id(t.id), "title": t.name, "description": t.description, "action_type": t.action_type}
             for t in page.items]
    return r.page("note_templates", items, page)
