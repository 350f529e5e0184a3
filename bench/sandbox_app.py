"""What the store benchmarks share: an environment on a fresh database, an app with a business address on a frozen
clock (Monday 2 March 2026, 08:00 in New York), and rows loaded in bulk with their id sequences set after them."""
from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import ClockState
from server.config import from_env
from server.environment import Environment
from server.store import apps, db, schema
from server.store.session import AppRecord
from server.wiring import build_registry


def environment(url: str) -> Environment:
    """A sandbox environment on the database at ``url``, migrated to the head."""
    config = from_env(database_url=url)
    eng = db.make_engine(url)
    db.upgrade(eng)
    return Environment.build(config, eng, build_registry(config))


def new_app(conn: Connection) -> AppRecord:
    """A new app, its business address set (broadcasts need one) and its clock frozen at the start."""
    start = ClockState().set(time.mktime((2026, 3, 2, 8, 0, 0, 0, 0, -1))).freeze()
    app = apps.create(conn, f"bench{int(time.time())}", time_zone="America/New_York",
                      profile={"address": {"line1": "1 Main Street", "locality": "Denver"}})
    apps.set_clock(conn, app.id, start)
    return apps.by_id(conn, app.id)


def load(conn: Connection, app: AppRecord, tables: list[tuple[sa.Table, list[dict]]],
         sequences: dict[str, int]) -> None:
    """Insert the rows of each table 5,000 at a time, then set each id sequence to follow its last id."""
    for table, values in tables:
        for k in range(0, len(values), 5000):
            conn.execute(sa.insert(table), values[k:k + 5000])
    for name, last in sequences.items():
        conn.execute(sa.insert(schema.id_sequence).values(app_id=app.id, name=name, next_id=last + 1))
