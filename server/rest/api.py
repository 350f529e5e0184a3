"""The REST v1 route table: each operation declared once, with the pydantic models of its query, body and
answer. The same declaration makes the Flask route, validates the request and writes the OpenAPI document
(server.rest.openapi), so what is documented is what is checked. ``@route`` only marks its function;
server.rest ``install`` adds the marked operations of its modules to the registry, and ``blueprint`` makes an
application's routes from them.

A request goes: the Google front end's rule (no body on a GET) → the gateway (``Gate.admit``: credentials,
quotas, their headers) → query and body validation → one transaction on the app → the operation, which
calls the domain like XML-RPC does → the JSON answer with the gateway's headers. Errors of every layer are
answered in server.rest.errors.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Annotated, Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, create_model

from server import json_input
from server.auth.gateway import GatewayRejection
from server.domain.session import AppSession
from server.faults import http as faults
from server.faults.names import REST_V1
from server.gate import GATEWAY, Call
from server.journal import entry
from server.tables import INT_MAX, INT_MIN

from . import errors
from .front import PREFIX
from .wire import not_a_boolean, split_list

# A number in a request: not a boolean either (pydantic would read true as 1.0).
Number = Annotated[float, BeforeValidator(not_a_boolean)]
# A price or amount: 0 or more, under a trillion (the twelve whole digits of an amount the spec types as a string,
# server.rest.wire.Amount); the bounds in the type, where the OpenAPI document sees them too.
NonNegative = Annotated[float, Field(ge=0, lt=1e12), BeforeValidator(not_a_boolean)]

# Integers in requests: ids and counts fit the store's 32-bit integer columns; anything larger is a 400.
Int = Annotated[int, Field(ge=INT_MIN, le=INT_MAX), BeforeValidator(not_a_boolean)]


class Body(BaseModel):
    """A request body: unknown properties are refused with a 400, as the real service does."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Query(BaseModel):
    """Query parameters: unknown ones are ignored (clients send extras, spec clients.md §6)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Shape(BaseModel):
    """An answer's shape, for the OpenAPI document only (answers are built as plain dicts)."""

    model_config = ConfigDict(extra="allow")


def list_shape(name: str, key: str, item, **extra) -> type[Shape]:
    """The shape of a list answer, ``{<key>: [item], count, next, previous}`` (what ``envelope`` builds), declared
    once for every list instead of a class per list; ``extra`` adds fields as ``name=(type, default)``."""
    return create_model(name, __base__=Shape, **{key: (list[item], ...), "count": (int, ...),
                                                  "next": (str | None, None), "previous": (str | None, None)},
                        **extra)


# documented with minimum 0; a negative value gets the operation's own message ("limit and offset must not be
# negative"), not pydantic's
Count = Annotated[int, Field(ge=INT_MIN, le=INT_MAX, json_schema_extra={"minimum": 0}), BeforeValidator(not_a_boolean)]


class Paging(Query):
    limit: Count | None = None
    offset: Count | None = None



def offering(offered: list[str]):
    """The type of an operation's ``optional_properties`` query parameter: names from ``offered``, documented as
    such (``wanted`` refuses any other)."""
    # an empty entry (``optional_properties=``, ``a,,b``) is ignored, so the document admits it too
    return Annotated[list[str], WithJsonSchema({"type": "array", "items": {"type": "string", "enum": [*offered, ""]}})]


def asked_for(requested: list[str] | None, offered: list[str]) -> set[str]:
    """The optional properties asked for; an unknown name is the real 400 ("status unrecorded; 400 assumed" [S27])."""
    extra = set(requested or [])
    unknown = sorted(extra - set(offered))
    if unknown:
        raise errors.bad_request(f"The following optional-properties are unrecognized: {', '.join(unknown)}")
    return extra

@dataclass
class Reply:
    body: Any = None
    status: int | None = None


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI form: /contacts/{contactId}
    func: Callable
    summary: str
    tag: str
    query: type[Query] | None = None
    body: type[BaseModel] | None = None
    response: Any = None  # a Shape class, list[Shape], a JSON schema dict, or None (no content)
    status: int = 200
    writes: bool = False
    transaction: bool = True  # False: the operation opens its own (REST hook handshakes happen between two)
    path_types: dict[str, type] = field(default_factory=dict)
    deprecated: bool = False
    errors: tuple[int, ...] = (400, 401, 403, 404)
    headers: tuple[str, ...] = ()  # request headers the operation requires (a 400 naming the first one missing)

    @property
    def operation_id(self) -> str:
        return self.func.__name__


