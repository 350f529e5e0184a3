"""The control API for vendor keys (DataService.getTemporaryKey's first parameter): one app's each."""
from __future__ import annotations

from flask import Blueprint, jsonify

from server.store import vendor_keys
from server.store.db import transaction

from .common import ControlError, app_named, control_error, current_sandbox, json_body, require_admin

bp = Blueprint("sandbox_vendor_keys", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _key_json(row) -> dict:
    return {"id": row.id, "name": row.name, "hint": row.hint, "revoked": bool(row.revoked),
            "created_at": row.created_at.isoformat()}


@bp.post("/apps/<name>/vendor-keys")
def create(name: str):
    """Body ``{"name": ...}``; the answer carries the key, shown this once."""
    record = app_named(name)
    body = json_body()
    label = body.get("name", "vendor")
    if not isinstance(label, str) or not label.strip():
        raise ControlError(400, "name must be a non-empty string")
    with transaction(current_sandbox().engine, write=True) as conn:
        key_id, key = vendor_keys.add_vendor_key(conn, record.id, label.strip())
    return jsonify({"id": key_id, "name": label.strip(), "vendor_key": key}), 201


@bp.get("/apps/<name>/vendor-keys")
def list_keys(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"vendor_keys": [_key_json(r) for r in vendor_keys.vendor_keys_of_app(conn, record.id)]})


@bp.delete("/apps/<name>/vendor-keys/<int:key_id>")
def revoke(name: str, key_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        if not vendor_keys.revoke_vendor_key(conn, record.id, key_id):
            raise ControlError(404, f"no active vendor key {key_id}")
    return jsonify({"revoked": key_id})
