"""Apps (tenants): the one place that reads and writes across apps."""
from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC, ClockState, wall

from . import schema
from .prepared import Prepared, PreparedAll
from .session import AppRecord


def new_legacy_key() -> str:
    return secrets.token_hex(16)  # 32 hex characters, like the real "Encrypted Key"


def create(conn: Connection, name: str, *, legacy_key: str | None = None, time_zone: str,
           settings: dict | None = None, profile: dict | None = None, options: dict | None = None,
           callable_: bool = True) -> AppRecord:
    """A new app; ``callable_=False`` gives it no legacy key (an internal app no credential reaches)."""
    conn.execute(sa.insert(schema.app).values(
        name=name, legacy_key=(legacy_key or new_legacy_key()) if callable_ else None, time_zone=time_zone,
        settings=settings or {}, profile=profile or {}, options=options or {}, clock_anchor_real=None,
        clock_anchor_virtual=0.0, clock_rate=1.0, clock_frozen=False, created_at=_utc_now(),
        url_secret=secrets.token_hex(32), epoch=secrets.token_hex(16),
    ))
    return by_name(conn, name, internal=True)


def _utc_now() -> datetime:
    return datetime.fromtimestamp(wall(), UTC).replace(tzinfo=None)


def _one(conn: Connection, where) -> AppRecord | None:
    row = conn.execute(sa.select(schema.app).where(where)).first()
    return AppRecord.from_row(row) if row else None


INTERNAL_PREFIX = "__"  # the sandbox's own apps (seed templates, snapshots): never listed, never callable


def by_name(conn: Connection, name: str, *, internal: bool = False) -> AppRecord | None:
    if name.startswith(INTERNAL_PREFIX) and not internal:
        return None
    return _one(conn, schema.app.c.name == name)


def name_taken(conn: Connection, name: str) -> str | None:
    """Why a new app cannot be named ``name``, or None: an app (internal ones too) has that name ignoring case. A new
    app's name must differ from every other's that way, since its host name (``<name>.infusionsoft.com``,
    server.auth.hosts) does not tell case."""
    alike = _one(conn, sa.func.lower(schema.app.c.name) == name.lower())
    if alike is None:
        return None
    differs = "" if alike.name == name else " (app names differ in more than case)"
    return f"an app named {alike.name!r} exists{differs}"


def by_id(conn, app_id: int) -> AppRecord | None:
    """``conn``: a Connection or a call's Transaction (the gateway's credential checks run on the driver)."""
    return _record(conn, _BY_ID, _BY_ID.first_raw(conn, {"id": app_id}))


# built once, run on the driver: every legacy-key call starts here, every gateway call at by_id
_BY_LEGACY_KEY = Prepared(sa.select(schema.app).where(schema.app.c.legacy_key == sa.bindparam("key")))
_BY_ID = Prepared(sa.select(schema.app).where(schema.app.c.id == sa.bindparam("id")))


_RECORDS: dict[tuple, AppRecord] = {}  # the app's row as stored -> its record, parsed once


def by_legacy_key(conn, key: str) -> AppRecord | None:
    """The app whose legacy key is ``key``; ``conn``: a Connection or a gate call's Transaction."""
    if not key:
        return None
    return _record(conn, _BY_LEGACY_KEY, _BY_LEGACY_KEY.first_raw(conn, {"key": key}))


def _record(conn, statement: Prepared, found) -> AppRecord | None:
    if found is None:
        return None
    return cached_record(found[0], lambda: statement.row(conn, found))


def cached_record(stored: tuple, row: Callable[[], Any]) -> AppRecord:
    """The record of the app row ``stored`` (as the driver gave it, JSON as its text on both stores:
    server.store.prepared), parsed once: ``row()`` gives that row converted (columns by their keys) when it is
    new."""
    record = _RECORDS.get(stored)  # a change to the app (clock, options, key) is another row
    if record is None:
        if len(_RECORDS) > 256:
            _RECORDS.clear()
        record = _RECORDS[stored] = AppRecord.from_row(row())
    return record