@dataclass
class Request:
    """What an operation gets: the app's session, and the parsed path, query and body."""

    call: Call
    path: dict
    query: Any
    body: Any
    raw_body: Any
    s: AppSession | None = None

    @property
    def base_url(self) -> str:
        return request.host_url.rstrip("/") + PREFIX

    def url(self, path: str) -> str:
        return self.base_url + path

    @contextlib.contextmanager
    def session(self, *, write: bool) -> Iterator[AppSession]:
        """A transaction on the app (for operations declared ``transaction=False``)."""
        env = current_app.extensions["sandbox"].env
        with _transaction(env.engine, write) as conn:
            yield env.session(conn, self.call.app, self.call.credential.user_id if self.call.credential else None,
                              base_url=request.host_url)

    @property
    def sandbox(self):
        return current_app.extensions["sandbox"]


_MARK = "__rest_v1__"


def route(method: str, path: str, *, summary: str, tag: str, query=None, body=None, response=None,
          status: int = 200, transaction: bool = True, deprecated: bool = False, errors=(400, 401, 403, 404),
          headers: tuple[str, ...] = (), **path_types):
    """Declare an operation; path parameters are integers unless ``name=str`` says otherwise; ``headers``: the
    request headers it requires."""

    def declare(func):
        names = re.findall(r"{(\w+)}", path)
        op = Operation(method=method.upper(), path=path, func=func, summary=summary, tag=tag, query=query,
                       body=body, response=response, status=status, writes=method.upper() != "GET",
                       transaction=transaction, deprecated=deprecated, errors=tuple(errors), headers=tuple(headers),
                       path_types={n: path_types.get(n, int) for n in names})
        setattr(func, _MARK, (*getattr(func, _MARK, ()), op))
        return func

    return declare


def declared(module: ModuleType) -> list[Operation]:
    """The operations declared by the functions of ``module`` (not those it imports), in declaration order."""
    out = []
    for value in vars(module).values():
        if callable(value) and getattr(value, "__module__", None) == module.__name__:
            out.extend(getattr(value, _MARK, ()))
    return out


