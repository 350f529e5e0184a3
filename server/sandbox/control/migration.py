"""The control API of the migration kit (issue 19, docs/migration.md): ``GET /sandbox/apps/<app>/migration``, the
report of what the app still calls on XML-RPC or with a legacy key and where each call goes on REST v2
(server.migration.report); ``DELETE`` forgets the counts; ``GET /sandbox/migration/mapping`` the whole mapping, with
where each DataService table's calls go; ``POST /sandbox/apps/<app>/migration/compare`` runs an XML-RPC call and
its v2 translation side by side, rolled back (server.migration.compare); ``GET``/``PUT
/sandbox/apps/<app>/retirement`` the app's retirement schedule on its clock: XML-RPC's sunset and brownouts, the
legacy key's retirement (server.migration.retirement)."""
from __future__ import annotations

from flask import current_app, jsonify

from server.journal.journal import ring_of
from server.migration import mapping, report, retirement, retirement_settings
from server.store import apps, legacy_calls
from server.store.db import transaction

from .common import ControlError, app_named, current_sandbox
from .contract import Body, ControlBlueprint

bp = ControlBlueprint("sandbox_migration", __name__)


def _flush(sandbox) -> None:
    counter = sandbox.journal.counter
    if counter is not None:
        counter.flush()  # this process's counts; other workers flush theirs every few seconds


@bp.get("/apps/<name>/migration", summary="What the app still calls on XML-RPC or with a legacy key, and where "
        "each call goes on REST v2", errors=(404,))
def migration_report(name: str):
    sandbox = current_sandbox()
    app = app_named(name)
    _flush(sandbox)
    with transaction(sandbox.engine, write=False) as conn:
        rows = legacy_calls.of_app(conn, app.id)
    old_api = sandbox.journal.read(ring_of(app), lambda e: e["protocol"] == "xmlrpc"
                                   or (e["credential"] or {}).get("kind") == "legacy_key")
    return jsonify(report.build(app.name, rows, mapping.load(), report.newest_entries(old_api)))


@bp.delete("/apps/<name>/migration", summary="Forget the app's migration counts", status=204, errors=(404,))
def clear_migration_report(name: str):
    sandbox = current_sandbox()
    app = app_named(name)
    _flush(sandbox)
    with transaction(sandbox.engine, write=True) as conn:
        legacy_calls.clear(conn, app.id)
    return "", 204


@bp.get("/migration/mapping", summary="Every XML-RPC method and its REST v2 (or v1) equivalent")
def migration_mapping():
    m = mapping.load()
    return jsonify({"methods": [m.describe(name) for name in sorted(m.entries)],
                    "tables": {name: {kind: t.as_json(kind) for kind in mapping.KINDS}
                               for name, t in sorted(m.tables.items())}})


class CompareBody(Body):
    method: str
    params: list = []


@bp.post("/apps/<name>/migration/compare", summary="An XML-RPC call and its REST v2 translation, side by side, "
         "rolled back", body=CompareBody, errors=(400, 404))
def migration_compare(name: str, body: CompareBody):
    # the compare runs REST v2 operations: it is loaded with REST v2, by its first use (server.rest_v2.front)
    from server.migration import compare  # noqa: PLC0415

    sandbox = current_sandbox()
    app = app_named(name)
    try:
        return jsonify(compare.compare(sandbox, current_app.extensions["rest_v2"].api(), app, body.method,
                                       body.params))
    except compare.NotComparable as exc:
        raise ControlError(400, f"{exc.field}: {exc.message}", [{"field": exc.field, "problem": exc.message}]) \
            from None


@bp.get("/apps/<name>/retirement", summary="The app's retirement schedule (XML-RPC sunset and brownouts, legacy "
        "keys) and what it means now on the app's clock", errors=(404,))
def get_retirement(name: str):
    return jsonify(retirement.state(app_named(name)))


@bp.put("/apps/<name>/retirement", summary="Set the app's retirement schedule ({} turns it off)",
        body=retirement_settings.Retirement, errors=(400, 404))
def set_retirement(name: str, body: retirement_settings.Retirement):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options=retirement_settings.with_settings(record.options, body))
        record = apps.by_id(conn, record.id)
    return jsonify(retirement.state(record))