_CLOCK = sa.select(schema.app.c.clock_anchor_real, schema.app.c.clock_anchor_virtual, schema.app.c.clock_rate,
                   schema.app.c.clock_frozen).where(schema.app.c.id == sa.bindparam("id"))


def clock_state(conn: Connection, app_id: int) -> ClockState:
    row = conn.execute(_CLOCK, {"id": app_id}).first()
    return ClockState(row.clock_anchor_real, row.clock_anchor_virtual or 0.0, row.clock_rate or 1.0,
                      bool(row.clock_frozen))


def all_apps(conn: Connection) -> list[AppRecord]:
    internal = schema.app.c.name.startswith(INTERNAL_PREFIX, autoescape=True)
    q = sa.select(schema.app).where(~internal).order_by(schema.app.c.id)
    return [AppRecord.from_row(r) for r in conn.execute(q)]


def internal_apps(conn: Connection, prefix: str) -> list[AppRecord]:
    named = schema.app.c.name.startswith(INTERNAL_PREFIX + prefix, autoescape=True)
    q = sa.select(schema.app).where(named).order_by(schema.app.c.id)
    return [AppRecord.from_row(r) for r in conn.execute(q)]


def copy_data(conn: Connection, from_app: int, to_app: int) -> None:
    """Copy every row the app ``from_app`` holds into the empty app ``to_app``, ids unchanged (ids are per
    app). One INSERT … SELECT per table: what makes a seeded app or a snapshot cheap. The statements are
    ``restore_data``'s whole-table copies, built once: building a hundred of them took more CPU than running
    them on a seeded app (every test's fresh app is one copy). PostgreSQL gets them as one script, one round
    trip instead of one per table (half the time of a seeded app)."""
    params = {"from_app": int(from_app), "to_app": int(to_app)}
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_copy_script(conn.dialect) % params)  # two integers into the compiled placeholders
        return
    for statement in _restore_statements(False)[1]:
        conn.execute(statement, params)


@functools.cache
def _copy_script(dialect: sa.Dialect) -> str:
    """``copy_data``'s statements compiled for ``dialect`` (PostgreSQL's drivers: pyformat placeholders) and
    joined into one script, run without parameters, so in one round trip."""
    assert dialect.paramstyle == "pyformat", dialect.paramstyle
    return ";\n".join(str(statement.compile(dialect=dialect)) for statement in _restore_statements(False)[1])


def restore_data(conn: Connection, from_app: int, to_app: int) -> None:
    """Make the rows of ``to_app`` those of ``from_app`` again (a snapshot's restore), ids unchanged, as ``wipe``
    then ``copy_data`` would. On SQLite only what differs is written: for each table whose rows are told apart
    by their primary key, the rows of ``to_app`` that are not in ``from_app`` as they are (gone or changed since)
    are deleted, and the rows of ``from_app`` missing in ``to_app`` copied in, two ``EXCEPT`` queries read in
    the database; an app that changed a little since its snapshot is put back in a few writes instead of the
    whole app's rows and their indexes rewritten. Tables numbered across apps (autoincrement columns, whose rows
    the comparison cannot pair) and PostgreSQL (whose ``json`` columns have no equality) are copied whole. The
    statements are built once (they take parameters), as building them is most of a small restore's CPU."""
    deletes, inserts = _restore_statements(conn.dialect.name == "sqlite")
    params = {"from_app": from_app, "to_app": to_app}
    for statement in deletes:
        conn.execute(statement, params)
    for statement in inserts:
        conn.execute(statement, params)
    update(conn, to_app, faults_version=0, epoch=secrets.token_hex(16))  # as wipe: the caller recounts the rules


