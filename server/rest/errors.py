"""REST errors: the real bodies and status codes, formed in one place (spec rest-oauth-throttle.md §6).

Application errors are ``{"message": "..."}`` with 400 (validation), 403, 404 (a missing record) or 409; the
gateway's own refusals (401, 429) keep the gateway's JSON; an unknown URL with good credentials gets Keap's
HTML "Page Not Found" page, and a GET carrying a body the Google front end's HTML 400.
"""
from __future__ import annotations

import json
import logging

from flask import Response
from pydantic import ValidationError

from server.auth.gateway import GatewayRejection
from server.domain import errors as domain

log = logging.getLogger("sandbox.rest")


class RestError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> RestError:
    return RestError(400, message)


def not_found(what: str) -> RestError:
    # captured: DELETE of a missing contact -> 404 {"message": "Unable to find this Contact"} [wire S2]
    return RestError(404, f"Unable to find this {what}")


# Domain errors as REST statuses; the message is the domain's (without the XML-RPC [Tag] prefix).
_STATUS = {
    domain.RecordNotFound: 404,
    domain.InvalidParameter: 400,
    domain.NoFieldFound: 400,
    domain.NoFieldAccess: 400,
    domain.NoFields: 400,
    domain.DatabaseError: 400,
    domain.MethodFailed: 400,
    domain.NoTableAccess: 403,
    domain.NoAccess: 403,
}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    text = "" if body is None else json.dumps(body)
    response = Response(text, status=status, headers=headers or {})
    if body is not None:
        response.headers["Content-Type"] = "application/json;charset=UTF-8"
    return response


def message(status: int, text: str, headers: dict | None = None) -> Response:
    return json_response({"message": text}, status, headers)


def from_exception(exc: Exception, headers: dict | None = None) -> Response:
    if isinstance(exc, RestError):
        return message(exc.status, exc.message, headers)
    if isinstance(exc, ValidationError):
        return message(400, validation_message(exc), headers)
    if isinstance(exc, domain.SandboxError):
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 500)
        if status == 500:
            log.error("unmapped domain error: %r", exc)
            return message(500, "An unexpected error occurred", headers)
        return message(status, exc.message, headers)
    log.exception("REST request failed", exc_info=exc)
    return message(500, "An unexpected error occurred; the sandbox logged the details", headers)


def validation_message(exc: ValidationError) -> str:
    """One line for the first problem: the real service answers one message per request."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
    if first.get("type") == "extra_forbidden":
        return f"Unrecognized property: {where}"  # wording unrecorded (docs/divergences.md)
    if first.get("type") == "missing":
        return f"Required property is missing: {where}"
    text = first.get("msg", "Invalid value")
    if text.startswith("Value error, "):
        text = text[len("Value error, "):]
    return f"Invalid value for {where}: {text}" if where else text


def gateway_answer(rejection: GatewayRejection) -> Response:
    if isinstance(rejection.body, str):
        return Response(rejection.body, status=rejection.status,
                        headers={"Content-Type": "text/html", **rejection.headers})
    return Response(json.dumps(rejection.body), status=rejection.status,
                    headers={"Content-Type": "application/json", **rejection.headers})


_NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page Not Found</title></head>
<body><h1>Page Not Found</h1><p>The page you requested could not be found.</p></body></html>
"""

_MALFORMED_PAGE = """<!DOCTYPE html>
<html lang=en><meta charset=utf-8><title>Error 400 (Bad Request)!!1</title>
<p><b>400.</b> <ins>That's an error.</ins><p>Your client has issued a malformed or illegal request.
<ins>That's all we know.</ins>
"""


def page_not_found(headers: dict | None = None) -> Response:
    return Response(_NOT_FOUND_PAGE, status=404, headers={"Content-Type": "text/html;charset=UTF-8", **(headers or {})})


def malformed_request() -> Response:
    # a GET with a body, refused at the Google front end before the gateway [wire S2 get-with-req-body-not-allowed.html]
    return Response(_MALFORMED_PAGE, status=400, headers={"Content-Type": "text/html; charset=UTF-8"})
