"""The control API of the migration kit (issue 19, docs/migration.md): ``GET /sandbox/apps/<app>/migration``, the
report of what the app still calls on XML-RPC or with a legacy key and where each call goes on REST v2
(server.migration.report); ``DELETE`` forgets the counts; ``GET /sandbox/migration/mapping`` the whole mapping;
``POST /sandbox/apps/<app>/migration/compare`` runs an XML-RPC call and its v2 translation side by side, rolled
back (server.migration.compare)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, ConfigDict

from server.journal.journal import ring_of
from server.migration import compare, mapping, report
from server.store import legacy_calls
from server.store.db import transaction

from .common import ControlError, app_named, control_error, current_sandbox, json_body, parsed, require_admin

bp = Blueprint("sandbox_migration", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _flush(sandbox) -> None:
    counter = sandbox.journal.counter
    if counter is not None:
        counter.flush()  # this process's counts; other workers flush theirs every few seconds


@bp.get("/apps/<name>/migration")
def migration_report(name: str):
    sandbox = current_sandbox()
    app = app_named(name)
    _flush(sandbox)
    with transaction(sandbox.engine, write=False) as conn:
        rows = legacy_calls.of_app(conn, app.id)
    old_api = sandbox.journal.read(ring_of(app), lambda e: e["protocol"] == "xmlrpc"
                                   or (e["credential"] or {}).get("kind") == "legacy_key")
    return jsonify(report.build(app.name, rows, mapping.load(), report.newest_entries(old_api)))


@bp.delete("/apps/<name>/migration")
def clear_migration_report(name: str):
    sandbox = current_sandbox()
    app = app_named(name)
    _flush(sandbox)
    with transaction(sandbox.engine, write=True) as conn:
        legacy_calls.clear(conn, app.id)
    return "", 204


@bp.get("/migration/mapping")
def migration_mapping():
    m = mapping.load()
    return jsonify({"methods": [m.describe(name) for name in sorted(m.entries)]})


class CompareBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str
    params: list = []


@bp.post("/apps/<name>/migration/compare")
def migration_compare(name: str):
    sandbox = current_sandbox()
    app = app_named(name)
    body = parsed(CompareBody, json_body())
    try:
        return jsonify(compare.compare(sandbox, current_app.extensions["rest_v2_api"], app, body.method,
                                       body.params))
    except compare.NotComparable as exc:
        return jsonify({"error": f"{exc.field}: {exc.message}", "field": exc.field}), 400
