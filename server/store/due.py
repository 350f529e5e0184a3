"""Cross-app reads of work that falls due (server.jobs asks every source for its apps' earliest due time):
the one place such an unscoped query is built, for any table with ``app_id``, a status and a due time."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import wall


def earliest(conn: Connection, table: sa.Table, app_ids: list[int] | None, *, status: str | None = "pending",
             due: str = "due_at", where: sa.ColumnElement | None = None, joined: sa.FromClause | None = None,
             leased: str | None = None) -> dict[int, float]:
    """App id -> the earliest value of column ``due`` of its rows in ``status`` (None: any) that meet ``where``,
    read from ``joined`` when the condition needs another table (apps without any are left out).

    ``leased``: the status of rows a worker claimed until the wall time in their ``lease_until`` (the outbox,
    server.domain.outbox); a row whose lease ran out (its worker died) is due at once, 0.0."""
    column = table.c[due]
    conditions = [c for c in (table.c.status == status if status is not None else None, where) if c is not None]
    if app_ids is not None:
        conditions.append(table.c.app_id.in_(app_ids))
    q = sa.select(table.c.app_id, sa.func.min(column)).where(*conditions).group_by(table.c.app_id)
    if joined is not None:
        q = q.select_from(joined)
    found = {app_id: at for app_id, at in conn.execute(q) if at is not None}
    if leased is not None:
        stale = (sa.select(table.c.app_id).where(table.c.status == leased, table.c.lease_until < wall())
                 .distinct())
        if app_ids is not None:
            stale = stale.where(table.c.app_id.in_(app_ids))
        for (app_id,) in conn.execute(stale):
            found[app_id] = 0.0
    return found
