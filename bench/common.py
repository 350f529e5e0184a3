"""What the store-filling benches share: a migrated store with everything installed, a bench app on a frozen
clock (Monday 2 March 2026, 08:00 local), and bulk rows written straight to its tables with their id sequences."""
from __future__ import annotations

import time

import sqlalchemy as sa

from server.clock import ClockState
from server.config import from_env
from server.environment import Environment
from server.store import apps, db, schema
from server.store.session import AppRecord
from server.wiring import build_registry


def environment(url: str, **settings) -> Environment:
    """The store at ``url``, migrated, with every listener installed (as the server builds it)."""
    config = from_env(database_url=url, **settings)
    engine = db.make_engine(url)
    db.upgrade(engine)
    return Environment.build(config, engine, build_registry(config))


def start_clock() -> ClockState:
    return ClockState().set(time.mktime((2026, 3, 2, 8, 0, 0, 0, 0, -1))).freeze()


def new_app(conn, name: str, start: ClockState, **fields) -> AppRecord:
    """An app on the clock ``start`` (New York time unless ``fields`` say otherwise)."""
    fields.setdefault("time_zone", "America/New_York")
    app = apps.create(conn, name, **fields)
    apps.set_clock(conn, app.id, start)
    return apps.by_id(conn, app.id)


def insert_rows(conn, app_id: int, rows: dict, sequences: dict[str, int], *, chunk: int = 5000) -> None:
    """``rows`` (table -> row dicts) in chunks, then each id sequence of ``sequences`` (name -> last id used)."""
    for table, values in rows.items():
        for k in range(0, len(values), chunk):
            conn.execute(sa.insert(table), values[k:k + chunk])
    for name, last in sequences.items():
        conn.execute(sa.insert(schema.id_sequence).values(app_id=app_id, name=name, next_id=last + 1))
