"""Work that falls due on an app's clock, and the heartbeat that runs it.

Campaign timers, HTTP posts, REST hook deliveries and their retries are rows with a due time on the app's
clock. Each kind is one ``DueWork`` in the registry (server.registry; the packages' ``install`` add them): how
to find the earliest due time an app has, and how to run everything of that app due at or before a given
time. Nothing else is scheduled: one thread per process (the heartbeat) pumps wall time in and runs what is due
for every app, so a million waiting contacts cost no more jobs than one. Sources claim their rows atomically, so
several worker processes can beat at once.

Moving an app's clock forward goes through ``advance``: it steps the clock to each due time in order and
runs what falls due there, so a 7-day jump gives the same order and timestamps as 7 real days. Requests to the
outside world (due work marked ``outside``: the outbox, server.domain.outbox) are the exception: they are sent
after the jump's in-app work, concurrently and with a short timeout, each recorded at the time it fell due, so
a slow receiver cannot stall a jump.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

from server.clock import ClockState
from server.environment import Environment
from server.registry import DueWork
from server.store import advances, apps
from server.store.db import transaction
from server.store.session import AppRecord
from server.tally import Tally

log = logging.getLogger("sandbox.jobs")


def next_due(env: Environment, app_ids: list[int] | None = None,
             sources: list[DueWork] | None = None) -> dict[int, float]:
    """App id -> its earliest due time over every source (or over ``sources``)."""
    earliest: dict[int, float] = {}
    with transaction(env.engine, write=False) as conn:
        for source in env.registry.due_work if sources is None else sources:
            for app_id, due in source.next_due(conn, app_ids).items():
                if due is not None and (app_id not in earliest or due < earliest[app_id]):
                    earliest[app_id] = due
    return earliest


def run_due(env: Environment, app: AppRecord, now: float | None = None, tally: Tally | None = None,
            sources: list[DueWork] | None = None) -> int:
    """Run each source's (or each of ``sources``') due work for ``app`` at its current time (or ``now``) until
    none is left, counting what it did in ``tally``."""
    now = app.clock_state.timestamp() if now is None else now
    sources = env.registry.due_work if sources is None else sources
    total = 0
    for _ in range(10_000):  # work can make more work due at once (a goal, then its sequence's items)
        ran = sum(source.run_due(env, app, now, tally) for source in sources)
        total += ran
        advances.keep_alive()  # (when a clock advance runs it)
        if not ran:
            break
    return total


# --- moving the clock ---------------------------------------------------------------------------------

_app_locks: dict[tuple[int, int], threading.Lock] = {}
_locks_guard = threading.Lock()


def lock_for(engine: Engine, app_id: int) -> threading.Lock:
    """The lock of one app's due work in this process (moving its clock, draining it)."""
    with _locks_guard:
        return _app_locks.setdefault((id(engine), app_id), threading.Lock())


def advance(env: Environment, app: AppRecord, target: ClockState, tally: Tally | None = None,
            progress: Callable[[float], None] | None = None) -> AppRecord:
    """Move ``app``'s clock to the state ``target`` (later than now), stepping through every due time in
    between in order and running what falls due there, with the clock frozen at that time while it runs.
    ``tally`` counts what ran (server.tally); ``progress(at)`` is told each app time the clock steps to."""
    end = target.timestamp()
    start = app.clock_state.timestamp()
    engine = env.engine
    inside = [w for w in env.registry.due_work if not w.outside]
    with lock_for(engine, app.id):
        while True:
            due = next_due(env, [app.id], inside).get(app.id)
            if due is None or due > end:
                break
            at = max(due, app.clock_state.timestamp())
            app = _set_clock(engine, app, app.clock_state.set(at).freeze())
            run_due(env, app, at, tally, inside)
            if progress is not None:
                progress(at)
        _send_outside(env, app, start, end, tally)
        # the wall time spent stepping is not added: a running clock resumes from ``end``
        return _set_clock(engine, app, target if target.frozen or target.is_real else target.set(end))


def _send_outside(env: Environment, app: AppRecord, start: float, end: float, tally: Tally | None) -> None:
    """The outside requests that fell due in the jump from ``start`` to ``end``, after its in-app work: each
    round sends every one due by ``end`` at once (retries that still fall inside the jump make the next
    round), recorded at the time it fell due (server.domain.outbox.queue)."""
    outside = [w for w in env.registry.due_work if w.outside]
    for _ in range(1_000):  # a round per attempt: bounded by the kinds' attempts, and by this
        due = next_due(env, [app.id], outside).get(app.id)
        if due is None or due > end:
            return
        if not sum(source.run_due(env, app, end, tally, since=start) for source in outside):
            return  # due, but claimed by another worker


def _set_clock(engine: Engine, app: AppRecord, state: ClockState) -> AppRecord:
    with transaction(engine, write=True) as conn:
        apps.set_clock(conn, app.id, state)
        return apps.by_id(conn, app.id)


# --- the heartbeat ------------------------------------------------------------------------------------

class Heartbeat:
    """One thread per process: every ``seconds`` of wall time, run what is due for every app on its own clock. A
    beat that overruns its interval is followed by the next at once, never by the ones it missed (a plain thread
    and an event: APScheduler, which this was, took 14 MiB for one interval job, issue 18 §8)."""

    def __init__(self, env: Environment, seconds: float, periodic: tuple[Callable[[], None], ...] = ()):
        self.env = env
        self.engine = env.engine
        self.seconds = seconds
        self.periodic = periodic  # also run at each beat, and once more at stop (the migration counter's flush)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def beat(self) -> None:
        self._run_due()
        for work in self.periodic:
            try:
                work()
            except Exception:  # one piece's failure never stops the beat
                log.exception("periodic work %r failed", work)

    def _run_due(self) -> None:
        if not self.env.registry.due_work:
            return
        due = next_due(self.env)
        if not due:
            return
        with transaction(self.engine, write=False) as conn:
            # the due work of an app whose clock another worker process is moving is that move's to run (the
            # lock below is this process's only): a post sent from here would let the move finish while it is out
            moving = advances.running_apps(conn, due)
            waiting = [a for a in (apps.by_id(conn, i) for i in sorted(due) if i not in moving)
                       if a is not None and not a.name.startswith(apps.INTERNAL_PREFIX)]  # templates stay inert
        for app in waiting:
            if due[app.id] > app.clock_state.timestamp():
                continue
            lock = lock_for(self.engine, app.id)
            if not lock.acquire(blocking=False):  # the clock of this app is being moved: that runs its work
                continue
            try:
                run_due(self.env, app)
            except Exception:  # one app's failure never stops the others' work
                log.exception("due work of app %s failed", app.name)
            finally:
                lock.release()

    def start(self) -> None:
        if self.seconds <= 0 or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._beating, name="sandbox-heartbeat", daemon=True)
        self._thread.start()

    def _beating(self) -> None:
        # The first beat one interval after start, not with the worker's first requests: the two at once (the
        # requests loading their lazy parts, the beat slowed by them) made SQLite's pool open a second
        # connection, kept for good with its own schema and page cache (issue 18 §8, bench/memory.py).
        wait = self.seconds
        while not self._stopping.wait(wait):
            started = time.monotonic()
            try:
                self.beat()
            except Exception:  # (the store unreachable a moment): the next beat tries again
                log.exception("the heartbeat's beat failed")
            wait = max(0.0, self.seconds - (time.monotonic() - started))

    def stop(self) -> None:
        if self._thread is not None:
            self._stopping.set()
            self._thread.join()
            self._thread = None
            for work in self.periodic:
                work()
