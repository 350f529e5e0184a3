"""Changing an app's clock on request, for the control API (server.sandbox.control.clock) and the CLI
(server.cli.clock) alike: what a change may ask, the rules it is held to, and running the advance it makes.

The rules, after Stripe's test clocks ("frozen_time can only be advanced"): a clock moves forward only. Once it
has been set, frozen or advanced, a change that would put it earlier is refused unless it says ``force``. Real
time is the way in and out: a clock that follows real time may be set anywhere (that picks where the app's time
starts), and ``real`` puts any clock back on the machine's time. A ``rate`` is
refused on a clock that stays frozen, where it would do nothing; ``"frozen": false`` with it lets it run. A
change must change something, and ``real`` takes no other field.

Moving forward runs what falls due on the way (server.jobs.advance), counted in a ``Tally`` (server.tally).
Every move is recorded as a clock advance (server.store.advances): one app has one running at a time, in any
worker process, and its status can be read back while it runs (``"async": true``) or after.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from server import jobs
from server.clock import UTC, ClockState, monotonic, parse_datetime, parse_duration
from server.environment import Environment
from server.sandbox import inputs
from server.store import advances, apps
from server.store.db import transaction
from server.store.session import AppRecord
from server.tally import Tally

log = logging.getLogger("sandbox.clock")


PROGRESS_EVERY = 0.5  # wall seconds between two writes of a running advance's progress


class ClockRefused(Exception):
    """A change the rules refuse: ``status`` 400 (the request is wrong) or 409 (the clock's state forbids it)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class ClockChange(BaseModel):
    """``{"action": ..., "time": ..., "by": ..., "rate": ..., "frozen": ..., "force": ..., "async": ...}``:
    ``time`` is ISO 8601 (no zone: the app's local time), ``by`` seconds or a duration ("90m", "7d")."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["freeze", "unfreeze", "set", "advance", "rate", "real"] | None = None
    time: StrictStr | None = Field(None, description="ISO 8601; no zone means the app's local time")
    by: Annotated[StrictInt | StrictFloat | StrictStr, AfterValidator(inputs.duration)] | None = Field(
        None, description="seconds, or 90m, 36h, 7d, 2w, 1d12h")
    rate: Annotated[StrictInt | StrictFloat, AfterValidator(inputs.rate)] | None = Field(
        None, description="app seconds per wall second")
    frozen: StrictBool | None = None
    force: StrictBool = Field(False, description="move the clock back (a clock otherwise only moves forward)")
    run_async: StrictBool = Field(False, alias="async", description="answer 202 at once; read the advance's status")


def target(record: AppRecord, change: ClockChange) -> ClockState:
    """The clock state ``change`` moves the app to, or ClockRefused."""
    given = change.model_fields_set - {"force", "run_async"}
    if not given:
        raise ClockRefused(400, "nothing to change: give action, time, by, rate or frozen")
    current = record.clock_state
    before = current.timestamp()  # a running clock moves on while the change is worked out: read it once, first
    if change.action == "real":
        if given - {"action"}:
            raise ClockRefused(400, f"action real takes no other field (got {', '.join(sorted(given - {'action'}))})")
        state = ClockState.real()
    else:
        state = _apply(record, current, change)
    if state.timestamp() > inputs.LATEST:  # the latest moment a clock may show
        raise ClockRefused(400, f"{'by' if change.by is not None else 'time'}: the clock cannot go past the year 9000")
    if state.timestamp() < before and not (current.is_real or state.is_real or change.force):
        now, then = _iso(before), _iso(state.timestamp())
        raise ClockRefused(409, f"the clock of app {record.name!r} is at {now}: moving it to {then} would move it "
                                "back, and a clock only moves forward (send \"force\": true to move it back anyway)")
    return state


def _apply(record: AppRecord, state: ClockState, change: ClockChange) -> ClockState:
    action = change.action
    needs = {"set": ("time", change.time), "advance": ("by", change.by), "rate": ("rate", change.rate)}
    if action in needs and needs[action][1] is None:
        raise ClockRefused(400, f"{action} needs {needs[action][0]}")
    if (action == "freeze" and change.frozen is False) or (action == "unfreeze" and change.frozen is True):
        raise ClockRefused(400, f"action {action} contradicts \"frozen\": {str(change.frozen).lower()}")
    frozen = {"freeze": True, "unfreeze": False}.get(action, change.frozen)
    if frozen is True:
        state = state.freeze()
    if change.time is not None:
        state = state.set(_moment(record, change.time))
    if change.by is not None:
        try:
            state = state.advance(parse_duration(change.by))
        except ValueError as exc:
            raise ClockRefused(400, f"by: {exc}") from None
    if frozen is False:
        state = state.unfreeze()
    if change.rate is not None:
        if frozen is True:
            raise ClockRefused(400, "a rate has no effect on a clock being frozen: leave out the rate, or the freeze")
        if state.frozen:
            raise ClockRefused(409, "the clock is frozen and a rate has no effect on it: send \"frozen\": false "
                                    "with the rate to let the clock run at that rate")
        try:
            state = state.with_rate(change.rate)
        except ValueError as exc:
            raise ClockRefused(400, f"rate: {exc}") from None
    return state


def _moment(record: AppRecord, value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        raise ClockRefused(400, f"time: not an ISO 8601 date-time: {inputs.shown(value)} (e.g. 2024-01-31T09:30:00, "
                                "the app's local time, or 2024-01-31T14:30:00Z)")
    try:
        inputs.moment(moment)
    except inputs.InvalidInput:
        raise ClockRefused(400, f"time: {inputs.shown(value)} is not between the years {inputs.FIRST_YEAR} and "
                                f"{inputs.LAST_YEAR}") from None
    if moment.tzinfo is None:
        moment = record.clock.to_utc(moment)
    return moment.astimezone(UTC)


def describe(record: AppRecord) -> dict:
    """An app's clock as the control API shows it."""
    state = record.clock_state
    now = state.now()
    return {"now": now.isoformat(), "local": record.clock.to_local(now).isoformat(),
            "time_zone": record.time_zone, "frozen": state.frozen, "rate": state.rate, "real": state.is_real}


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


# --- moving the clock ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Moved:
    """What a finished move did: the app as it is now, the advance's id and its summary."""

    record: AppRecord
    advance_id: int
    ran: dict


def begin(env: Environment, record: AppRecord, state: ClockState) -> int:
    """Claim the app's clock for a move to ``state``: the advance's id, or ClockRefused(409) while another
    runs (here or in another worker process)."""
    try:
        return advances.claim(env.engine, record.id, record.clock_state.timestamp(), state.timestamp())
    except advances.Busy as exc:
        raise ClockRefused(409, f"the clock of app {record.name!r} is being advanced (advance {exc.advance_id}): "
                                "wait until it is ready") from None


def run(env: Environment, record: AppRecord, state: ClockState, advance_id: int,
        on_step: Callable[[float, Tally], None] | None = None) -> Moved:
    """Move the app's clock to ``state`` (claimed by ``begin``), running what falls due on the way when it
    moves forward, and record the outcome. ``on_step(app time, tally)`` is told of each step."""
    tally = Tally()
    last = [monotonic()]

    def stepped(at: float) -> None:
        if monotonic() - last[0] >= PROGRESS_EVERY:
            last[0] = monotonic()
            advances.progress(env.engine, advance_id, at, tally.as_json())
        if on_step is not None:
            on_step(at, tally)

    try:
        with advances.kept(env.engine, advance_id):
            if state.timestamp() > record.clock_state.timestamp():
                record = jobs.advance(env, record, state, tally, stepped)
            else:
                with transaction(env.engine, write=True) as conn:
                    apps.set_clock(conn, record.id, state)
                    record = apps.by_id(conn, record.id)
    except Exception as exc:
        log.exception("advancing the clock of app %s failed", record.name)
        with transaction(env.engine, write=False) as conn:
            now = apps.by_id(conn, record.id)  # None if the app was deleted meanwhile
        reached = (now or record).clock_state.timestamp()
        advances.finish(env.engine, advance_id, reached, tally.as_json(), error=f"{type(exc).__name__}: {exc}")
        raise
    advances.finish(env.engine, advance_id, record.clock_state.timestamp(), tally.as_json())
    return Moved(record, advance_id, tally.as_json())


def run_in_background(env: Environment, record: AppRecord, state: ClockState, advance_id: int) -> None:
    """``run`` in a thread of this process; its status is read from the store (``status``)."""

    def work() -> None:
        with contextlib.suppress(Exception):  # run recorded it as failed (and logged it); nothing waits here
            run(env, record, state, advance_id)

    threading.Thread(target=work, name=f"clock-advance-{advance_id}", daemon=True).start()


def status(env: Environment, record: AppRecord, advance_id: int) -> dict | None:
    """An advance as the control API shows it (None if the app has no such advance): ``advancing`` with the
    app time it has reached, then ``ready`` (or ``failed``) with the summary of what ran."""
    with transaction(env.engine, write=False) as conn:
        row = advances.get(conn, record.id, advance_id)
    if row is None:
        return None
    span = row.target_at - row.start_at
    done = 1.0 if row.status != "advancing" or span <= 0 else min(max((row.reached_at - row.start_at) / span, 0), 1)
    out = {"id": row.id, "app": record.name, "status": row.status, "from": _iso(row.start_at),
           "to": _iso(row.target_at), "reached": _iso(row.reached_at), "progress": round(done, 4),
           "ran": row.summary or Tally().as_json()}
    if row.error:
        out["error"] = row.error
    return out
