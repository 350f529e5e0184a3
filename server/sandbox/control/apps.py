"""The control API's core: apps (create, describe, reset), the per-app options, the change log and the
throttle state, under /sandbox/ (never the real API's paths). The clock is server.sandbox.control.clock."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field, create_model

from server.auth import gateway
from server.clock import UTC
from server.journal.journal import ring_of
from server.sandbox import clocks
from server.sandbox.input_fields import AppName, LegacyApiKey, TimeZone
from server.sandbox.seeding import bootstrap
from server.store import advances, apps, credentials, options
from server.store.db import transaction
from server.store.session import AppRecord
from server.throttle.settings import DEFAULTS, SettingError, merge

from .clock import Clock
from .common import ControlError, advancing, app_named, current_sandbox, paged
from .contract import Answer, Body, ControlBlueprint, Page

bp = ControlBlueprint("sandbox", __name__)

class App(Answer):
    name: str
    legacy_api_key: str
    time_zone: str
    clock: Clock
    options: dict


AppList = create_model("AppList", __base__=Answer, apps=(list[App], ...))


class NewApp(Body):
    name: AppName
    seed: bool = Field(True, description="fill the app from sandbox_data/ (false: an empty app)")
    legacy_api_key: LegacyApiKey = Field(None, description="the key to give it")
    time_zone: TimeZone = Field(None, description="an IANA time zone (the seed's, or America/New_York)")


def _option_type(name: str, default):
    choices = options.CHOICES.get(name)
    if choices:
        return Literal[choices]
    if isinstance(default, list):
        return list[Annotated[int, Field(le=options.MAXIMUMS[name])]]
    if name in options.MAXIMUMS:  # documented in the OpenAPI document; options.validate checks it
        return Annotated[int, Field(le=options.MAXIMUMS[name])]
    return type(default)


OptionChanges = create_model("OptionChanges", __base__=Body, **{
    name: (_option_type(name, default), None) for name, default in options.DEFAULTS.items()})


def _settings_model(name: str, defaults: dict) -> type[Body]:
    """The throttle settings as a model, nested like DEFAULTS; every key optional (a PATCH)."""
    fields = {}
    for key, default in defaults.items():
        if isinstance(default, dict):
            kind = _settings_model(name + key.title(), default)
        elif isinstance(default, bool):
            kind = bool
        elif isinstance(default, str):
            kind = str
        else:
            kind = int | float | None  # null turns a limit off
        fields[key] = (kind, None)
    return create_model(name, __base__=Body, **fields)


ThrottleChanges = _settings_model("Throttle", DEFAULTS)


def _describe(record: AppRecord) -> dict:
    return {"name": record.name, "legacy_api_key": record.legacy_key, "time_zone": record.time_zone,
            "clock": clocks.describe(record), "options": {k: record.option(k) for k in options.DEFAULTS}}


@bp.get("/apps", summary="Every app, with its key, clock and options", answer=AppList)
def list_apps():
    with transaction(current_sandbox().engine, write=False) as conn:
        return jsonify({"apps": [_describe(r) for r in apps.all_apps(conn)]})


@bp.post("/apps", summary="Create an app (seeded from sandbox_data/ unless seed is false)", body=NewApp,
         answer=App, status=201, errors=(409,))
def create_app(body: NewApp):
    sandbox = current_sandbox()
    with transaction(sandbox.engine, write=False) as conn:
        taken = apps.name_taken(conn, body.name)
        if taken is not None:
            raise ControlError(409, taken)
        if body.legacy_api_key and apps.by_legacy_key(conn, body.legacy_api_key) is not None:
            raise ControlError(409, "that legacy_api_key is in use")
    record = bootstrap.create_app_record(
        sandbox.env, body.name, seed_dir=sandbox.config.seed_dir if body.seed else None,
        legacy_key=body.legacy_api_key, time_zone=body.time_zone)
    return jsonify(_describe(record)), 201


@bp.get("/apps/<name>", summary="One app: its key, clock and options", answer=App, errors=(404,))
def get_app(name: str):
    return jsonify(_describe(app_named(name)))


@bp.post("/apps/<name>/reset", summary="Put the app back to its seed (key, clock and options kept)",
         errors=(404, 409))
def reset(name: str):
    sandbox = current_sandbox()
    record = app_named(name)
    try:
        counts = bootstrap.reset_app(sandbox.env, record, sandbox.config.seed_dir)
    except advances.Busy as exc:
        raise advancing(name, exc, "resetting it") from None
    sandbox.journal.clear(ring_of(record))
    return jsonify({"app": name, "reset": True, "seeded": counts})


@bp.get("/apps/<name>/options", summary="The app's behaviour options (docs/divergences.md)", errors=(404,))
def get_options(name: str):
    record = app_named(name)
    return jsonify({k: record.option(k) for k in options.DEFAULTS})


@bp.patch("/apps/<name>/options", summary="Change some of the app's options", body=OptionChanges, errors=(404,))
def set_options(name: str, body: OptionChanges):
    record = app_named(name)
    merged = dict(record.options)
    for key, value in body.model_dump(exclude_unset=True).items():
        try:
            merged[key] = options.validate(key, value)
        except ValueError as exc:
            raise ControlError(400, str(exc), [{"field": key, "problem": str(exc)}]) from None
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options=merged)
        record = apps.by_id(conn, record.id)
    return jsonify({k: record.option(k) for k in options.DEFAULTS})


@bp.get("/apps/<name>/events", summary="The app's change log, oldest first, read without consuming it",
        query=Page, errors=(404,))
def events(name: str, query: Page):
    """The app's change log, oldest first, without consuming it: ``?count=<n>&next=<seq>``."""
    record = app_named(name)
    page = query.page()
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
        for client_id, throttle in credentials.clients_of_app(conn, record.id):
            callers[f"oauth_client:{client_id}"] = gateway.oauth_client_credential(client_id, throttle=throttle)
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


@bp.get("/apps/<name>/throttle", summary="The throttle's live state and settings", errors=(404,))
def get_throttle(name: str):
    """The live state: tokens, held calls, next refill; quota used and left; and the settings."""
    return jsonify(_throttle_state(app_named(name)))


@bp.patch("/apps/<name>/throttle", summary="Change the app's throttle settings (null turns a limit off)",
          body=ThrottleChanges, errors=(404,))
def set_throttle(name: str, body: ThrottleChanges):
    """Change the app's throttle settings (nested like the ``settings`` of GET); ``null`` turns a limit off."""

    record = app_named(name)
    changes = body.model_dump(exclude_unset=True)
    stored = dict(record.options.get("throttle") or {})
    try:
        merged = merge(merge(DEFAULTS, stored, checked=False), changes)  # validates the changes
    except SettingError as exc:
        raise ControlError(400, str(exc), [{"field": exc.field, "problem": exc.problem}]) from None
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


@bp.post("/apps/<name>/throttle/reset", summary="Refill the bucket and clear the quota windows", errors=(404,))
def reset_throttle(name: str):
    """Refill the bucket and clear the quota windows of the app and of its keys; an OAuth client's windows,
    which count its calls to every app, lose the calls made to this app only."""
    record = app_named(name)
    shared = [c for c in _callers(record).values() if c.kind == "oauth"]
    current_sandbox().throttle.reset(record, shared)
    return jsonify(_throttle_state(record))
