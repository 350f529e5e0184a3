"""A session scoped to one app: the only way the domain reaches stored data.

Every statement built here carries ``app_id = <this app>``; no code outside server/store builds an
unscoped query. The session also collects the domain events of its transaction and appends them to the
change log (``domain_event``) as they happen, so the log commits or rolls back with the change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import AppClock, ClockState

from . import schema


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

    @classmethod
    def from_row(cls, row) -> "AppRecord":
        return cls(
            id=row.id, name=row.name, legacy_key=row.legacy_key, time_zone=row.time_zone,
            settings=row.settings or {}, profile=row.profile or {}, options=row.options or {},
            clock_state=ClockState(row.clock_anchor_real, row.clock_anchor_virtual or 0.0,
                                   row.clock_rate or 1.0, bool(row.clock_frozen)),
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
_listeners: list[Callable[["AppSession", Event], None]] = []


def on_event(listener: Callable[["AppSession", Event], None]) -> Callable:
    _listeners.append(listener)
    return listener


class AppSession:
    def __init__(self, conn, app: AppRecord, user_id: int | None = None):
        """``conn``: a Connection, or a gate call's Transaction (server.store.db), whose Connection is made
        when a statement first needs one."""
        if isinstance(conn, Connection):
            self._conn, self.source = conn, conn
        else:
            self._conn, self.source = None, conn
        self.app = app
        self.user_id = user_id  # the user the credential acts as (OAuth grant, Personal Access Token), if any
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
        return self.conn.execute(self.select(table, *columns).where(table.c.id == id_)).first()

    # --- writing ------------------------------------------------------------------------------------
    def next_id(self, sequence: str, count: int = 1) -> int:
        """Allocate ``count`` consecutive ids of this app's ``sequence``; returns the first. One atomic upsert,
        so concurrent writers (several workers on PostgreSQL) never take the same id or collide creating it."""
        seq = schema.id_sequence
        insert = _dialect_insert(self.conn)(seq).values(app_id=self.app.id, name=sequence, next_id=1 + count)
        upsert = insert.on_conflict_do_update(index_elements=[seq.c.app_id, seq.c.name],
                                              set_={"next_id": seq.c.next_id + count})
        return self.conn.execute(upsert.returning(seq.c.next_id)).scalar_one() - count

    def insert(self, table: sa.Table, values: dict[str, Any] | list[dict[str, Any]]):
        if isinstance(values, list):
            if not values:
                return None
            return self.conn.execute(sa.insert(table), [{**v, "app_id": self.app.id} for v in values])
        return self.conn.execute(sa.insert(table).values(app_id=self.app.id, **values))

    def update(self, table: sa.Table, *where, **values):
        return self.conn.execute(sa.update(table).where(table.c.app_id == self.app.id, *where).values(**values))

    def delete(self, table: sa.Table, *where):
        return self.conn.execute(sa.delete(table).where(table.c.app_id == self.app.id, *where))

    # --- events -------------------------------------------------------------------------------------
    def emit(self, type_: str, entity: str, entity_id: int | None, **payload) -> Event:
        event = Event(type_, entity, entity_id, payload)
        self.events.append(event)
        self.conn.execute(sa.insert(schema.domain_event).values(
            app_id=self.app.id, type=type_, entity=entity, entity_id=entity_id,
            occurred_at=self.clock.now().replace(tzinfo=None), payload=_jsonable(payload),
        ))
        for listener in _listeners:
            listener(self, event)
        return event


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
