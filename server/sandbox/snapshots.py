"""Snapshots of an app and deleting an app: what the control API and the command line call. The store keeps
the rows, credentials and settings (server.store.snapshots); the throttle state, which lives in this process or
in Redis (server.throttle), is saved and put back beside them; FileService's bytes are removed with the app.

A restore holds the app's due-work lock (server.jobs), so the heartbeat of this process never runs the app's
work half-way through it.
"""
from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from server import jobs
from server.environment import Environment
from server.faults.injector import Injector
from server.store import advances, apps
from server.store import faults as stored_faults
from server.store import snapshots as store
from server.store.db import transaction
from server.store.session import AppRecord
from server.throttle.throttle import Throttle

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class NoSnapshot(LookupError):
    pass


def valid_name(name) -> bool:
    """A snapshot's name: 1 to 128 letters, digits, dots, dashes and underscores (it goes in a URL path)."""
    return isinstance(name, str) and NAME.fullmatch(name) is not None


def describe(row) -> dict:
    return {"name": row.name, "created_at": row.created_at.replace(tzinfo=UTC).isoformat(),
            "app_time": _iso(row.app_time)}


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def take(env: Environment, throttle: Throttle, app: AppRecord, name: str, faults: Injector | None = None) -> dict:
    """Save the app's state as ``name`` (store.SnapshotExists if it has one of that name). ``faults``: the gate's,
    whose rule counts kept outside the store (in Redis) go into it first, to be saved with the rules."""
    with consistent(env, write=True) as conn:
        advances.refuse_while_running(conn, app.id)
        folding = faults is not None and faults.counts.shared and store.find(conn, app.id, name) is None
        if folding:
            faults.fold(conn, app.id)
        row = store.take(conn, app, name, {"throttle": throttle.saved(app)})
        if folding:
            stored_faults.recount(conn, app.id)  # the counts folded: a new stamp, counted in Redis from 0
    return describe(row)


def restore(env: Environment, throttle: Throttle, app: AppRecord, name: str) -> AppRecord:
    """Put the snapshot ``name`` back (NoSnapshot if there is none; advances.Busy while an advance runs: the
    advance would go on over the state put back)."""
    with transaction(env.engine, write=False) as conn:
        advances.refuse_while_running(conn, app.id)  # first: this process's advance holds the lock below
    with jobs.lock_for(env.engine, app.id):
        with transaction(env.engine, write=True) as conn:
            advances.refuse_while_running(conn, app.id)
            row = store.find(conn, app.id, name)
            if row is None:
                raise NoSnapshot(name)
            record = store.restore(conn, app, row)
        throttle.put_back(record, row.state["extra"].get("throttle"))
    return record


def listing(env: Environment, app: AppRecord) -> list[dict]:
    with transaction(env.engine, write=False) as conn:
        return [describe(r) for r in store.listing(conn, app.id)]


def delete(env: Environment, app: AppRecord, name: str) -> None:
    with transaction(env.engine, write=True) as conn:
        row = store.find(conn, app.id, name)
        if row is None:
            raise NoSnapshot(name)
        store.drop(conn, row)


def delete_app(env: Environment, throttle: Throttle, app: AppRecord) -> None:
    """Remove the app and everything it owns: its rows, credentials and snapshots, FileService's bytes, its
    throttle state. Its keys and tokens stop working at once."""
    with jobs.lock_for(env.engine, app.id):
        with transaction(env.engine, write=True) as conn:
            apps.remove(conn, app.id)
        throttle.put_back(app, None)
        if env.files is not None:  # the app's blobs are under <files>/<app id>/ (server.store.files)
            shutil.rmtree(env.files.root / str(int(app.id)), ignore_errors=True)


@contextlib.contextmanager
def consistent(env: Environment, *, write: bool) -> Iterator[Connection]:
    """A transaction whose reads all see one moment, for copying a whole app: on SQLite a transaction does; on
    PostgreSQL every statement of it reads the same snapshot (REPEATABLE READ), not each its own."""
    if env.engine.dialect.name != "postgresql":
        with transaction(env.engine, write=write) as conn:
            yield conn
        return
    with env.engine.connect() as conn:
        conn.execution_options(write=write, isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
