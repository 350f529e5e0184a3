"""An app's migration page (issue 19): the migration report (every XML-RPC method and legacy-key call the app
received, by credential, first and last seen, with its REST v2 or v1 equivalent and the differences that bite),
forgetting its counts, the retirement schedule (XML-RPC's sunset and brownouts, the keap-2026 preset, the legacy
key's retirement) with what it means now on the app's clock, and the side-by-side compare tool.

The form's times are the app's local times (as every time on the pages); they reach the control API zoned, so the
control API's rule ("UTC unless zoned") never reads them as UTC."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request

from server.clock import parse_duration
from server.migration import retirement, retirement_settings
from server.sandbox.control import migration as control_migration

from .apps import context
from .web import Refused, act, back, bp, call, model, record_or_404, render


def _page(name: str, **shown):
    ctx = context(name)
    report = call(control_migration.migration_report, name=name)
    state = call(control_migration.get_retirement, name=name)
    return render("migration.html", tab="migration", report=report, state=state, until=_window_end(state),
                  form=_form(state["settings"], ctx["app"]["time_zone"]), presets=retirement.PRESETS,
                  answers=retirement.ANSWERS, **ctx, **shown)


def _window_end(state: dict) -> str | None:
    """The end of the brownout XML-RPC is in now, if it is in one."""
    now = datetime.fromisoformat(state["now"])
    for window in state["brownouts"]:
        if datetime.fromisoformat(window["start"]) <= now < datetime.fromisoformat(window["end"]):
            return window["end"]
    return None


def _local_input(value: str | None, zone: str) -> str:
    """A stored (zoned) time as the form's app-local ``2026-03-10T09:00:00``."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S")


def _form(settings: dict, zone: str) -> dict:
    """The stored settings as the form shows them: app-local times, durations in seconds (``4h`` reads too)."""
    windows = [retirement_settings.Brownout.model_validate(b) for b in settings["xmlrpc"]["brownouts"]]
    return {"preset": settings["xmlrpc"]["preset"], "answer": settings["xmlrpc"]["answer"],
            "sunset": _local_input(settings["xmlrpc"]["sunset"], zone),
            "brownouts": "\n".join(f"{_local_input(w.start.isoformat(), zone)} {int(w.duration.total_seconds())}s"
                                   for w in windows),
            "legacy_retired": _local_input(settings["legacy_keys"]["retired"], zone)}


@bp.route("/apps/<name>/migration")
def migration(name: str):
    return _page(name)


@bp.post("/apps/<name>/migration/reset")
def reset_migration(name: str):
    record_or_404(name)
    call(control_migration.clear_migration_report, name=name)
    return back("inspector.migration", name=name, notice="the migration counts are forgotten")


# --- the retirement schedule ---------------------------------------------------------------------------------

def _moment(text: str, zone: str, field: str) -> str | None:
    """An app-local time from the form (``2026-03-10T09:00``), zoned in the app's zone; a zoned one as it is."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(400, f"{field} must be a date and time (2026-03-10T09:00), not {text!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))).isoformat()


def _brownouts(text: str, zone: str) -> list[dict]:
    """One window a line: its app-local start and its duration (``2026-03-10T09:00 4h``)."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        start, _, length = line.strip().rpartition(" ")
        if not start:
            raise Refused(400, f"brownouts, line {number}: give a start and a duration (2026-03-10T09:00 4h)")
        try:
            seconds = parse_duration(length)
        except ValueError as exc:
            raise Refused(400, f"brownouts, line {number}: {exc}") from None
        out.append({"start": _moment(start, zone, f"brownouts, line {number}"), "duration": seconds})
    return out


def _schedule(form, zone: str) -> dict:
    """The schedule from the form's fields, or from its JSON when that is given (any body the control API takes)."""
    text = form.get("json", "").strip()
    if text:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise Refused(400, f"the schedule's JSON is not valid: {exc}") from None
    xmlrpc = {"preset": form.get("preset") or None, "sunset": _moment(form.get("sunset", ""), zone, "sunset"),
              "brownouts": _brownouts(form.get("brownouts", ""), zone), "answer": form.get("answer") or None}
    legacy = {"retired": _moment(form.get("legacy_retired", ""), zone, "legacy keys retired")}
    return {"xmlrpc": {k: v for k, v in xmlrpc.items() if v not in (None, [])},
            "legacy_keys": {k: v for k, v in legacy.items() if v is not None}}


@bp.post("/apps/<name>/retirement")
def set_retirement(name: str):
    app = context(name)["app"]

    def work():
        schedule = _schedule(request.form, app["time_zone"])
        if not isinstance(schedule, dict):
            raise Refused(400, "the schedule must be a JSON object")
        state = call(control_migration.set_retirement, name=name, body=model(retirement_settings.Retirement, schedule))
        return f"retirement schedule set: XML-RPC is {state['xmlrpc']}, legacy keys {state['legacy_keys']}"
    return act("inspector.migration", work, name=name)


@bp.post("/apps/<name>/retirement/clear")
def clear_retirement(name: str):
    record_or_404(name)
    call(control_migration.set_retirement, name=name, body=retirement_settings.Retirement())
    return back("inspector.migration", name=name, notice="retirement schedule cleared: XML-RPC is on")


# --- side by side ---------------------------------------------------------------------------------------

@bp.post("/apps/<name>/migration/compare")
def compare(name: str):
    record_or_404(name)
    form = request.form
    text = form.get("params", "").strip() or "[]"
    try:
        try:
            params = json.loads(text)
        except ValueError as exc:
            raise Refused(400, f"params must be a JSON list of the call's parameters: {exc}") from None
        body = model(control_migration.CompareBody, {"method": form.get("method", "").strip(), "params": params})
        result = call(control_migration.migration_compare, name=name, body=body)
    except Refused as exc:
        return _page(name, error=exc.message, compare_form={"method": form.get("method", ""), "params": text})
    return _page(name, compared=result, compare_form={"method": body.method, "params": text})
