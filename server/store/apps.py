"""Apps (tenants): the one place that reads and writes across apps."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC, ClockState, wall

from . import schema
from .session import AppRecord


def new_legacy_key() -> str:
    return secrets.token_hex(16)  # 32 hex characters, like the real "Encrypted Key"


def create(conn: Connection, name: str, *, legacy_key: str | None = None, time_zone: str,
           settings: dict | None = None, profile: dict | None = None, options: dict | None = None) -> AppRecord:
    conn.execute(sa.insert(schema.app).values(
        name=name, legacy_key=legacy_key or new_legacy_key(), time_zone=time_zone, settings=settings or {},
        profile=profile or {}, options=options or {}, clock_anchor_real=None, clock_anchor_virtual=0.0,
        clock_rate=1.0, clock_frozen=False, created_at=_utc_now(),
    ))
    return by_name(conn, name)


def _utc_now() -> datetime:
    return datetime.fromtimestamp(wall(), UTC).replace(tzinfo=None)


def _one(conn: Connection, where) -> AppRecord | None:
    row = conn.execute(sa.select(schema.app).where(where)).first()
    return AppRecord.from_row(row) if row else None


def by_name(conn: Connection, name: str) -> AppRecord | None:
    return _one(conn, schema.app.c.name == name)


def by_id(conn: Connection, app_id: int) -> AppRecord | None:
    return _one(conn, schema.app.c.id == app_id)


_BY_LEGACY_KEY = sa.select(schema.app).where(schema.app.c.legacy_key == sa.bindparam("key"))  # built once: hot


def by_legacy_key(conn: Connection, key: str) -> AppRecord | None:
    if not key:
        return None
    row = conn.execute(_BY_LEGACY_KEY, {"key": key}).first()
    return AppRecord.from_row(row) if row else None


_CLOCK = sa.select(schema.app.c.clock_anchor_real, schema.app.c.clock_anchor_virtual, schema.app.c.clock_rate,
                   schema.app.c.clock_frozen).where(schema.app.c.id == sa.bindparam("id"))


def clock_state(conn: Connection, app_id: int) -> ClockState:
    row = conn.execute(_CLOCK, {"id": app_id}).first()
    return ClockState(row.clock_anchor_real, row.clock_anchor_virtual or 0.0, row.clock_rate or 1.0,
                      bool(row.clock_frozen))


def all_apps(conn: Connection) -> list[AppRecord]:
    return [AppRecord.from_row(r) for r in conn.execute(sa.select(schema.app).order_by(schema.app.c.id))]


def update(conn: Connection, app_id: int, **values) -> None:
    conn.execute(sa.update(schema.app).where(schema.app.c.id == app_id).values(**values))


def set_clock(conn: Connection, app_id: int, state: ClockState) -> None:
    update(conn, app_id, clock_anchor_real=state.anchor_real, clock_anchor_virtual=state.anchor_virtual,
           clock_rate=state.rate, clock_frozen=state.frozen)


def rotate_legacy_key(conn: Connection, app_id: int, key: str | None = None) -> str:
    key = key or new_legacy_key()
    update(conn, app_id, legacy_key=key)
    return key


def wipe(conn: Connection, app_id: int) -> None:
    """Delete everything the app holds, keeping the app itself (its key, clock and settings)."""
    for table in reversed(schema.APP_DATA_TABLES):
        conn.execute(sa.delete(table).where(table.c.app_id == app_id))


def delete(conn: Connection, app_id: int) -> None:
    wipe(conn, app_id)
    conn.execute(sa.delete(schema.app).where(schema.app.c.id == app_id))


def events(conn: Connection, app_id: int, *, after: int = 0, limit: int = 100) -> list:
    """The app's change log after ``after``, oldest first."""
    ev = schema.domain_event
    return conn.execute(sa.select(ev).where(ev.c.app_id == app_id, ev.c.seq > after)
                        .order_by(ev.c.seq).limit(limit)).all()


def first_user_id(conn: Connection, app_id: int) -> int | None:
    """The app's first user (the seeded admin): who approves OAuth consent in the sandbox."""
    u = schema.user
    return conn.execute(sa.select(sa.func.min(u.c.id)).where(u.c.app_id == app_id)).scalar()
