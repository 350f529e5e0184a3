"""Snapshots of apps: save an app's whole stored state under a name and put it back later, exactly.

The rows of every app-owned table (``schema.app_data_tables()``: every table with an ``app_id`` column but the
app row, the credentials and the snapshots themselves, found from the metadata, so a table added later is
included without a word here) are copied inside the database into a hidden app (``__snap-…``, like the seed
template of server.sandbox.seeding: never listed, never callable, its due work never run) with one
INSERT … SELECT per table, ids unchanged; restoring deletes the app's rows and copies them back the same way.
That includes the change log and the id sequences, so sync tokens, REST hook cursors and the next ids are
those of the moment the snapshot was taken. FileService's bytes need no copy: a blob is never changed once
written (server.store.files), so the copied rows keep reading what they were saved with.

What cannot be copied into another app is kept in the snapshot's ``state``: the app's own row (time zone,
settings, profile, options, legacy key, the key of its public URLs, its clock) and its credentials (OAuth codes
and tokens, Keap API keys, vendor and temporary keys: their values are unique across apps), plus whatever the
caller adds (the throttle state, which lives outside the database).

Internal rows numbered across every app (goal achievements and billing tasks, whose autoincrement ``id`` or
``seq`` is not per app) are copied in their order with fresh numbers.
"""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC, ClockState, wall

from . import apps, faults, rows, schema
from .session import AppRecord

HOLDER_PREFIX = "snap-"  # after apps.INTERNAL_PREFIX


class SnapshotExists(ValueError):
    pass


def credential_tables() -> list[sa.Table]:
    """The credential tables that hold rows of one app (OAuth clients belong to no app)."""
    return [t for t in schema.CREDENTIAL_TABLES if "app_id" in t.c]


def listing(conn: Connection, app_id: int) -> list:
    s = schema.app_snapshot
    return conn.execute(sa.select(s.c.id, s.c.name, s.c.created_at, s.c.app_time)
                        .where(s.c.app_id == app_id).order_by(s.c.id)).all()


def find(conn: Connection, app_id: int, name: str):
    s = schema.app_snapshot
    return conn.execute(sa.select(s).where(s.c.app_id == app_id, s.c.name == name)).first()


def take(conn: Connection, app: AppRecord, name: str, extra: dict | None = None):
    """Save ``app``'s state as the snapshot ``name`` (SnapshotExists if it has one of that name); ``extra`` is
    kept with it (the throttle state). Returns the snapshot's row."""
    if find(conn, app.id, name) is not None:
        raise SnapshotExists(f"the app has a snapshot named {name!r}")
    app = apps.by_id(conn, app.id)  # the row as this transaction sees it
    holder = apps.create(conn, f"{apps.INTERNAL_PREFIX}{HOLDER_PREFIX}{secrets.token_hex(12)}", time_zone=app.time_zone,
                         callable_=False)
    apps.copy_data(conn, app.id, holder.id)
    state = {
        "app": {"time_zone": app.time_zone, "settings": app.settings, "profile": app.profile,
                "options": app.options, "legacy_key": app.legacy_key, "url_secret": app.url_secret.hex(),
                "clock": {"real": app.clock_state.is_real, "rate": app.clock_state.rate,
                          "frozen": app.clock_state.frozen}},
        "credentials": {t.name: [rows.encode(t, r) for r in conn.execute(
            sa.select(t).where(t.c.app_id == app.id).order_by(*t.primary_key.columns))] for t in credential_tables()},
        "extra": extra or {},
    }
    conn.execute(sa.insert(schema.app_snapshot).values(
        app_id=app.id, name=name, holder_app_id=holder.id, created_at=_utc_now(),
        app_time=app.clock_state.timestamp(), state=state))
    return find(conn, app.id, name)


def restore(conn: Connection, app: AppRecord, snapshot) -> AppRecord:
    """Put ``app`` back to ``snapshot`` (a row of ``find``): its rows, credentials, settings and clock. Returns
    the app's record as restored; the caller restores ``snapshot.state["extra"]``."""
    apps.restore_data(conn, snapshot.holder_app_id, app.id)
    state = snapshot.state
    _restore_credentials(conn, app.id, state["credentials"])
    saved = state["app"]
    clock = saved["clock"]
    if clock["real"]:
        clock_state = ClockState.real()
    else:  # at the moment of the snapshot, running (or not) as it was then
        clock_state = ClockState(wall(), snapshot.app_time, clock["rate"], clock["frozen"])
    values = {"time_zone": saved["time_zone"], "settings": saved["settings"], "profile": saved["profile"],
              "options": saved["options"], "url_secret": saved["url_secret"]}
    owner = apps.by_legacy_key(conn, saved["legacy_key"]) if saved["legacy_key"] else None
    if owner is None or owner.id == app.id:  # (a key given to another app since stays that app's)
        values["legacy_key"] = saved["legacy_key"]
    apps.update(conn, app.id, **values)
    faults.recount(conn, app.id)  # the rules restored with its rows
    apps.set_clock(conn, app.id, clock_state)
    return apps.by_id(conn, app.id)


def _restore_credentials(conn: Connection, app_id: int, saved: dict) -> None:
    for table in credential_tables():
        conn.execute(sa.delete(table).where(table.c.app_id == app_id))
    for table in credential_tables():
        values = [rows.decode(table, r) for r in saved.get(table.name, [])]
        if not values:
            continue
        numbered = [c for c in table.primary_key.columns if c.autoincrement is True]
        if numbered:  # a number taken by another app's credential since (SQLite reuses the highest) is renewed
            key = numbered[0]
            taken = set(conn.execute(sa.select(key).where(key.in_([v[key.name] for v in values]))).scalars())
            for v in values:
                if v[key.name] in taken:
                    del v[key.name]
        for v in values:
            conn.execute(sa.insert(table).values(app_id=app_id, **{k: x for k, x in v.items() if k != "app_id"}))


def drop(conn: Connection, snapshot) -> None:
    """Delete a snapshot and the hidden app that holds its rows."""
    apps.delete(conn, snapshot.holder_app_id)
    conn.execute(sa.delete(schema.app_snapshot).where(schema.app_snapshot.c.id == snapshot.id))


def drop_all(conn: Connection, app_id: int) -> int:
    s = schema.app_snapshot
    found = conn.execute(sa.select(s.c.id, s.c.holder_app_id).where(s.c.app_id == app_id)).all()
    for snapshot in found:
        drop(conn, snapshot)
    return len(found)


def _utc_now() -> datetime:
    return datetime.fromtimestamp(wall(), UTC).replace(tzinfo=None)
