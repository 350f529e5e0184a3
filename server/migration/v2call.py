"""What a translation is made of (issue 19 §3): the v2 request an XML-RPC call becomes (``V2Call``), or the
steps it becomes where v2 needs more than one call (a tuple of them, a later step taking values of an earlier
step's answer with ``From``), the error for parameters that do not fit, reading a translated method's parameters
by index, and the pairs of values two answers must agree on (``record_pairs``: the XML-RPC record's fields and
where a v2 answer holds each)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime


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


@dataclass(frozen=True)
class From:
    """A value of an earlier step's answer, for a later step's path, query or body: the answer of ``step`` (0 is
    the first) at ``path`` (as ``dig``'s), passed through ``then`` when given (``then`` answers None when the
    answer holds nothing that fits, e.g. no order item of the product). ``what`` names it in messages."""

    step: int
    path: tuple = ()
    then: Callable | None = None
    what: str = ""

    def __str__(self) -> str:
        return f"{{step {self.step + 1}: {self.what or '.'.join(str(p) for p in self.path)}}}"

    def value(self, answers: list):
        found = dig(answers[self.step], self.path) if self.step < len(answers) else None
        if found is not None and self.then is not None:
            found = self.then(found)
        if found is None:
            raise Unresolved(f"step {self.step + 1}'s answer holds no "
                             f"{self.what or '.'.join(str(p) for p in self.path)}")
        return found


@dataclass(frozen=True)
class Now:
    """The time of the call on the caller's clock, RFC 3339 in UTC (a v2 request that needs it where XML-RPC
    takes the app's now): the compare tool's caller is the app, its clock the app clock."""

    def __str__(self) -> str:
        return "{now}"


def rfc3339(moment: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC, to the second."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


class Unresolved(LookupError):
    """A later step's value that an earlier step's answer does not hold (the message says which)."""


def steps(translated: V2Call | tuple) -> tuple[V2Call, ...]:
    """A translator's answer as its steps: one call, or the calls to make in order (the last answers the method)."""
    return translated if isinstance(translated, tuple) else (translated,)


def _fill(value, answers: list | None, strict: bool, now: str | None = None):
    if isinstance(value, Now):
        return str(value) if now is None else now
    if isinstance(value, From):
        if answers is None:
            return str(value)
        try:
            return value.value(answers)
        except Unresolved:
            if strict:
                raise
            return value
    if isinstance(value, dict):
        return {k: _fill(v, answers, strict, now) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, answers, strict, now) for v in value]
    return value


def resolve(call: V2Call, answers: list | None, strict: bool = True, now: str | None = None) -> V2Call:
    """``call`` with each ``From`` replaced by its value in ``answers`` (the earlier steps' JSON answers), or
    Unresolved (not ``strict``: the ``From`` kept), and ``Now`` by ``now``; with ``answers`` None, each by its
    name (``{step 1: orders.0.id}``, ``{now}``), to show a step unmade."""
    return replace(call, path=_fill(call.path, answers, strict, now), query=_fill(call.query, answers, strict, now),
                   body=_fill(call.body, answers, strict, now))


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


def flag(params: list, index: int, name: str) -> bool:
    value = params[index] if len(params) > index else None
    if value not in (True, False):  # an XML-RPC boolean, or 0 / 1
        raise CannotTranslate(f"params[{index}] ({name}) must be a boolean")
    return bool(value)


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
