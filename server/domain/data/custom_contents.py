"""A record's custom fields as REST v2 carries them: ``"custom_fields": [{"id": "<field id>", "content": <value>}]``
(the contract's ``CustomFieldValue``: the id a string, the content any JSON value; Keap: "Text custom field
values have a maximum length of 65535 characters").

Every family whose records have custom fields (contacts, companies, opportunities, notes and tasks, orders,
subscriptions, affiliates) reads and writes them here, over the values server.domain.data.custom_fields keeps
(the ones ``DataService`` reads as ``_Name``)::

    record["custom_fields"] = custom_contents.read(s, FORM_CONTACT, [contact_id])[contact_id]
    records.update(s, "Contact", contact_id, custom_contents.to_values(s, FORM_CONTACT, body["custom_fields"]))

Reading lists every field of the form in id order, an unset one with ``content`` None (the v1 answer's
form; REST v2 leaves the null out, so an unset field shows as ``{"id": "12"}``). Contents go out as numbers
for number fields (whole numbers, Year, YesNo 1/0, User ids; decimals, currency, percent), ``YYYY-MM-DD`` for
Date, RFC 3339 in UTC for DateTime (``2024-01-10T08:00:00Z``), else text (a ListBox's values comma-joined, as
stored). Writing checks each item (``InvalidContent`` names the property: ``custom_fields.1.content``): the id
must be a field of the form; content None or ``""`` clears the value; a DateTime without a zone is UTC (REST
v2's rule), a Date is a calendar day; Radio and Dropdown take one of the field's options when it has any,
ListBox a list of them (or comma-joined text); text is at most 65535 characters.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from server.clock import UTC, parse_datetime
from server.domain.errors import InvalidParameter
from server.store.session import AppSession
from server.tables import FieldType

from . import custom_forms
from .custom_fields import CustomField, definitions, read_values
from .values import coerce

TEXT_LENGTH = 65535
_DATE, _DATETIME, _LIST_BOX, _YES_NO = 13, 14, 17, 6
_ONE_OF = {20, 21}  # Radio, Dropdown


class InvalidContent(InvalidParameter):
    """A bad item of a record's ``custom_fields``; ``field`` is the property's path in the request."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"Invalid value for '{field}': {problem}")
        self.field = field


class Content(NamedTuple):
    field: CustomField
    value: object  # as stored: str, int, float or the app's local datetime; None when unset


def contents(s: AppSession, form_id: int, record_ids: list[int]) -> dict[int, list[Content]]:
    """Every field of the form for each record, in field id order."""
    fields = sorted(definitions(s, form_id).values(), key=lambda f: f.id)
    stored = read_values(s, record_ids, fields)
    return {r: [Content(f, stored.get(r, {}).get(f.api_name)) for f in fields] for r in record_ids}


def _out(s: AppSession, content: Content):
    value = content.value
    if isinstance(value, datetime):
        if content.field.data_type == _DATE:
            return value.strftime("%Y-%m-%d")
        return s.clock.to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def read(s: AppSession, form_id: int, record_ids: list[int]) -> dict[int, list[dict]]:
    """``{record id: [{"id": "<field id>", "content": value or None}, …]}``."""
    return {r: [{"id": str(c.field.id), "content": _out(s, c)} for c in items]
            for r, items in contents(s, form_id, record_ids).items()}


def to_values(s: AppSession, form_id: int, items: list, name: str = "custom_fields") -> dict[str, object]:
    """``{"_Name": stored value}`` for ``records.add``/``update`` from a request's ``custom_fields``."""
    if not isinstance(items, list):
        raise InvalidContent(name, "a list of {id, content} is expected")
    by_id = {str(f.id): f for f in definitions(s, form_id).values()}
    options = {f.id: f.options for f in custom_forms.fields(s, form_id)} if items else {}
    out: dict[str, object] = {}
    for i, item in enumerate(items):
        where = f"{name}.{i}"
        if not isinstance(item, dict):
            raise InvalidContent(where, "an object {id, content} is expected")
        field = by_id.get(str(item.get("id")).strip())
        if field is None:
            raise InvalidContent(f"{where}.id", f"no custom field {item.get('id')!r} on this record type")
        out[field.api_name] = _in(s, field, item.get("content"), options.get(field.id, ()), f"{where}.content")
    return out


def _in(s: AppSession, field: CustomField, value, options: tuple[str, ...], where: str):
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)) and not (field.data_type == _LIST_BOX and isinstance(value, list)):
        raise InvalidContent(where, "a text, number or boolean is expected")
    if field.data_type == _LIST_BOX:
        chosen = [str(v).strip() for v in (value if isinstance(value, list) else str(value).split(","))]
        _check_options(chosen, options, where)
        return ",".join(v for v in chosen if v) or None
    if field.data_type in _ONE_OF:
        _check_options([str(value)], options, where)
    if field.data_type == _YES_NO and isinstance(value, str) and value.strip().lower() in ("yes", "no"):
        value = value.strip().lower() == "yes"
    if field.data_type == _DATETIME and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is None:
            raise InvalidContent(where, f"{value!r} is not an ISO 8601 date-time")
        value = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        stored = coerce(value, field.type, s.clock, where)
    except InvalidParameter as exc:
        raise InvalidContent(where, exc.message) from None
    if field.type is FieldType.STRING and stored is not None and len(stored) > TEXT_LENGTH:
        raise InvalidContent(where, f"at most {TEXT_LENGTH} characters")
    if field.data_type == _DATE and isinstance(stored, datetime):
        stored = stored.replace(hour=0, minute=0, second=0)
    return stored


def _check_options(chosen: list[str], options: tuple[str, ...], where: str) -> None:
    if not options:
        return
    unknown = [v for v in chosen if v and v not in options]
    if unknown:
        raise InvalidContent(where, f"{unknown[0]!r} is not one of the field's options {list(options)}")
