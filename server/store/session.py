"""A session scoped to one app: the only way the domain reaches stored data.

Every statement built here carries ``app_id = <this app>``; no code outside server/store builds an
unscoped query. The session also collects the domain events of its transaction; they are appended to the
change log (``domain_event``) when that transaction commits, numbered in commit order, so the log commits or
rolls back with the change.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import AppClock, ClockState

from . import bulk, prepared, schema


@dataclass(frozen=True)
class AppRecord:
    id: int
    name: str
    legacy_key: str | None
    time_zone: str
    settings: dict
    profile: dict
    options: dict
    clock_state: ClockState
    url_secret: bytes = b""  # keys the app's public URL tokens (server.domain.account.public_urls)

    @classmethod
    def from_row(cls, row) -> AppRecord:
        return cls(
            id=row.id, name=row.name, legacy_key=row.legacy_key, time_zone=row.time_zone,
            settings=row.settings or {}, profile=row.profile or {}, options=row.options or {},
            clock_state=ClockState(row.clock_anchor_real, row.clock_anchor_virtual or 0.0,
                                   row.clock_rate or 1.0, bool(row.clock_frozen)),
            url_secret=bytes.fromhex(row.url_secret),
        )

    def option(self, name: str):
        """A sandbox behaviour setting of this app (see server.sandbox.options for the defaults)."""
        from server.sandbox.options import DEFAULTS
        return self.options.get(name, DEFAULTS[name])

    @property
    def clock(self) -> AppClock:
        return AppClock(self.clock_state, _zone(self.time_zone))


_ZONES: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    zone = _ZONES.get(name)
    if zone is None:
        zone = _ZONES[name] = ZoneInfo(name)
    return zone


@dataclass
class Event:
    type: str  # e.g. "contact.added", "tag.applied"
    entity: str
    entity_id: int | None
    payload: dict = field(default_factory=dict)


# Listeners run inside the writing transaction, in order, for every event (the engine registers here).
_listeners: list[Callable[[AppSession, Event], None]] = []


def on_event(listener: Callable[[AppSession, Event], None]) -> Callable:
    _listeners.append(listener)
    return listener


_GET: dict[str, prepared.PreparedAll] = {}

# What the app's public URLs start with when no request tells (set at start-up from the configuration).
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class AppSession:
    def __init__(self, conn, app: AppRecord, user_id: int | None = None, *, base_url: str | None = None,
                 files=None):
        """``conn``: a Connection, or a gate call's Transaction (server.store.db), whose Connection is made
        when a statement first needs one."""
        if isinstance(conn, Connection):
            self._conn, self.source = conn, conn
        else:
            self._conn, self.source = None, conn
        self.app = app
        self.user_id = user_id  # the user the credential acts as (OAuth grant, Personal Access Token), if any
        # where the client reached the sandbox (what the app's public URLs start with), e.g. http://127.0.0.1:8000
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.files = files  # the FileStore that keeps FileService's bytes (server.store.files), if any
        self.clock = app.clock
        self.events: list[Event] = []
        self._now: datetime | None = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            self._conn = self.source.conn()
        return self._conn

    # --- time ---------------------------------------------------------------------------------------
    def now_local(self) -> datetime:
        """The app's local time, fixed for the whole transaction (one request, one timestamp)."""
        if self._now is None:
            self._now = self.clock.local_now()
        return self._now

    # --- reading ------------------------------------------------------------------------------------
    def select(self, table: sa.Table, *columns) -> sa.Select:
        return sa.select(*(columns or (table,))).where(table.c.app_id == self.app.id)

    def scoped(self, table: sa.Table, onclause) -> sa.ColumnElement:
        """An ON clause for joining ``table``, restricted to this app."""
        return sa.and_(table.c.app_id == self.app.id, onclause)

    def execute(self, statement, params=None):
        return self.conn.execute(statement, params) if params is not None else self.conn.execute(statement)

    def get(self, table: sa.Table, id_: int, *columns):
        """The row of ``table`` with this id (every column unless ``columns`` are given), or None."""
        if columns:
            return self.conn.execute(self.select(table, *columns).where(table.c.id == id_)).first()
        statement = _GET.get(table.name)
        if statement is None:
            statement = _GET[table.name] = prepared.PreparedAll(sa.select(table).where(
                table.c.app_id == sa.bindparam("app_id"), table.c.id == sa.bindparam("id")))
        return statement.first(self.driver_source, {"app_id": self.app.id, "id": id_})

    # Statements built once and run on the driver (server.store.prepared): for the hot paths.
    @property
    def driver_source(self):
        """Where a prepared statement runs: the Connection if one was made, else the call's Transaction,
        which then needs none (a read of one row by id makes no SQLAlchemy Connection)."""
        return self._conn if self._conn is not None else self.source

    def first(self, statement, **params):
        return statement.first(self.driver_source, {"app_id": self.app.id, **params})

    def all(self, statement, **params) -> list:
        return statement.all(self.driver_source, {"app_id": self.app.id, **params})

    def scalar(self, statement, **params):
        return statement.scalar(self.driver_source, {"app_id": self.app.id, **params})

    def run(self, statement, **params) -> int:
        return statement.run(self.conn, {"app_id": self.app.id, **params})

    # --- writing ------------------------------------------------------------------------------------
    def next_id(self, sequence: str, count: int = 1) -> int:
        """Allocate ``count`` consecutive ids of this app's ``sequence``; returns the first. One atomic upsert,
        so concurrent writers (several workers on PostgreSQL) never take the same id or collide creating it."""
        return allocate(self.conn, self.app.id, sequence, count)

    def insert(self, table: sa.Table, values: dict[str, Any] | list[dict[str, Any]]) -> None:
        """Insert one row, or many rows (all with the same keys) in one executemany. Plain values go straight to
        the driver (server.store.bulk); a row holding a SQL expression goes through SQLAlchemy."""
        if isinstance(values, dict):
            if any(isinstance(v, sa.ClauseElement) for v in values.values()):
                self.conn.execute(sa.insert(table).values(app_id=self.app.id, **values))
                return
            values = [values]
        bulk.insert_rows(self.conn, table, values, {"app_id": self.app.id})

    def update_many(self, table: sa.Table, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """One UPDATE per row (all rows setting the same columns), matched on ``keys``, in one executemany."""
        bulk.update_rows(self.conn, table, keys, rows, {"app_id": self.app.id})

    def update(self, table: sa.Table, *where, **values):
        return self.conn.execute(sa.update(table).where(table.c.app_id == self.app.id, *where).values(**values))

    def delete(self, table: sa.Table, *where):
        return self.conn.execute(sa.delete(table).where(table.c.app_id == self.app.id, *where))

    # --- events ---------------------------------------------------------------------------------------
    def emit(self, type_: str, entity: str, entity_id: int | None, **payload) -> Event:
        """Record a domain event: the listeners see it at once, inside the writing transaction; its row in
        the change log is written when the transaction commits (see ``_append_to_log``)."""
        event = Event(type_, entity, entity_id, payload)
        self.events.append(event)
        pending = _PENDING.get(self.conn)
        if pending is None:
            pending = _PENDING[self.conn] = []
        pending.append((self.app, event, self.clock.now().replace(tzinfo=None)))
        for listener in _listeners:
            listener(self, event)
        return event


# --- the change log ---------------------------------------------------------------------------------
#
# ``domain_event.seq`` counts each app's changes from 1, in commit order. The numbers are allocated when the
# writing transaction commits, from the app's ``id_sequence`` row named "domain_event", which stays locked
# until that commit: a second writer of the same app waits for the first to commit before it gets its
# numbers, so a reader that sees seq N has every change of that app up to N (an autoincrement sequence can
# commit out of order: a reader could see 10 before 9 commits and skip 9 for ever). Allocating at commit
# rather than at the first emit keeps the lock to the last instant of the transaction, after every other
# lock it takes, so it cannot close a deadlock cycle and serialises writers only for the insert itself.

_PENDING: weakref.WeakKeyDictionary[Connection, list] = weakref.WeakKeyDictionary()

LOG_SEQUENCE = "domain_event"

# Called after a transaction's events got their numbers, still inside it (REST hooks queue deliveries
# there): ``fn(conn, app, [(seq, event, occurred_at), ...])``.
_log_listeners: list[Callable[[Connection, AppRecord, list], None]] = []


def on_logged(listener: Callable[[Connection, AppRecord, list], None]) -> Callable:
    _log_listeners.append(listener)
    return listener


_ALLOCATE: dict[str, prepared.PreparedWrite] = {}


def allocate(conn: Connection, app_id: int, name: str, count: int = 1) -> int:
    """``count`` consecutive numbers of the app's sequence ``name``; returns the first. The row stays locked
    (PostgreSQL) until the transaction ends. One upsert, built once per dialect."""
    statement = _ALLOCATE.get(conn.dialect.name)
    if statement is None:
        seq = schema.id_sequence
        insert = _dialect_insert(conn)(seq).values(app_id=sa.bindparam("app_id"), name=sa.bindparam("name"),
                                                   next_id=sa.bindparam("first") + sa.bindparam("count"))
        upsert = insert.on_conflict_do_update(index_elements=[seq.c.app_id, seq.c.name],
                                              set_={"next_id": seq.c.next_id + sa.bindparam("count")})
        statement = _ALLOCATE[conn.dialect.name] = prepared.PreparedWrite(upsert.returning(seq.c.next_id))
    return statement.returned(conn, {"app_id": app_id, "name": name, "first": 1, "count": count}) - count


def _append_to_log(conn: Connection) -> None:
    pending = _PENDING.pop(conn, None)
    if not pending:
        return
    by_app: dict[int, tuple[AppRecord, list]] = {}
    for app, event, at in pending:
        by_app.setdefault(app.id, (app, []))[1].append((event, at))
    for app_id in sorted(by_app):  # one order for every writer
        app, items = by_app[app_id]
        first = allocate(conn, app_id, LOG_SEQUENCE, len(items))
        logged = [(first + i, event, at) for i, (event, at) in enumerate(items)]
        bulk.insert_rows(conn, schema.domain_event, [
            {"app_id": app_id, "seq": seq, "type": e.type, "entity": e.entity, "entity_id": e.entity_id,
             "occurred_at": at, "payload": _jsonable(e.payload)} for seq, e, at in logged])
        for listener in _log_listeners:
            listener(conn, app, logged)


def _forget(conn: Connection) -> None:
    _PENDING.pop(conn, None)


# Every transaction, whoever opened it, writes its events on commit and drops them on rollback.
sa.event.listen(sa.engine.Engine, "commit", _append_to_log)
sa.event.listen(sa.engine.Engine, "rollback", _forget)


def _dialect_insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _jsonable(payload: dict) -> dict:
    out = {}
    for k, v in payload.items():
        if isinstance(v, datetime):
            v = v.isoformat()
        elif isinstance(v, (set, tuple)):
            v = list(v)
        out[k] = v
    return out


def in_chunks(items: Iterable, size: int = 500):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