def blueprint(operations: list[Operation]) -> Blueprint:
    """The Flask routes of ``operations`` under /crm/rest/v1, and the gateway's answer for any other path."""
    bp = Blueprint("rest_v1", __name__, url_prefix=PREFIX)
    allowed = Allowed(operations)
    for op in operations:
        rule = re.sub(r"{(\w+)}", r"<\1>", op.path)
        bp.add_url_rule(rule, endpoint=f"{op.operation_id}_{op.method.lower()}", methods=[op.method],
                        view_func=_view(op, allowed), strict_slashes=False, provide_automatic_options=False)
    bp.add_url_rule("/<path:rest>", endpoint="unknown", view_func=_unknown(allowed),
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
    bp.after_request(_journal)
    return bp


def _journal(response):
    """Record the request in its app's journal (server.journal), with a hint for an unknown path or property
    (also in X-Sandbox-Hint when the app's ``hints`` option is on)."""
    call = g.pop("rest_call", None)
    sandbox = current_app.extensions["sandbox"]
    if call is None or not sandbox.journal.active:
        return response
    status = response.status_code
    relative = request.path[len(PREFIX):] or "/"
    hint = None
    if status == 404 and request.url_rule is not None and request.url_rule.endpoint.endswith(".unknown"):
        hint = sandbox.journal.hinter.rest_path("v1", request.method, relative)
    elif isinstance(call.failure, ValidationError) and (op := g.get("rest_operation")) and op.body is not None:
        hint = sandbox.journal.hinter.rest_v1_property(call.failure, op.body)
    request_part = {"query": entry.bounded(request.args.to_dict()) or None,
                    "body": entry.http_body(request.get_data(cache=True), request.content_type)}
    outcome = entry.http(status, response.get_json(silent=True) if status >= 400 else None)
    sandbox.journal.record(call, "rest_v1", PREFIX, f"{request.method} {request.path}", request_part, outcome,
                           hint, entry.presented_secret(request.headers, request.args))
    if hint and (header := sandbox.journal.hint_header(call)):
        response.headers["X-Sandbox-Hint"] = header
    return response


def _view(op: Operation, allowed: Allowed):
    literal_elsewhere = "{" in op.path  # /contacts/model is also /contacts/{contactId}: model is not an id

    def view(**path_args):
        if literal_elsewhere and (methods := allowed.literal(request.path[len(PREFIX):])):
            return _not_allowed(methods)
        return handle(op, path_args)

    view.__name__ = op.operation_id
    return view


def _transaction(engine, write: bool):
    """One transaction per request. Reads on PostgreSQL see one snapshot (REPEATABLE READ), so a list and the
    sync token beside it describe the same moment."""
    @contextlib.contextmanager
    def tx():
        with engine.connect() as conn:
            options = {"write": write}
            if not write and conn.dialect.name == "postgresql":
                options["isolation_level"] = "REPEATABLE READ"
            conn.execution_options(**options)
            with conn.begin():
                yield conn
    return tx()


def admit() -> tuple[Call | None, Any]:
    """The gateway's part: a Call with the app and credential, or the gateway's own answer."""
    call = g.rest_call = Call(endpoint=GATEWAY, headers=request.headers, query=request.args)
    if request.method == "GET" and (request.content_length or 0) > 0:
        return None, errors.malformed_request()
    try:
        current_app.extensions["sandbox"].gate.admit(call)
    except GatewayRejection as rejection:
        return None, errors.gateway_answer(rejection)
    return call, None


def handle(op: Operation, path_args: dict):
    call, refusal = admit()
    if refusal is not None:
        return refusal
    call.injection = current_app.extensions["sandbox"].gate.faults.decide(
        call.app, REST_V1, f"{request.method} {request.path}", call.credential, call.response_headers)
    if call.injection is None:
        return _served(op, call, path_args)
    call.injected = call.injection.description
    return faults.around(call.injection, request.environ, lambda: _served(op, call, path_args),
                         errors.gateway_answer)


def _served(op: Operation, call: Call, path_args: dict):
    headers = call.response_headers
    try:
        path = _path_values(op, path_args)
        missing = next((name for name in op.headers if name not in request.headers), None)
        if missing is not None:
            raise errors.bad_request(f"Required header is missing: {missing}")
        query = op.query.model_validate(query_values(op.query)) if op.query else None
        raw, body = _body(op, path)
        r = Request(call=call, path=path, query=query, body=body, raw_body=raw)
        if op.transaction:
            with r.session(write=op.writes) as s:
                r.s = s
                result = op.func(r, **path)
        else:
            result = op.func(r, **path)
    except Exception as exc:  # RestError, ValidationError, domain errors: their answer; anything else a logged 500
        call.failure = exc
        g.rest_operation = op
        return errors.from_exception(exc, headers)
    if not isinstance(result, Reply):
        result = Reply(result)
    status = result.status or op.status
    if status == 204:
        return errors.json_response(None, 204, headers)
    return errors.json_response(result.body, status, headers)


_WHOLE = re.compile(r"(-?\d{1,19})(?:\.0+)?")


def _path_values(op: Operation, path_args: dict) -> dict:
    out = {}
    for name, value in path_args.items():
        if op.path_types.get(name, int) is int:
            whole = _WHOLE.fullmatch(value)  # an integer, or one written as a decimal (42.0: an integer to JSON Schema)
            if whole is None or not -2**63 <= int(whole[1]) < 2**63:
                raise errors.bad_request(f"Invalid value for {name}: '{value}' is not an integer")
            value = whole[1]
            # an int64 (the document's format) no record can have: one that names nothing, so the route answers
            # its own 404 ("Unable to find this Contact"), as for any other id it does not know
            out[name] = int(value) if INT_MIN <= int(value) <= INT_MAX else -1
        else:
            out[name] = value
    return out


def query_values(model: type[Query]) -> dict:
    """The query string for ``model``: list-typed fields from repeated or comma-joined values, others the
    first value; keys the model does not name are ignored."""
    values = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        if _is_list(info.annotation):
            values[key] = split_list(request.args.getlist(key))
        else:
            values[key] = request.args.get(key)
    return values


def _is_list(annotation) -> bool:
    text = str(annotation)
    return text.startswith("list") or "list[" in text


def _body(op: Operation, path: dict):
    if op.body is None:
        return None, None
    data = request.get_data(cache=True)
    if not data.strip():
        raw = {}
    else:
        try:
            raw = json_input.loads(data)
        except json_input.BadJson as exc:
            raise errors.bad_request(exc.message) from None
    if not isinstance(raw, dict):
        raise errors.bad_request("The request body must be a JSON object")
    if "id" in raw and "id" not in op.body.model_fields and _names_the_path(raw["id"], path):
        # the record's own id beside the path's, as keap-python's update sends it: says nothing more
        raw = {k: v for k, v in raw.items() if k != "id"}
    return raw, op.body.model_validate(raw)


def _names_the_path(value, path: dict) -> bool:
    """Whether a body's ``id`` is one of the path's ids (a number or its digits)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return type(value) is int and value in path.values()


# --- anything else under /crm/rest/v1 -------------------------------------------------------------------

class Allowed:
    """The methods served at a path: those of the operations whose path it is literally (``/contacts/model``),
    else of those whose template it fits (``/contacts/{contactId}``)."""

    def __init__(self, operations: list[Operation]):
        self._literal: dict[str, set[str]] = {}
        for op in operations:
            if "{" not in op.path:
                self._literal.setdefault(op.path.rstrip("/"), set()).add(op.method)
        self._patterns = [(re.compile("^" + re.sub(r"{(\w+)}", r"[^/]+", op.path) + "/?$"), op.method)
                          for op in operations]

    def literal(self, path: str) -> set[str]:
        return self._literal.get(path.rstrip("/"), set())

    def at(self, path: str) -> set[str]:
        return self.literal(path) or {method for pattern, method in self._patterns if pattern.match(path)}


def _allow(methods: set[str]) -> str:
    """RFC 9110's Allow: the served methods, HEAD with GET, and OPTIONS."""
    return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set()) | {"OPTIONS"}))


