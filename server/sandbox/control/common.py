"""What every control-plane blueprint shares: its error type and handler, the admin-token check, and
looking up the sandbox and an app.

With SANDBOX_ADMIN_TOKEN set, every endpoint but /sandbox/health requires it as a bearer token.
"""
from __future__ import annotations

import hmac

from flask import current_app, jsonify, request

from server import json_input
from server.store import apps
from server.store.db import transaction
from server.store.session import AppRecord


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def control_error(exc: ControlError):
    return jsonify({"error": exc.message}), exc.status


def require_admin():
    """Every blueprint of the control plane runs this before each request."""
    token = current_app.extensions["sandbox"].config.admin_token
    if token is None or request.endpoint == "sandbox.health":
        return None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return jsonify({"error": "the control API requires the admin token (Authorization: Bearer …)"}), 401
    return None


def current_sandbox():
    return current_app.extensions["sandbox"]


def json_body() -> dict:
    if not request.data:
        return {}
    try:
        body = json_input.loads(request.data)
    except json_input.BadJson as exc:
        raise ControlError(400, exc.message) from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def app_named(name: str) -> AppRecord:
    with transaction(current_sandbox().engine, write=False) as conn:
        record = apps.by_name(conn, name)
    if record is None:
        raise ControlError(404, f"no app named {name!r}")
    return record
