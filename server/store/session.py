"""A session scoped to one app: the only way the domain reaches stored data.

Every statement built here carries ``app_id = <this app>``; no code outside server/store builds an
unscoped query. The session also collects the domain events of its transaction: each reaches the listeners
subscribed to its type at once, and is appended to the change log (``domain_event``) when that transaction
commits, numbered in commit order, so the log commits or rolls back with the change.

A session is made with the environment of the server it runs in (``SessionEnvironment``; the one create_app
builds is server.environment.Environment): the listeners, the change log of its engine, the file store and the
base URL of public links. Nothing here is process-wide: two servers in one process keep their own.
"""
from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from server.clock import AppClock, ClockState

from . import bulk, db, prepared, schema
from .files import FileStore
from .options import DEFAULTS as OPTION_DEFAULTS


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
    faults_version: int = 0  # a stamp of its fault-injection rules (server.faults), 0 when it has none
    epoch: str = ""  # drawn again when the app's rows are replaced wholesale (server.store.schema.system)

    @classmethod
    def from_row(cls, row) -> AppRecord:
        return cls(
            id=row.id, name=row.name, legacy_key=row.legacy_key, time_zone=row.time_zone,
            settings=row.settings or {}, profile=row.profile or {}, options=row.options or {},
            clock_state=ClockState(row.clock_anchor_real, row.clock_anchor_virtual or 0.0,
                                   row.clock_rate or 1.0, bool(row.clock_frozen)),
            url_secret=bytes.fromhex(row.url_secret), faults_version=row.faults_version or 0, epoch=row.epoch,
        )

    def option(self, name: str):
        """A sandbox behaviour setting of this app (see server.store.options for the defaults)."""
        return self.options.get(name, OPTION_DEFAULTS[name])

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
    # what made the change, when it matters to a listener (``AppSession.acting_for``): None for a direct change
    origin: str | None = None


Listener = Callable[["AppSession", Event], None]


class SessionEnvironment(Protocol):
    """What a session needs of the server it runs in."""

    @property
    def base_url(self) -> str:
        """What the app's public URLs start with when no request tells (work the heartbeat runs)."""

    @property
    def files(self) -> FileStore | None:
        """Where FileService's bytes are kept (server.store.files)."""

    @property
    def change_log(self) -> ChangeLog:
        """The change log of the engine the session's connection belongs to."""

    @property
    def listeners(self) -> Mapping[str, Sequence[Listener]]:
        """Domain-event type -> the listeners subscribed to it, in order (server.registry)."""


class _NoChangeLog:
    def add(self, conn, app, event, occurred_at) -> None:
        raise RuntimeError(f"a session without events cannot record {event.type}")


@dataclass(frozen=True)
class _WithoutEvents:
    base_url: str = "http://127.0.0.1:8000"
    files: FileStore | None = None
    change_log: _NoChangeLog = field(default_factory=_NoChangeLog)
    listeners: Mapping[str, Sequence[Listener]] = field(default_factory=dict)


# The environment of a session that records no domain event: a read outside any server's work (how soon an
# app has work due), or the bookkeeping a change-log listener writes inside the commit. It has no listeners,
# and emitting an event in it is an error.
WITHOUT_EVENTS: SessionEnvironment = _WithoutEvents()

_GET: dict[str, prepared.PreparedAll] = {}


