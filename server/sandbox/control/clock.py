"""The control API of an app's clock: read it, change it (freeze, set, advance, rate, back to real), and read
the status of an advance (server.sandbox.clocks holds the rules and runs the advance)."""
from __future__ import annotations

from flask import Blueprint, jsonify, url_for

from server.sandbox import clocks

from .common import ControlError, app_named, control_error, current_sandbox, json_body, parsed, require_admin

bp = Blueprint("sandbox_clock", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


@bp.get("/apps/<name>/clock")
def get_clock(name: str):
    return jsonify(clocks.describe(app_named(name)))


@bp.post("/apps/<name>/clock")
def set_clock(name: str):
    """Body (server.sandbox.clocks.ClockChange): ``{"action": "freeze" | "unfreeze" | "set" | "advance" | "rate"
    | "real"}`` with ``time`` for set, ``by`` for advance, ``rate`` for rate; or the fields without an action
    (``{"time": ..., "frozen": true}``); ``force`` to move the clock back; ``async`` to answer 202 at once with
    the advance's status resource. The answer: the clock and ``ran``, the summary of what ran on the way."""
    record = app_named(name)
    env = current_sandbox().env
    try:
        change = parsed(clocks.ClockChange, json_body())
        state = clocks.target(record, change)
        advance_id = clocks.begin(env, record, state)
    except clocks.ClockRefused as exc:
        raise ControlError(exc.status, exc.message) from None
    if change.run_async:
        clocks.run_in_background(env, record, state, advance_id)
        where = url_for(".advance_status", name=name, advance_id=advance_id)
        return jsonify(clocks.status(env, record, advance_id)), 202, {"Location": where}
    moved = clocks.run(env, record, state, advance_id)
    return jsonify({**clocks.describe(moved.record), "advance": moved.advance_id, "ran": moved.ran})


@bp.get("/apps/<name>/clock/advances/<int:advance_id>")
def advance_status(name: str, advance_id: int):
    """An advance's status: ``advancing`` (with the app time it has reached), then ``ready`` with ``ran``."""
    record = app_named(name)
    found = clocks.status(current_sandbox().env, record, advance_id)
    if found is None:
        raise ControlError(404, f"app {name!r} has no clock advance {advance_id}")
    return jsonify(found)
