"""The control API's core: apps (create, describe, reset), the per-app options, the change log and the
throttle state, under /sandbox/ (never the real API's paths). The clock is server.sandbox.control.clock."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify

from server.auth import gateway
from server.clock import UTC
from server.journal.journal import ring_of
from server.sandbox import clocks
from server.sandbox.seeding import bootstrap
from server.store import apps, credentials, options
from server.store.db import transaction
from server.store.session import AppRecord
from server.throttle.settings import DEFAULTS, merge

from .common import ControlError, app_named, control_error, current_sandbox, json_body, page_args, paged, require_admin

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def _describe(record: AppRecord) -> dict:
    return {"name": record.name, "legacy_api_key": record.legacy_key, "time_zone": record.time_zone,
            "clock": clocks.describe(record), "options": {k: record.option(k) for k in options.DEFAULTS}}


@bp.get("/apps")
def list_apps():
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"apps": [_describe(r) for r in apps.all_apps(conn)]})


@bp.post("/apps")
def create_app():
    body = json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or not name.replace("-", "").isalnum():
        raise ControlError(400, "name must be letters, digits and dashes (the app's URL prefix)")
    sandbox = current_sandbox()
    with transaction(sandbox.engine, write=False) as conn:
        if apps.by_name(conn, name) is not None:
            raise ControlError(409, f"an app named {name!r} exists")
    record = bootstrap.create_app_record(
        sandbox.env, name, seed_dir=sandbox.config.seed_dir if body.get("seed", True) else None,
        legacy_key=body.get("legacy_api_key"), time_zone=body.get("time_zone"))
    return jsonify(_describe(record)), 201


@bp.get("/apps/<name>")
def get_app(name: str):
    return jsonify(_describe(app_named(name)))


@bp.post("/apps/<name>/reset")
def reset(name: str):
    sandbox = current_sandbox()
    record = app_named(name)
    counts = bootstrap.reset_app(sandbox.env, record, sandbox.config.seed_dir)
    sandbox.journal.clear(ring_of(record))
    return jsonify({"app": name, "reset": True, "seeded": counts})


@bp.get("/apps/<name>/options")
def get_options(name: str):
    record = app_named(name)
    return jsonify({k: record.option(k) for k in options.DEFAULTS})


@bp.patch("/apps/<name>/options")
def set_options(name: str):
    record = app_named(name)
    changes = json_body()
    merged = dict(record.options)
    for key, value in changes.items():
        try:
            merged[key] = options.validate(key, value)
        except KeyError:
            raise ControlError(400, f"unknown option {key!r}") from None
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options=merged)
        record = apps.by_id(conn, record.id)
    return jsonify({k: record.option(k) for k in options.DEFAULTS})


@bp.get("/apps/<name>/events")
def events(name: str):
    """The app's change log, oldest first, without consuming it: ``?count=<n>&next=<seq>``."""
    record = app_named(name)
    page = page_args()
    with transaction(current_sandbox().engine, write=False) as conn:
        rows = apps.events(conn, record.id, after=page.after, limit=page.fetch)
    items = [{"seq": r.seq, "type": r.type, "entity": r.entity, "entity_id": r.entity_id,
              "occurred_at": r.occurred_at.replace(tzinfo=UTC).isoformat(), "payload": r.payload} for r in rows]
    return jsonify(paged("events", items, page, lambda e: e["seq"]))


# --- throttling --------------------------------------------------------------------------------------

def _callers(record: AppRecord) -> dict:
    """The credentials that can call the app through the gateway, by the name the throttle state shows them
    under: the legacy key in X-Keap-API-Key, each OAuth client with a grant for the app, each Keap API key."""

    callers = {"legacy_key_header": gateway.legacy_key_credential(record)}
    with transaction(current_sandbox().engine, write=False) as conn:
        for client_id in sorted(credentials.clients_of_app(conn, record.id)):
            callers[f"oauth_client:{client_id}"] = gateway.oauth_client_credential(client_id)
        for row in credentials.keys_of_app(conn, record.id):
            callers[f"{row.kind}:{row.id}"] = gateway.api_key_credential(record.id, row)
    return callers


def _throttle_state(record: AppRecord) -> dict:
    state = current_sandbox().throttle.state(record, _callers(record))
    for key in ("next_refill",):
        if state["legacy"][key] is not None:
            state["legacy"][key] = datetime.fromtimestamp(state["legacy"][key], UTC).isoformat()
    for windows in state["gateway"].values():
        for usage in windows.values():
            usage["resets_at"] = datetime.fromtimestamp(usage["resets_at"], UTC).isoformat()
    state["now"] = record.clock_state.now().isoformat()
    return state


@bp.get("/apps/<name>/throttle")
def get_throttle(name: str):
    """The live state: tokens, held calls, next refill; quota used and left; and the settings."""
    return jsonify(_throttle_state(app_named(name)))


@bp.patch("/apps/<name>/throttle")
def set_throttle(name: str):
    """Change the app's throttle settings (nested like the ``settings`` of GET); ``null`` turns a limit off."""

    record = app_named(name)
    changes = json_body()
    stored = dict(record.options.get("throttle") or {})
    try:
        merged = merge(merge(DEFAULTS, stored), changes)  # validates
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options={**record.options, "throttle": _diff(DEFAULTS, merged)})
        record = apps.by_id(conn, record.id)
    return jsonify(_throttle_state(record))


def _diff(defaults: dict, values: dict) -> dict:
    """Only what differs from the defaults is stored, so later default changes still reach the app."""
    out = {}
    for key, value in values.items():
        if isinstance(value, dict):
            inner = _diff(defaults[key], value)
            if inner:
                out[key] = inner
        elif value != defaults[key]:
            out[key] = value
    return out


@bp.post("/apps/<name>/throttle/reset")
def reset_throttle(name: str):
    """Refill the bucket and clear the quota windows of the app and of its keys; an OAuth client's windows,
    which count its calls to every app, lose the calls made to this app only."""
    record = app_named(name)
    shared = [c for c in _callers(record).values() if c.kind == "oauth"]
    current_sandbox().throttle.reset(record, shared)
    return jsonify(_throttle_state(record))
