"""REST v2 errors: one body for every failure the application answers, formed here and nowhere else.

The contract declares one error schema for every status of every operation (``Error``:
``{"code": int, "message": str, "status": str, "details": [{"domain": str, "resource": str}]}``) and the
statuses 400, 401, 403, 404, 405, 409, 500 and 501. Keap's v2 follows Google's API design rules (AIP:
``page_token``, ``update_mask``, custom verbs after a colon), whose error model (AIP-193, ``google.rpc.Status``)
names a canonical code in ``status``; the sandbox uses those names (no v2 application error body has been
captured; docs/rest-v2.md and docs/divergences.md say so):

    400 INVALID_ARGUMENT   401 UNAUTHENTICATED   403 PERMISSION_DENIED   404 NOT_FOUND
    405 METHOD_NOT_ALLOWED 413 PAYLOAD_TOO_LARGE 409 ALREADY_EXISTS / FAILED_PRECONDITION       429 RESOURCE_EXHAUSTED
    500 INTERNAL           501 UNIMPLEMENTED

(405 and 413 have no canonical code: they are answered with HTTP's own names.) ``details`` holds one
``{"domain", "resource"}`` entry naming what was not found or refused, else is empty. The gateway's own
refusals (401 without a valid credential, 429 over a quota) keep the gateway's body, exactly as on v1: they
happen before the request reaches the API (server.auth.gateway).
"""
from __future__ import annotations

import logging
from typing import TypeVar

from server.domain import errors as domain

log = logging.getLogger("sandbox.rest_v2")

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
}

T = TypeVar("T")


class ApiError(Exception):
    """An answer in the v2 error form. Raise it (or one of the helpers below) anywhere in an operation."""

    def __init__(self, code: int, message: str, *, status: str | None = None, domain: str | None = None,
                 resource: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = [{"domain": domain, "resource": resource}] if domain or resource else []
        self.headers = headers or {}

    def body(self) -> dict:
        details = [{k: v for k, v in d.items() if v is not None} for d in self.details]
        return {"code": self.code, "message": self.message, "status": self.status, "details": details}


def invalid(message: str) -> ApiError:
    return ApiError(400, message)


def invalid_field(name: str, problem: str) -> ApiError:
    """A 400 naming the field (a query parameter, a path parameter or a body property)."""
    return ApiError(400, f"Invalid value for '{name}': {problem}", domain="request", resource=name)


def not_found(kind: str, record_id) -> ApiError:
    """``kind`` is the resource's name in the product's words ("Tag", "Tag Category", "Contact")."""
    return ApiError(404, f"{kind} with id {record_id} not found", domain=kind, resource=str(record_id))


def existing(found: T | None, kind: str, record_id) -> T:
    """``found``, the record a path names; the v2 404 for ``kind`` ``record_id`` when there is none."""
    if found is None:
        raise not_found(kind, record_id)
    return found


def conflict(message: str, *, status: str = "ALREADY_EXISTS") -> ApiError:
    return ApiError(409, message, status=status)


def too_large(limit: int) -> ApiError:
    """A body over SANDBOX_MAX_BODY_BYTES (server.body_limit); 413 has no canonical code, as 405 has none."""
    return ApiError(413, f"The request body is larger than the limit of {limit} bytes", status="PAYLOAD_TOO_LARGE",
                    domain="request", resource="body")


def unimplemented(operation_id: str) -> ApiError:
    return ApiError(501, f"{operation_id} is part of Keap's REST v2 but is not served by this sandbox yet",
                    domain="operation", resource=operation_id)


def unknown_path(path: str) -> ApiError:
    return ApiError(404, f"No operation at {path}", domain="path", resource=path)


def method_not_allowed(method: str, allowed: tuple[str, ...]) -> ApiError:
    return ApiError(405, f"Request method '{method}' is not supported here", headers={"Allow": ", ".join(allowed)})


# Domain errors as v2 statuses; the message is the domain's own.
_DOMAIN = (
    (domain.RecordNotFound, 404),
    (domain.NoAccess, 403),
    (domain.NoTableAccess, 403),
    (domain.InvalidParameter, 400),
    (domain.NoFieldFound, 400),
    (domain.NoFieldAccess, 400),
    (domain.NoFields, 400),
    (domain.DatabaseError, 400),
    (domain.MethodFailed, 400),
)


def from_exception(exc: Exception) -> ApiError:
    """The v2 answer for anything an operation raised: its own error, a domain error's status, or a logged
    500 that says nothing of the sandbox's internals."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, domain.SandboxError):
        for cls, code in _DOMAIN:
            if isinstance(exc, cls):
                field = getattr(exc, "field", None)  # a domain error that names the request's property
                return ApiError(code, exc.message, domain="request" if field else None, resource=field)
        log.error("unmapped domain error: %r", exc)
        return ApiError(500, "An unexpected error occurred")
    log.exception("REST v2 request failed", exc_info=exc)
    return ApiError(500, "An unexpected error occurred; the sandbox logged the details")
