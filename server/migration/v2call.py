"""What a translation is made of (issue 19 §3): the v2 request an XML-RPC call becomes (``V2Call``), the error
for parameters that do not fit, reading a translated method's parameters by index, and the pairs of values two
answers must agree on (``record_pairs``: the XML-RPC record's fields and where a v2 answer holds each)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class CannotTranslate(ValueError):
    """The parameters do not fit the method's translation (the message says which)."""


# XML-RPC Contact fields and where a v2 contact holds them (a path into the v2 JSON)
CONTACT_FIELDS: dict[str, tuple] = {
    "Id": ("id",),
    "FirstName": ("given_name",),
    "LastName": ("family_name",),
    "Email": ("email_addresses", 0, "email"),
    "JobTitle": ("job_title",),
    "Company": ("company", "company_name"),
}


@dataclass(frozen=True)
class V2Call:
    operation_id: str
    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    body: dict | None = None  # a JSON body; or, for a multipart/form-data operation, the text parts, ...
    files: dict | None = None  # ... and the file parts: name -> (file name, bytes)
    fields: dict = field(default_factory=lambda: CONTACT_FIELDS)  # the record's fields, compared in the answers
    items: str = "contacts"  # the key of a v2 list answer holding the records


class After(list):
    """The parameters after the first ``offset`` (DataService's table name): messages name the call's own index."""

    def __init__(self, params: list, offset: int):
        super().__init__(params[offset:])
        self.offset = offset


def arg(params: list, index: int, kind: type, name: str):
    where = index + getattr(params, "offset", 0)
    if len(params) <= index:
        raise CannotTranslate(f"params[{where}] ({name}) is missing")
    value = params[index]
    if kind is int and isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CannotTranslate(f"params[{where}] ({name}) must be {'an integer' if kind is int else kind.__name__}")
    return value


def utc_time(value, where: str) -> str:
    """An XML-RPC date (a datetime, or ISO 8601 text) as RFC 3339, read as UTC (the translation knows no zone)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.removesuffix("Z")).isoformat(timespec="seconds") + "Z"
        except ValueError:
            pass
    raise CannotTranslate(f"{where} must be a date (ISO 8601)")


def dig(value, path: tuple):
    for part in path:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and len(value) > part else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def record_pairs(fields: dict, xmlrpc_result, v2_result, items: str = "contacts") -> list[tuple[str, object, object]]:
    """(field, XML-RPC value, v2 value) for each of ``fields`` both answers hold (the first record of a list)."""
    x = xmlrpc_result[0] if isinstance(xmlrpc_result, list) and xmlrpc_result else xmlrpc_result
    v = v2_result
    if isinstance(v, dict) and isinstance(v.get(items), list):
        v = v[items][0] if v[items] else None
    if not isinstance(x, dict) or not isinstance(v, dict):
        return []
    return [(name, x[name], dig(v, path)) for name, path in fields.items()
            if name in x and dig(v, path) is not None]
