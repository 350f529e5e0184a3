"""Clock advances as stored rows (schema.clock_advance): claiming an app's one running advance, moving its
progress and lease on, finishing it, reading it back from any worker process."""
from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from server.clock import UTC, monotonic, wall

from . import schema
from .db import BUSY_TIMEOUT, transaction

log = logging.getLogger("sandbox.clock")

# A running advance holds its app while its lease lasts: the heartbeat of every worker process leaves that app's
# due work to it, and no other advance of the app may start. The process running it renews the lease every
# RENEW_EVERY seconds (``kept``, ``keep_alive``), however long one of its steps takes, so the lease runs out only
# when that process has died: then, within LEASE seconds, the app's due work runs again and its clock may move again.
LEASE = 30.0
RENEW_EVERY = 5.0


class Busy(Exception):
    """Another advance of the app is running."""

    def __init__(self, advance_id: int):
        super().__init__(advance_id)
        self.advance_id = advance_id


def _utc_now() -> datetime:
    return datetime.fromtimestamp(wall(), UTC).replace(tzinfo=None)


def claim(engine, app_id: int, start_at: float, target_at: float) -> int:
    """Record a new advance of the app as running and return its id, or raise Busy with the running one's id.
    One whose lease ran out (its process died) is marked failed and replaced."""
    t = schema.clock_advance
    with transaction(engine, write=True) as conn:
        running = conn.execute(sa.select(t.c.id, t.c.lease_until).where(t.c.running_app_id == app_id)).first()
        if running is not None:
            if running.lease_until >= wall():
                raise Busy(running.id)
            conn.execute(sa.update(t).where(t.c.id == running.id).values(
                status="failed", running_app_id=None, error="abandoned: the process running it stopped",
                finished_at=_utc_now()))
    try:
        with transaction(engine, write=True) as conn:
            return conn.execute(sa.insert(t).values(
                app_id=app_id, running_app_id=app_id, status="advancing", start_at=start_at, target_at=target_at,
                reached_at=start_at, lease_until=wall() + LEASE, created_at=_utc_now())).inserted_primary_key[0]
    except IntegrityError:  # another worker claimed it between the two transactions
        with transaction(engine, write=True) as conn:
            running = conn.execute(sa.select(t.c.id).where(t.c.running_app_id == app_id)).scalar()
        raise Busy(running or 0) from None


def progress(engine, advance_id: int, reached_at: float, summary: dict) -> None:
    t = schema.clock_advance
    with transaction(engine, write=True) as conn:
        conn.execute(sa.update(t).where(t.c.id == advance_id, t.c.status == "advancing").values(
            reached_at=reached_at, summary=summary, lease_until=wall() + LEASE))


def renew(engine, advance_id: int, *, wait: float | None = None) -> None:
    """Move the advance's lease on; on SQLite waiting at most ``wait`` seconds for the write lock if given (an
    ``OperationalError`` then), else the store's busy timeout."""
    t = schema.clock_advance
    with engine.connect() as conn:
        brief = wait is not None and conn.dialect.name == "sqlite"
        driver = conn.connection.driver_connection
        if brief:
            driver.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            conn.execution_options(write=True)
            with conn.begin():
                conn.execute(sa.update(t).where(t.c.id == advance_id, t.c.status == "advancing").values(
                    lease_until=wall() + LEASE))
        finally:
            if brief:
                driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")


class _Keeper:
    """Renews one advance's lease when RENEW_EVERY has passed since the last renewal, from whichever thread asks
    first: the advance's own between its transactions (``keep_alive``), or the keeper's thread while the advance
    waits on something else. On SQLite only one connection writes at a time: a thread renewing while the advance
    writes batch after batch would wait for the lock and lose the race every time."""

    def __init__(self, engine, advance_id: int):
        self.engine, self.advance_id = engine, advance_id
        self.last = monotonic()
        self._renewing = threading.Lock()

    def renew_if_due(self, *, wait: float | None = None) -> None:
        if monotonic() - self.last < RENEW_EVERY or not self._renewing.acquire(blocking=False):
            return  # (the other thread is renewing it now)
        try:
            if monotonic() - self.last >= RENEW_EVERY:
                renew(self.engine, self.advance_id, wait=wait)
                self.last = monotonic()
        except Exception:  # a busy or lost store: the next ask tries again, well within the lease
            log.log(logging.DEBUG if wait is not None else logging.WARNING,
                    "renewing the lease of clock advance %s failed", self.advance_id, exc_info=True)
        finally:
            self._renewing.release()


_keeper: contextvars.ContextVar[_Keeper | None] = contextvars.ContextVar("advance_keeper", default=None)


def keep_alive() -> None:
    """Renew the lease of the advance this thread runs, if one does and a renewal is due: long work (a drain of
    many batches) calls it between its transactions."""
    keeper = _keeper.get()
    if keeper is not None:
        keeper.renew_if_due()


@contextlib.contextmanager
def kept(engine, advance_id: int) -> Iterator[None]:
    """Keep the advance's lease while the block runs: renewed by the block's own thread at ``keep_alive``, and by
    a thread of its own when the block has not renewed it for RENEW_EVERY (it waits on a post, say)."""
    keeper = _Keeper(engine, advance_id)
    token = _keeper.set(keeper)
    done = threading.Event()

    def renewing() -> None:  # never holding the renewal long: the block's own thread may want it
        while not done.wait(RENEW_EVERY / 4):
            keeper.renew_if_due(wait=RENEW_EVERY / 10)

    thread = threading.Thread(target=renewing, name=f"clock-advance-{advance_id}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()  # not joined: a renewal still under way matches no row once the advance is finished
        _keeper.reset(token)


def finish(engine, advance_id: int, reached_at: float, summary: dict, error: str | None = None) -> None:
    t = schema.clock_advance
    with transaction(engine, write=True) as conn:
        conn.execute(sa.update(t).where(t.c.id == advance_id).values(
            status="failed" if error else "ready", running_app_id=None, reached_at=reached_at, summary=summary,
            error=error, finished_at=_utc_now()))


def running(conn: Connection, app_id: int):
    """The app's running advance (its lease still held), or None."""
    t = schema.clock_advance
    row = conn.execute(sa.select(t).where(t.c.running_app_id == app_id)).first()
    return row if row is not None and row.lease_until >= wall() else None


def refuse_while_running(conn: Connection, app_id: int) -> None:
    """Busy if the app has an advance running: what copies or replaces the app's whole state (a snapshot taken,
    restored, a reset) would otherwise see it half-advanced, or have the advance run on over what it put back.
    Called inside the transaction that does it, so that it and the work see the same moment."""
    row = running(conn, app_id)
    if row is not None:
        raise Busy(row.id)


def running_apps(conn: Connection, app_ids) -> set[int]:
    """Which of ``app_ids`` have an advance running (its lease still held), in any worker process."""
    t = schema.clock_advance
    rows = conn.execute(sa.select(t.c.running_app_id).where(t.c.running_app_id.in_(list(app_ids)),
                                                           t.c.lease_until >= wall()))
    return {row[0] for row in rows}


def get(conn: Connection, app_id: int, advance_id: int):
    t = schema.clock_advance
    return conn.execute(sa.select(t).where(t.c.app_id == app_id, t.c.id == advance_id)).first()