class AppSession:
    def __init__(self, conn, app: AppRecord, user_id: int | None = None, *, env: SessionEnvironment,
                 base_url: str | None = None, tally=None):
        """``conn``: a Connection, or a gate call's Transaction (server.store.db), whose Connection is made
        when a statement first needs one. ``base_url``: where the client reached the sandbox, if a request
        tells (else the environment's). ``tally``: the server.tally.Tally of the due work this session
        runs for (a clock advance), which counts what it does; None counts nothing."""
        if isinstance(conn, Connection):
            self._conn, self.source = conn, conn
        else:
            self._conn, self.source = None, conn
        self.app = app
        self.env = env
        self.user_id = user_id  # the user the credential acts as (OAuth grant, Personal Access Token), if any
        # where the client reached the sandbox (what the app's public URLs start with), e.g. http://127.0.0.1:8000
        self.base_url = (base_url or env.base_url).rstrip("/")
        self.files = env.files  # the FileStore that keeps FileService's bytes (server.store.files)
        self.clock = app.clock
        self.events: list[Event] = []
        self.origin: str | None = None  # the events' origin, while ``acting_for`` one
        self.tally = tally
        self._now: datetime | None = None
        # what this transaction has read of a table and may read again, by the table's name (the custom-field
        # definitions of an import of many contacts); a write of the table through this session drops it
        self.memo: dict[str, dict] = {}

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

    def insert(self, table: sa.Table, values: dict[str, Any] | list[dict[str, Any]],
               columns: list[str] | None = None) -> None:
        """Insert one row, or many rows (all with the same keys; ``columns``: only these of them) in one
        executemany. Plain values go straight to the driver (server.store.bulk); a row holding a SQL expression
        goes through SQLAlchemy."""
        if isinstance(values, dict):
            if any(isinstance(v, sa.ClauseElement) for v in values.values()):
                self.conn.execute(sa.insert(table).values(app_id=self.app.id, **values))
                return
            values = [values]
        self.memo.pop(table.name, None)
        bulk.insert_rows(self.conn, table, values, {"app_id": self.app.id}, columns)

    def update_many(self, table: sa.Table, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """One UPDATE per row (all rows setting the same columns), matched on ``keys``, in one executemany."""
        self.memo.pop(table.name, None)
        bulk.update_rows(self.conn, table, keys, rows, {"app_id": self.app.id})

    def update(self, table: sa.Table, *where, **values):
        self.memo.pop(table.name, None)
        return self.conn.execute(sa.update(table).where(table.c.app_id == self.app.id, *where).values(**values))

    def delete(self, table: sa.Table, *where):
        self.memo.pop(table.name, None)
        return self.conn.execute(sa.delete(table).where(table.c.app_id == self.app.id, *where))

    # --- events ---------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def acting_for(self, origin: str) -> Iterator[None]:
        """The events emitted meanwhile carry ``origin`` (a legacy action set's changes queue no REST hook
        deliveries, server.domain.account.hooks). What their listeners do in turn is not the origin's: they
        run without it (a goal the action set's tag achieves starts its campaign as any tag would)."""
        outer, self.origin = self.origin, origin
        try:
            yield
        finally:
            self.origin = outer

    def emit(self, type_: str, entity: str, entity_id: int | None, **payload) -> Event:
        """Record a domain event: the listeners of its type see it at once, inside the writing transaction;
        its row in the change log is written when the transaction commits (``ChangeLog``)."""
        event = Event(type_, entity, entity_id, payload, self.origin)
        self.events.append(event)
        self.env.change_log.add(self.conn, self.app, event, self.clock.now().replace(tzinfo=None))
        self.origin = None  # what the listeners do is not the origin's
        try:
            for listener in self.env.listeners.get(type_, ()):
                listener(self, event)
        finally:
            self.origin = event.origin
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

LOG_SEQUENCE = "domain_event"

LogListener = Callable[[Connection, AppRecord, list], None]


class ChangeLog:
    """The change log of one engine's transactions. Every transaction of ``engine`` that emitted events
    writes them on commit and drops them on rollback (listening to that engine only, never to every Engine of
    the process); then ``listeners`` run, still inside it, with ``(conn, app, [(seq, event, occurred_at),
    ...])`` (REST hooks queue their deliveries there)."""

    def __init__(self, engine: Engine, listeners: Sequence[LogListener] = ()):
        self.engine = engine
        self.listeners = listeners
        self._pending: weakref.WeakKeyDictionary[Connection, list] = weakref.WeakKeyDictionary()
        sa.event.listen(engine, "commit", self._append)
        sa.event.listen(engine, "rollback", self._forget)

    def add(self, conn: Connection, app: AppRecord, event: Event, occurred_at: datetime) -> None:
        pending = self._pending.get(conn)
        if pending is None:
            pending = self._pending[conn] = []
        pending.append((app, event, occurred_at))

    def close(self) -> None:
        """Stop listening to the engine."""
        sa.event.remove(self.engine, "commit", self._append)
        sa.event.remove(self.engine, "rollback", self._forget)

    def _append(self, conn: Connection) -> None:
        pending = self._pending.pop(conn, None)
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
            for listener in self.listeners:
                listener(conn, app, logged)

    def _forget(self, conn: Connection) -> None:
        self._pending.pop(conn, None)


_ALLOCATE: dict[str, prepared.PreparedWrite] = {}


def allocate(conn: Connection, app_id: int, name: str, count: int = 1) -> int:
    """``count`` consecutive numbers of the app's sequence ``name``; returns the first. The row stays locked
    (PostgreSQL) until the transaction ends. One upsert, built once per dialect."""
    statement = _ALLOCATE.get(conn.dialect.name)
    if statement is None:
        seq = schema.id_sequence
        insert = db.insert(conn, seq).values(app_id=sa.bindparam("app_id"), name=sa.bindparam("name"),
                                             next_id=sa.bindparam("first") + sa.bindparam("count"))
        upsert = insert.on_conflict_do_update(index_elements=[seq.c.app_id, seq.c.name],
                                              set_={"next_id": seq.c.next_id + sa.bindparam("count")})
        statement = _ALLOCATE[conn.dialect.name] = prepared.PreparedWrite(upsert.returning(seq.c.next_id))
    return statement.returned(conn, {"app_id": app_id, "name": name, "first": 1, "count": count}) - count


def _jsonable(payload: dict) -> dict:
    out = {}
    for k, v in payload.items():
        if isinstance(v, datetime):
            v = v.isoformat()
        elif isinstance(v, (set, tuple)):
            v = list(v)
        out[k] = v
    return out
