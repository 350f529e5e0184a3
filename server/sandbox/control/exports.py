"""The control API for app exports (server.sandbox.exports):

- ``GET /sandbox/apps/<app>/export``: the app as one gzip file of JSON lines (``application/gzip``);
- ``POST /sandbox/apps/import?name=<new app>``: the file as the raw request body; 201 with the new app, or 400
  saying why the file is refused (nothing is created), 409 if the name is taken.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.sandbox import exports

from .common import ControlError, app_named, control_error, current_sandbox, require_admin

bp = Blueprint("sandbox_exports", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


@bp.get("/apps/<name>/export")
def export(name: str):
    record = app_named(name)
    data = exports.export_app(current_sandbox().env, record)
    return Response(data, mimetype="application/gzip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.sandbox.jsonl.gz"'})


@bp.post("/apps/import")
def import_app():
    unknown = sorted(set(request.args) - {"name"})
    if unknown:
        raise ControlError(400, f"unknown parameter {unknown[0]!r} (an import takes only ?name=)")
    name = request.args.get("name") or None
    if not request.data:
        raise ControlError(400, "the body must be an app export (the file GET /sandbox/apps/<app>/export gives)")
    try:
        record = exports.import_app(current_sandbox().env, request.data, name)
    except exports.BadExport as exc:
        raise ControlError(400, str(exc)) from None
    except exports.AppExists as exc:
        raise ControlError(409, str(exc)) from None
    return jsonify({"name": record.name, "legacy_api_key": record.legacy_key, "time_zone": record.time_zone,
                    "clock": record.clock_state.now().isoformat()}), 201
