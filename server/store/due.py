"""Cross-app reads of work that falls due (server.jobs asks every source for its apps' earliest due time):
the one place such an unscoped query is built, for any table with ``app_id``, ``status`` and ``due_at``."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def earliest(conn: Connection, table: sa.Table, app_ids: list[int] | None, *,
             status: str = "pending") -> dict[int, float]:
    """App id -> the earliest ``due_at`` of its rows in ``status`` (apps without any are left out)."""
    q = (sa.select(table.c.app_id, sa.func.min(table.c.due_at)).where(table.c.status == status)
         .group_by(table.c.app_id))
    if app_ids is not None:
        q = q.where(table.c.app_id.in_(app_ids))
    return {app_id: due for app_id, due in conn.execute(q) if due is not None}
