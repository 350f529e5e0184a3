"""What every control-plane blueprint shares: its error type and handler, the admin-token check, and
looking up the sandbox and an app.

With SANDBOX_ADMIN_TOKEN set, every endpoint requires it as a bearer token; health (server.sandbox.control.health)
is on a blueprint of its own that does not run ``require_admin``.
"""
from __future__ import annotations

import contextlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from server import json_input
from server.sandbox.inputs import shown
from server.store import advances, apps
from server.store.db import transaction
from server.store.session import AppRecord

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


class ControlError(Exception):
    """A refusal in the control API's one shape: ``{"error": message, "fields": [{"field", "problem"}]}``
    (``fields`` when the problem lies in named fields of the body or query)."""

    def __init__(self, status: int, message: str, fields: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields


def control_error(exc: ControlError):
    body = {"error": exc.message}
    if exc.fields:
        body["fields"] = exc.fields
    return jsonify(body), exc.status


def control_path(path: str) -> bool:
    """Whether ``path`` is the control API's: under /sandbox/, and not the inspector's pages (/sandbox/ui/)."""
    return path.startswith("/sandbox/") and not (path == "/sandbox/ui" or path.startswith("/sandbox/ui/"))


def routing_refusal(exc: HTTPException):
    """Flask's own refusals of a control path (no route there: 404; a method its route does not take: 405, with
    ``Allow``) in the control API's shape, instead of Flask's ``{"message": ...}``."""
    if exc.code == 404:
        message = f"no control API endpoint at {shown(request.path)} (GET /sandbox/openapi.json lists them)"
    elif exc.code == 405:
        allowed = dict(exc.get_headers()).get("Allow", "")
        message = f"{request.method} is not allowed on {shown(request.path)}: it takes {allowed}"
    else:
        message = exc.description or exc.name
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # a 405's Allow
    body, status = control_error(ControlError(exc.code or 500, message))
    return body, status, headers


def advancing(name: str, exc: advances.Busy, doing: str) -> ControlError:
    """The 409 of a change of the whole app (``doing``: "taking a snapshot") refused while its clock advances."""
    return ControlError(409, f"the clock of app {name!r} is being advanced (advance {exc.advance_id}): wait until "
                             f"it is ready before {doing} (GET /sandbox/apps/{name}/clock/advances/{exc.advance_id})")


def require_admin():
    """Every blueprint of the control plane runs this before each request."""
    token = current_app.extensions["sandbox"].config.admin_token
    if token is None:
        return None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return jsonify({"error": "the control API requires the admin token (Authorization: Bearer …)"}), 401
    return None


def current_sandbox():
    return current_app.extensions["sandbox"]


def json_body() -> dict:
    """The JSON object of a request to an undeclared route. Declared endpoints get theirs validated instead
    (``body=`` in server.sandbox.control.contract); kept while routes are moved over."""
    if not request.data:
        return {}
    try:
        body = json_input.loads(request.data)
    except json_input.BadJson as exc:
        raise ControlError(400, exc.message) from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


@dataclass(frozen=True)
class PageArgs:
    """A control-plane listing's page: the rows after the cursor ``after`` (a row id or sequence number, oldest
    first), at most ``count`` of them."""

    after: int
    count: int

    @property
    def fetch(self) -> int:
        return self.count + 1  # one more than the page, to know whether another page follows


def page_args(default: int = 100, most: int = 1000) -> PageArgs:
    """``?count=<n>&next=<cursor>`` (the older names ``limit`` and ``after`` too); a bad value is a 400 naming it.
    For undeclared routes: declared ones take ``query=Page`` (server.sandbox.control.contract)."""
    values = []
    for names, fallback, low in ((("next", "after"), 0, 0), (("count", "limit"), default, 1)):
        name = next((n for n in names if n in request.args), names[0])
        text = request.args.get(name)
        try:
            value = fallback if text in (None, "") else int(text)
        except ValueError:
            raise ControlError(400, f"{name} must be a whole number, not {shown(text)}") from None
        if value < low:
            raise ControlError(400, f"{name} must be at least {low}")
        values.append(value)
    return PageArgs(values[0], min(values[1], most))


def paged(key: str, rows: list, args: PageArgs, cursor) -> dict:
    """The page's JSON: ``{key: [...], "count": n, "next": "<cursor>"}``, ``next`` only when more rows follow
    (pass it back as ``?next=``). ``cursor(row)`` is a row's position: its id or sequence number."""
    page = rows[:args.count]
    out = {key: page, "count": len(page)}
    if len(rows) > args.count:
        out["next"] = str(cursor(page[-1]))
    return out


def app_named(name: str) -> AppRecord:
    with transaction(current_sandbox().engine, write=False) as conn:
        record = apps.by_name(conn, name)
    if record is None:
        raise ControlError(404, f"no app named {name!r}")
    return record


def app_session(name: str, *, write: bool):
    """A transaction on the app ``name`` (a context manager yielding its AppSession); public links made in it
    (a form's address, an email's tracked links) start with the address the caller used, or SANDBOX_PUBLIC_URL."""
    record = app_named(name)
    sandbox = current_sandbox()
    base_url = (sandbox.config.public_url or request.host_url).rstrip("/")

    @contextlib.contextmanager
    def scope():
        with transaction(sandbox.engine, write=write) as conn:
            yield sandbox.env.session(conn, record, base_url=base_url)

    return scope()


def parsed(model: type[M], body: dict) -> M:
    """``body`` as the pydantic ``model`` (``extra="forbid"``), or a 400 naming every field that is wrong."""
    from pydantic import ValidationError  # noqa: PLC0415  (loaded already: the model is pydantic's)

    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: "
                    f"{'unknown field' if e['type'] == 'extra_forbidden' else e['msg']}" for e in exc.errors()]
        raise ControlError(400, "; ".join(dict.fromkeys(problems))) from None


def attachment(content: bytes | str, content_type: str, file_name: str) -> Response:
    """A download named ``file_name`` whatever it holds (RFC 6266: an ASCII ``filename`` without quotes or
    backslashes, and the name itself in ``filename*``): a raw name with a quote or beyond Latin-1 is not a valid
    header, and the server drops the connection instead of answering."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file_name)
    return Response(content, content_type=content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"})
