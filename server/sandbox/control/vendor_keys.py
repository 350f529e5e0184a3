"""The control API for vendor keys (DataService.getTemporaryKey's first parameter): one app's each."""
from __future__ import annotations

from flask import jsonify
from pydantic import Field

from server.store import vendor_keys
from server.store.db import transaction

from .common import ControlError, app_named, current_sandbox
from .contract import Body, ControlBlueprint

bp = ControlBlueprint("sandbox_vendor_keys", __name__)


class NewVendorKey(Body):
    name: str = Field("vendor", min_length=1, max_length=200, pattern=r"\S")


def _key_json(row) -> dict:
    return {"id": row.id, "name": row.name, "hint": row.hint, "revoked": bool(row.revoked),
            "created_at": row.created_at.isoformat()}


@bp.post("/apps/<name>/vendor-keys", summary="A vendor key for DataService.getTemporaryKey (shown once)",
         body=NewVendorKey, status=201)
def create(name: str, body: NewVendorKey):
    """Body ``{"name": ...}``; the answer carries the key, shown this once."""
    record = app_named(name)
    label = body.name
    with transaction(current_sandbox().engine, write=True) as conn:
        key_id, key = vendor_keys.add_vendor_key(conn, record.id, label.strip())
    return jsonify({"id": key_id, "name": label.strip(), "vendor_key": key}), 201


@bp.get("/apps/<name>/vendor-keys", summary="The app's vendor keys (hints only)")
def list_keys(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"vendor_keys": [_key_json(r) for r in vendor_keys.vendor_keys_of_app(conn, record.id)]})


@bp.delete("/apps/<name>/vendor-keys/<int:key_id>", summary="Revoke a vendor key")
def revoke(name: str, key_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        if not vendor_keys.revoke_vendor_key(conn, record.id, key_id):
            raise ControlError(404, f"no active vendor key {key_id}")
    return jsonify({"revoked": key_id})