def _not_allowed(methods: set[str]):
    call, refusal = admit()  # the gateway authenticates before routing
    if refusal is not None:
        return refusal
    headers = {**call.response_headers, "Allow": _allow(methods)}
    return errors.message(405, f"Request method '{request.method}' not supported", headers)


def _unknown(allowed: Allowed):
    def unknown(rest: str):
        """The gateway authenticates before routing: without credentials an unknown path is a 401; with them,
        Keap's HTML "Page Not Found" page, or 405 (with Allow) for a known path and another method. OPTIONS on a
        known path answers its Allow without credentials (a browser's preflight carries none)."""
        methods = allowed.at("/" + rest)
        if methods and request.method == "OPTIONS":
            return Response(status=200, headers={"Allow": _allow(methods)})
        if methods:
            return _not_allowed(methods)
        call, refusal = admit()
        if refusal is not None:
            return refusal
        return errors.page_not_found(call.response_headers)

    return unknown


# --- envelopes -----------------------------------------------------------------------------------------

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000


def page(q: Paging | None) -> tuple[int, int]:
    """``(limit, offset)``: 1000 by default [wire S9]; 0 or nothing means the default, above 1000 is clamped."""
    limit = (q.limit if q else None) or DEFAULT_LIMIT
    offset = (q.offset if q else None) or 0
    if limit < 0 or offset < 0:
        raise errors.bad_request("limit and offset must not be negative")
    return min(limit, MAX_LIMIT), offset


def envelope(r: Request, key: str, items: list, count: int, limit: int, offset: int, *, path: str,
             top_level: bool = True, carry: dict | None = None, **extra) -> dict:
    """``{<key>: items, count, next, previous}``. ``count`` is the total; ``next``/``previous`` are always
    present, ``next = ?limit=min(limit, count)&offset=offset+limit`` and ``previous =
    ?limit=limit&offset=max(0, offset-limit)``, top-level collections written with a trailing slash
    [wire S9, S2; spec §4.2]."""
    base = r.url(path) + ("/" if top_level else "")
    carried = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in (carry or {}).items() if v is not None}

    def link(lim: int, off: int) -> str:
        return base + "?" + urlencode({"limit": lim, "offset": off, **carried}, doseq=True)

    body = {key: items, "count": count, "next": link(min(limit, count), offset + limit),
            "previous": link(limit, max(0, offset - limit))}
    body.update(extra)
    return body
