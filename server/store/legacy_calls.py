"""The migration report's counter as stored (schema.legacy_call): a row per method, credential and DataService
table; batches of counts added with one upsert per row, so that several workers flushing their own counts add up;
``first_seen`` keeps the earliest, ``last_seen`` the latest."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import db, schema

_t = schema.legacy_call
KEY = ("app_id", "protocol", "method", "credential_kind", "credential_id", "table_name")


def add(conn: Connection, rows: Iterable[dict]) -> None:
    """Add each row's ``calls`` to the stored count of its key (``KEY``), widening first and last seen."""
    rows = list(rows)
    if not rows:
        return
    insert = db.insert(conn, _t)
    ex = insert.excluded
    conn.execute(insert.on_conflict_do_update(index_elements=list(KEY), set_={
        "calls": _t.c.calls + ex.calls,
        "first_seen": sa.case((ex.first_seen < _t.c.first_seen, ex.first_seen), else_=_t.c.first_seen),
        "last_seen": sa.case((ex.last_seen > _t.c.last_seen, ex.last_seen), else_=_t.c.last_seen),
    }), rows)


def of_app(conn: Connection, app_id: int) -> list:
    """The app's rows, most called first."""
    return conn.execute(sa.select(_t).where(_t.c.app_id == app_id)
                        .order_by(_t.c.calls.desc(), _t.c.protocol, _t.c.method)).all()


def clear(conn: Connection, app_id: int) -> None:
    conn.execute(sa.delete(_t).where(_t.c.app_id == app_id))
