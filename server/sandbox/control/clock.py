"""The control API of an app's clock: read it, change it (freeze, set, advance, rate, back to real), and read
the status of an advance (server.sandbox.clocks holds the rules and runs the advance)."""
from __future__ import annotations

from flask import jsonify, url_for
from pydantic import create_model

from server.sandbox import clocks
from server.sandbox.clocks import ClockChange

from .common import ControlError, app_named, current_sandbox
from .contract import Answer, ControlBlueprint

bp = ControlBlueprint("sandbox_clock", __name__)


class Clock(Answer):
    now: str
    local: str
    time_zone: str
    frozen: bool
    rate: float
    real: bool


class Advance(Answer):
    id: int
    app: str
    status: str
    progress: float
    ran: dict


MovedClock = create_model("MovedClock", __base__=Clock, advance=(int, ...), ran=(dict, ...))


@bp.get("/apps/<name>/clock", summary="The app's clock", answer=Clock, errors=(404,))
def get_clock(name: str):
    return jsonify(clocks.describe(app_named(name)))


@bp.post("/apps/<name>/clock", summary="Freeze, set, advance, speed up the app's clock, or give it back real time",
         body=ClockChange, answer=MovedClock, errors=(202, 404, 409))
def set_clock(name: str, body: ClockChange):
    """Body (server.sandbox.clocks.ClockChange): ``{"action": "freeze" | "unfreeze" | "set" | "advance" | "rate"
    | "real"}`` with ``time`` for set, ``by`` for advance, ``rate`` for rate; or the fields without an action
    (``{"time": ..., "frozen": true}``); ``force`` to move the clock back; ``async`` to answer 202 at once with
    the advance's status resource. The answer: the clock and ``ran``, the summary of what ran on the way."""
    record = app_named(name)
    env = current_sandbox().env
    try:
        change = body
        state = clocks.target(record, change)
        advance_id = clocks.begin(env, record, state)
    except clocks.ClockRefused as exc:
        raise ControlError(exc.status, exc.message) from None
    if change.run_async:
        clocks.run_in_background(env, record, state, advance_id)
        where = url_for(f"{bp.name}.advance_status", name=name, advance_id=advance_id)  # from the inspector too
        return jsonify(clocks.status(env, record, advance_id)), 202, {"Location": where}
    moved = clocks.run(env, record, state, advance_id)
    return jsonify({**clocks.describe(moved.record), "advance": moved.advance_id, "ran": moved.ran})


@bp.get("/apps/<name>/clock/advances/<int:advance_id>", summary="A clock advance's status", answer=Advance,
        errors=(404,))
def advance_status(name: str, advance_id: int):
    """An advance's status: ``advancing`` (with the app time it has reached), then ``ready`` with ``ran``."""
    record = app_named(name)
    found = clocks.status(current_sandbox().env, record, advance_id)
    if found is None:
        raise ControlError(404, f"app {name!r} has no clock advance {advance_id}")
    return jsonify(found)
