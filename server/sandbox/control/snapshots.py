"""The control API for snapshots of an app and for deleting an app (server.sandbox.snapshots):

- ``POST /sandbox/apps/<app>/snapshots`` ``{"name": "clean"}``: save the app's whole state (201);
- ``GET /sandbox/apps/<app>/snapshots``: the app's snapshots, oldest first;
- ``POST /sandbox/apps/<app>/snapshots/<name>/restore``: put the state back exactly;
- ``DELETE /sandbox/apps/<app>/snapshots/<name>``: forget one;
- ``DELETE /sandbox/apps/<app>``: remove the app and everything it owns.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from server.journal.journal import ring_of
from server.sandbox import snapshots
from server.store.snapshots import SnapshotExists

from .common import ControlError, app_named, control_error, current_sandbox, json_body, require_admin

bp = Blueprint("sandbox_snapshots", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _snapshot_name(body: dict) -> str:
    unknown = sorted(set(body) - {"name"})
    if unknown:
        raise ControlError(400, f"unknown field {unknown[0]!r} (a snapshot takes only a name)")
    name = body.get("name")
    if not snapshots.valid_name(name):
        raise ControlError(400, "name must be 1 to 128 letters, digits, dots, dashes and underscores, "
                                "starting with a letter or digit")
    return name


@bp.post("/apps/<name>/snapshots")
def take(name: str):
    record = app_named(name)
    snapshot = _snapshot_name(json_body())
    sandbox = current_sandbox()
    try:
        saved = snapshots.take(sandbox.env, sandbox.throttle, record, snapshot)
    except SnapshotExists:
        raise ControlError(409, f"app {name!r} has a snapshot named {snapshot!r} (delete it first)") from None
    return jsonify({"app": name, **saved}), 201


@bp.get("/apps/<name>/snapshots")
def listing(name: str):
    record = app_named(name)
    return jsonify({"app": name, "snapshots": snapshots.listing(current_sandbox().env, record)})


@bp.post("/apps/<name>/snapshots/<snapshot>/restore")
def restore(name: str, snapshot: str):
    record = app_named(name)
    sandbox = current_sandbox()
    try:
        record = snapshots.restore(sandbox.env, sandbox.throttle, record, snapshot)
    except snapshots.NoSnapshot:
        raise ControlError(404, f"app {name!r} has no snapshot named {snapshot!r}") from None
    return jsonify({"app": name, "restored": snapshot, "clock": record.clock_state.now().isoformat()})


@bp.delete("/apps/<name>/snapshots/<snapshot>")
def delete(name: str, snapshot: str):
    record = app_named(name)
    try:
        snapshots.delete(current_sandbox().env, record, snapshot)
    except snapshots.NoSnapshot:
        raise ControlError(404, f"app {name!r} has no snapshot named {snapshot!r}") from None
    return jsonify({"app": name, "deleted": snapshot})


@bp.delete("/apps/<name>")
def delete_app(name: str):
    record = app_named(name)
    sandbox = current_sandbox()
    snapshots.delete_app(sandbox.env, sandbox.throttle, record)
    sandbox.journal.clear(ring_of(record))  # its request journal goes with it
    return jsonify({"deleted": name})
