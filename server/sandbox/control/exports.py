"""The control API for app exports (server.sandbox.exports):

- ``GET /sandbox/apps/<app>/export``: the app as one gzip file of JSON lines (``application/gzip``);
- ``POST /sandbox/apps/import?name=<new app>``: the file as the raw request body; 201 with the new app, or 400
  saying why the file is refused (nothing is created), 409 if the name is taken.
"""
from __future__ import annotations

from flask import Response, jsonify, request
from pydantic import Field

from server.sandbox import exports
from server.sandbox.input_fields import AppName

from .common import ControlError, app_named, current_sandbox
from .contract import ControlBlueprint, Document, Query

bp = ControlBlueprint("sandbox_exports", __name__)

EXPORT = Document({"type": "string", "format": "binary", "title": "App export (gzip of JSON lines)"},
                  ("application/gzip", "application/octet-stream"))


class ImportQuery(Query):
    name: AppName | None = Field(None, description="the new app's name (the exported one's if absent)")


@bp.get("/apps/<name>/export", summary="The app as one gzip file of JSON lines", answer_type="application/gzip",
        answer={"type": "string", "format": "binary"}, errors=(404,))
def export(name: str):
    record = app_named(name)
    data = exports.export_app(current_sandbox().env, record)
    return Response(data, mimetype="application/gzip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.sandbox.jsonl.gz"'})


@bp.post("/apps/import", summary="Make an app from an export (the file as the body)", body=EXPORT, query=ImportQuery,
         status=201, errors=(409,))
def import_app(query: ImportQuery):
    name = query.name or None
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
