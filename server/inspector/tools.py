"""Fault-injection rules (set, clear), snapshots (take, restore, forget) and the app's export, on one page."""
from __future__ import annotations

import json

from flask import request

from server.faults.rules import REAL_FAULTS, Rule
from server.sandbox.control import exports as control_exports
from server.sandbox.control import faults as control_faults
from server.sandbox.control import snapshots as control_snapshots

from .apps import context
from .web import Refused, act, bp, call, model, record_or_404, render, whole_number

ACTIONS = ("xmlrpc_fault", "http", "drop", "latency", "truncate", "malformed")


@bp.route("/apps/<name>/tools")
def tools(name: str):
    ctx = context(name)
    rules = call(control_faults.list_rules, name=name)["faults"]
    snapshots = call(control_snapshots.listing, name=name)["snapshots"]
    return render("tools.html", tab="tools", rules=rules, snapshots=snapshots, fault_tags=sorted(REAL_FAULTS),
                  actions=ACTIONS, **ctx)


def _rule(form) -> dict:
    """A rule from the form's fields, or from its JSON when that is given (any rule the control API takes)."""
    text = form.get("json", "").strip()
    if text:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise Refused(400, f"the rule's JSON is not valid: {exc}") from None
    kind = form.get("action", "")
    action: dict = {"type": kind}
    if kind == "xmlrpc_fault":
        action.update(tag=form.get("tag") or None, message=form.get("message") or "An unexpected error occurred")
    elif kind == "http":
        action["status"] = whole_number(form, "status")
    elif kind == "latency":
        action["ms"] = whole_number(form, "ms")
    match = {k: form.get(k) for k in ("method", "protocol", "credential_kind") if form.get(k)}
    rule = {"name": form.get("name") or None, "match": match, "action": action}
    if form.get("first"):
        rule["first"] = whole_number(form, "first")
    return {k: v for k, v in rule.items() if v is not None}


@bp.post("/apps/<name>/faults")
def add_fault(name: str):
    def work():
        rule = _rule(request.form)
        if not isinstance(rule, dict):
            raise Refused(400, "the rule must be a JSON object")
        made = call(control_faults.add, name=name, body=model(Rule, rule))
        return f"fault rule {made['id']} set"
    return act("inspector.tools", work, name=name)


@bp.post("/apps/<name>/faults/<int:rule_id>/delete")
def delete_fault(name: str, rule_id: int):
    return act("inspector.tools", lambda: call(control_faults.delete_rule, name=name, rule_id=rule_id),
               notice=f"fault rule {rule_id} cleared", name=name)


@bp.post("/apps/<name>/faults/clear")
def clear_faults(name: str):
    return act("inspector.tools", lambda: call(control_faults.clear, name=name), notice="every fault rule cleared",
               name=name)


@bp.post("/apps/<name>/snapshots")
def take_snapshot(name: str):
    def work():
        body = model(control_snapshots.NewSnapshot, {"name": request.form.get("name", "").strip()})
        call(control_snapshots.take, name=name, body=body)
        return f"snapshot {body.name} taken"
    return act("inspector.tools", work, name=name)


@bp.post("/apps/<name>/snapshots/<snapshot>/restore")
def restore_snapshot(name: str, snapshot: str):
    def work():
        restored = call(control_snapshots.restore, name=name, snapshot=snapshot)
        return f"snapshot {snapshot} restored (clock {restored['clock']})"
    return act("inspector.tools", work, name=name)


@bp.post("/apps/<name>/snapshots/<snapshot>/delete")
def delete_snapshot(name: str, snapshot: str):
    return act("inspector.tools", lambda: call(control_snapshots.delete, name=name, snapshot=snapshot),
               notice=f"snapshot {snapshot} forgotten", name=name)


@bp.route("/apps/<name>/export")
def export(name: str):
    record_or_404(name)
    return call(control_exports.export, name=name)
