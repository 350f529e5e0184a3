"""Custom field values on a v2 record (``custom_fields: [{"id": "12", "content": ...}]``), for the records whose
custom fields live on a DataService custom form (companies on the Company form; notes and tasks on the
ContactAction form). Reads list every field of the form, unset ones without ``content``; writes take the
fields by id and go through the record's own DataService write (``_Name`` values), so they are checked and
stored like XML-RPC's.
"""
from __future__ import annotations

from datetime import datetime

from server.domain.data import custom_fields
from server.domain.session import AppSession

from .errors import invalid_field
from .wire import out_time


def read(s: AppSession, form_id: int, record_ids: list[int]) -> dict[int, list[dict]]:
    fields = sorted(custom_fields.definitions(s, form_id).values(), key=lambda f: f.id)
    values = custom_fields.read_values(s, record_ids, fields)
    out = {}
    for record_id in record_ids:
        mine = values.get(record_id, {})
        out[record_id] = [{"id": str(f.id), "content": _content(s, mine.get(f.api_name))} for f in fields]
    return out


def _content(s: AppSession, value):
    return out_time(value, s.clock) if isinstance(value, datetime) else value


def to_fields(s: AppSession, form_id: int, items: list[dict], name: str = "custom_fields") -> dict:
    """``{_Name: content}`` for a write; an id that is no custom field of the form is a 400 naming it. An empty
    list clears every custom field of the record (the contract: "An empty array resets all custom fields")."""
    by_id = {str(f.id): f for f in custom_fields.definitions(s, form_id).values()}
    if not items:
        return {f.api_name: None for f in by_id.values()}
    out = {}
    for i, item in enumerate(items):
        field = by_id.get(str(item.get("id", "")))
        if field is None:
            raise invalid_field(f"{name}.{i}.id", f"no custom field has the id {item.get('id')!r}")
        content = item.get("content")
        if isinstance(content, (dict, list)):
            raise invalid_field(f"{name}.{i}.content", "must be a single value")
        out[field.api_name] = content
    return out