@functools.cache
def _restore_statements(partial: bool) -> tuple[list, list]:
    """The deletes (in reverse order of the tables) and the inserts (in their order) of ``restore_data``."""
    from_app, to_app = sa.bindparam("from_app", type_=sa.Integer), sa.bindparam("to_app", type_=sa.Integer)
    tables = schema.app_data_tables()
    deletes, inserts = [], []
    for table in tables:
        columns = [c for c in table.c if c.name != "app_id" and c.autoincrement is not True]
        keys = [c for c in table.primary_key.columns if c.name != "app_id"]
        if not (partial and keys and all(c.autoincrement is not True for c in table.c)):
            deletes.append(sa.delete(table).where(table.c.app_id == to_app))
            source = (sa.select(to_app, *columns).where(table.c.app_id == from_app)
                      .order_by(*table.primary_key.columns))  # keeps the change log's order
        else:
            mine = sa.select(*columns).where(table.c.app_id == to_app)
            theirs = sa.select(*columns).where(table.c.app_id == from_app)
            stale = sa.except_(mine, theirs).subquery()
            key = keys[0] if len(keys) == 1 else sa.tuple_(*keys)
            deletes.append(sa.delete(table).where(table.c.app_id == to_app,
                                                  key.in_(sa.select(*(stale.c[c.name] for c in keys)))))
            missing = sa.except_(theirs, mine).subquery()
            source = sa.select(to_app, *(missing.c[c.name] for c in columns))
        inserts.append(sa.insert(table).from_select([table.c.app_id, *columns], source))
    deletes.reverse()
    return deletes, inserts


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
    """Delete everything the app holds, keeping the app itself (its key, clock and settings); its ids start
    again, so it starts a new epoch."""
    for table in reversed(schema.app_data_tables()):
        conn.execute(sa.delete(table).where(table.c.app_id == app_id))
    update(conn, app_id, faults_version=0, epoch=secrets.token_hex(16))  # its fault rules went with its data


def delete(conn: Connection, app_id: int) -> None:
    wipe(conn, app_id)
    conn.execute(sa.delete(schema.app).where(schema.app.c.id == app_id))


def remove(conn: Connection, app_id: int) -> None:
    """Delete an app and everything the store holds of it: its rows, its credentials (OAuth codes and tokens,
    Keap API keys, vendor keys and their temporary keys), its snapshots with the hidden apps that hold them, and
    the records of its clock advances."""
    snapshot = schema.app_snapshot
    for holder in conn.execute(sa.select(snapshot.c.holder_app_id).where(snapshot.c.app_id == app_id)).scalars():
        delete(conn, holder)
    conn.execute(sa.delete(snapshot).where(snapshot.c.app_id == app_id))
    conn.execute(sa.delete(schema.clock_advance).where(schema.clock_advance.c.app_id == app_id))
    conn.execute(sa.delete(schema.legacy_call).where(schema.legacy_call.c.app_id == app_id))
    for table in schema.CREDENTIAL_TABLES:
        if "app_id" in table.c:
            conn.execute(sa.delete(table).where(table.c.app_id == app_id))
    delete(conn, app_id)


def events(conn: Connection, app_id: int, *, after: int = 0, limit: int = 100) -> list:
    """The app's change log after ``after``, oldest first."""
    ev = schema.domain_event
    return conn.execute(sa.select(ev).where(ev.c.app_id == app_id, ev.c.seq > after)
                        .order_by(ev.c.seq).limit(limit)).all()


_FIRST_USER = PreparedAll(sa.select(sa.func.min(schema.user.c.id))
                          .where(schema.user.c.app_id == sa.bindparam("app_id")))


def first_user_id(conn, app_id: int) -> int | None:
    """The app's first user (the seeded admin): who approves OAuth consent in the sandbox, and whom a key
    without a user acts as. ``conn``: a Connection or a call's Transaction."""
    return _FIRST_USER.scalar(conn, {"app_id": app_id})
