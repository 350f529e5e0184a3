"""Fault injection's control API (issue 16 §2; the rules are described in server.faults.rules):

    POST   /sandbox/apps/<app>/faults        a rule -> 201 {"id": n, ...the rule, "matched": 0, "injected": 0}
    GET    /sandbox/apps/<app>/faults        {"faults": [...]}
    GET    /sandbox/apps/<app>/faults/<id>   the rule with its counts: calls it matched, calls it broke
    DELETE /sandbox/apps/<app>/faults/<id>   204
    DELETE /sandbox/apps/<app>/faults        204: every rule of the app (a reset of the app does the same)

A body that is not a rule is a 400 naming the field, in the control API's one shape: ``{"error": "...",
"fields": [{"field": "action.status", "problem": "..."}]}``.
"""
from __future__ import annotations

from flask import jsonify

from server.faults.rules import Rule
from server.store import faults as stored
from server.store.db import transaction

from .common import ControlError, app_named, current_sandbox
from .contract import ControlBlueprint

bp = ControlBlueprint("sandbox_faults", __name__)
RULES = "/apps/<name>/faults"


def _described(record, row) -> dict:
    matched, injected = current_sandbox().gate.faults.counted(record, row)
    return {"id": row.id, **row.rule, "matched": matched, "injected": injected}


def _changing(conn, record) -> None:
    """Before the app's rules change (a new stamp): the counts kept outside the store into it."""
    current_sandbox().gate.faults.fold(conn, record.id)


@bp.post(RULES, summary="Add a fault rule to the app", body=Rule, status=201, errors=(404,))
def add(name: str, body: Rule):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        _changing(conn, record)
        rule_id = stored.add(conn, record.id, body.to_json())
        row = stored.one(conn, record.id, rule_id)
    return jsonify({"id": row.id, **row.rule, "matched": row.matched, "injected": row.injected}), 201


@bp.get(RULES, summary="The app's fault rules, with their counts", errors=(404,))
def list_rules(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = stored.all_rules(conn, record.id)
    return jsonify({"faults": [_described(record, r) for r in rows]})


@bp.get(RULES + "/<int:rule_id>", summary="One fault rule: calls it matched, calls it broke", errors=(404,))
def get_rule(name: str, rule_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        row = stored.one(conn, record.id, rule_id)
    if row is None:
        raise ControlError(404, f"app {name!r} has no fault rule {rule_id}")
    return jsonify(_described(record, row))


@bp.delete(RULES + "/<int:rule_id>", summary="Delete a fault rule", status=204, errors=(404,))
def delete_rule(name: str, rule_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        _changing(conn, record)
        gone = stored.delete(conn, record.id, rule_id)
    if not gone:
        raise ControlError(404, f"app {name!r} has no fault rule {rule_id}")
    return "", 204


@bp.delete(RULES, summary="Delete every fault rule of the app (a reset does the same)", status=204, errors=(404,))
def clear(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        _changing(conn, record)
        stored.clear(conn, record.id)
    return "", 204
