"""The control API for snapshots of an app and for deleting an app (server.sandbox.snapshots):

- ``POST /sandbox/apps/<app>/snapshots`` ``{"name": "clean"}``: save the app's whole state (201);
- ``GET /sandbox/apps/<app>/snapshots``: the app's snapshots, oldest first;
- ``POST /sandbox/apps/<app>/snapshots/<name>/restore``: put the state back exactly;
- ``DELETE /sandbox/apps/<app>/snapshots/<name>``: forget one;
- ``DELETE /sandbox/apps/<app>``: remove the app and everything it owns.
"""
from __future__ import annotations

from flask import jsonify
from pydantic import Field

from server.journal.journal import ring_of
from server.sandbox import snapshots
from server.store import advances
from server.store.snapshots import SnapshotExists

from .common import ControlError, advancing, app_named, current_sandbox
from .contract import Body, ControlBlueprint

bp = ControlBlueprint("sandbox_snapshots", __name__)

NAME_RULE = "1 to 128 letters, digits, dots, dashes and underscores, starting with a letter or digit"


class NewSnapshot(Body):
    name: str = Field(description=NAME_RULE)


@bp.post("/apps/<name>/snapshots", summary="Save the app's whole state under a name", body=NewSnapshot, status=201,
         errors=(404, 409))
def take(name: str, body: NewSnapshot):
    record = app_named(name)
    snapshot = body.name
    if not snapshots.valid_name(snapshot):
        raise ControlError(400, f"name must be {NAME_RULE}", [{"field": "name", "problem": NAME_RULE}])
    sandbox = current_sandbox()
    try:
        saved = snapshots.take(sandbox.env, sandbox.throttle, record, snapshot, sandbox.gate.faults)
    except SnapshotExists:
        raise ControlError(409, f"app {name!r} has a snapshot named {snapshot!r} (delete it first)") from None
    except advances.Busy as exc:
        raise advancing(name, exc, "taking a snapshot") from None
    return jsonify({"app": name, **saved}), 201


@bp.get("/apps/<name>/snapshots", summary="The app's snapshots, oldest first", errors=(404,))
def listing(name: str):
    record = app_named(name)
    return jsonify({"app": name, "snapshots": snapshots.listing(current_sandbox().env, record)})


@bp.post("/apps/<name>/snapshots/<snapshot>/restore", summary="Put the app's state back as the snapshot saved it",
         errors=(404, 409))
def restore(name: str, snapshot: str):
    record = app_named(name)
    sandbox = current_sandbox()
    try:
        record = snapshots.restore(sandbox.env, sandbox.throttle, record, snapshot)
    except snapshots.NoSnapshot:
        raise ControlError(404, f"app {name!r} has no snapshot named {snapshot!r}") from None
    except advances.Busy as exc:
        raise advancing(name, exc, "restoring a snapshot") from None
    return jsonify({"app": name, "restored": snapshot, "clock": record.clock_state.now().isoformat()})


@bp.delete("/apps/<name>/snapshots/<snapshot>", summary="Forget a snapshot", errors=(404,))
def delete(name: str, snapshot: str):
    record = app_named(name)
    try:
        snapshots.delete(current_sandbox().env, record, snapshot)
    except snapshots.NoSnapshot:
        raise ControlError(404, f"app {name!r} has no snapshot named {snapshot!r}") from None
    return jsonify({"app": name, "deleted": snapshot})


@bp.delete("/apps/<name>", summary="Remove the app and everything it owns", errors=(404,))
def delete_app(name: str):
    record = app_named(name)
    sandbox = current_sandbox()
    snapshots.delete_app(sandbox.env, sandbox.throttle, record)
    sandbox.journal.clear(ring_of(record))  # its request journal goes with it
    return jsonify({"deleted": name})
