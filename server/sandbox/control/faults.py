"""Fault injection's control API (issue 16 §2; the rules are described in server.faults.rules):

    POST   /sandbox/apps/<app>/faults        a rule -> 201 {"id": n, ...the rule, "matched": 0, "injected": 0}
    GET    /sandbox/apps/<app>/faults        {"faults": [...]}
    GET    /sandbox/apps/<app>/faults/<id>   the rule with its counts: calls it matched, calls it broke
    DELETE /sandbox/apps/<app>/faults/<id>   204
    DELETE /sandbox/apps/<app>/faults        204: every rule of the app (a reset of the app does the same)

A body that is not a rule is a 400 naming the field: ``{"error": "...", "field": "action.status"}``.
"""
from __future__ import annotations

from flask import Blueprint, jsonify
from pydantic import ValidationError

from server.faults.rules import Rule
from server.store import faults as stored
from server.store.db import transaction

from .common import ControlError, app_named, control_error, current_sandbox, json_body, require_admin

bp = Blueprint("sandbox_faults", __name__, url_prefix="/sandbox/apps/<name>/faults")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _described(row) -> dict:
    return {"id": row.id, **row.rule, "matched": row.matched, "injected": row.injected}


@bp.post("")
def add(name: str):
    record = app_named(name)
    body = json_body()
    try:
        rule = Rule.model_validate(body)
    except ValidationError as exc:
        return jsonify(_invalid(exc)), 400
    with transaction(current_sandbox().engine, write=True) as conn:
        rule_id = stored.add(conn, record.id, rule.to_json())
        row = stored.one(conn, record.id, rule_id)
    return jsonify(_described(row)), 201


@bp.get("")
def list_rules(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = stored.all_rules(conn, record.id)
    return jsonify({"faults": [_described(r) for r in rows]})


@bp.get("/<int:rule_id>")
def get_rule(name: str, rule_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=False) as conn:
        row = stored.one(conn, record.id, rule_id)
    if row is None:
        raise ControlError(404, f"app {name!r} has no fault rule {rule_id}")
    return jsonify(_described(row))


@bp.delete("/<int:rule_id>")
def delete_rule(name: str, rule_id: int):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        gone = stored.delete(conn, record.id, rule_id)
    if not gone:
        raise ControlError(404, f"app {name!r} has no fault rule {rule_id}")
    return "", 204


@bp.delete("")
def clear(name: str):
    record = app_named(name)
    with transaction(current_sandbox().engine, write=True) as conn:
        stored.clear(conn, record.id)
    return "", 204


def _invalid(exc: ValidationError) -> dict:
    """The first problem, naming its field in the body's own spelling (``from``, ``action.status``)."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if not _variant(p))
    if first.get("type") == "extra_forbidden":
        message = f"unknown field {where!r}"
    elif first.get("type") == "missing":
        message = f"missing field {where!r}"
    else:
        text = first.get("msg", "invalid value").removeprefix("Value error, ")
        message = f"{where}: {text}" if where else text
    return {"error": message, "field": where or None}


def _variant(part) -> bool:
    """pydantic names the member of a union it tried (``http``, ``list[...]``): not a field of the body."""
    return part in ("xmlrpc_fault", "http", "latency", "drop", "truncate", "malformed") or "[" in str(part)
