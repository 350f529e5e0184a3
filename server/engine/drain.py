"""The drain: which apps have campaign timers due, and running what is due in batches, one transaction each."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.environment import Environment
from server.store import schema
from server.store.db import transaction
from server.store.session import AppRecord
from server.tally import Tally

from .context import context
from .runner import Run, claim

BATCH = 500

_NEXT_DUE = sa.select(schema.enrollment.c.app_id, sa.func.min(schema.enrollment.c.due_at)).select_from(
    schema.enrollment.join(schema.campaign, sa.and_(schema.campaign.c.app_id == schema.enrollment.c.app_id,
                                                    schema.campaign.c.id == schema.enrollment.c.campaign_id))
).where(schema.DUE, schema.enrollment.c.due_at.is_not(None),
        schema.campaign.c.status == "published").group_by(schema.enrollment.c.app_id)


def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    q = _NEXT_DUE if app_ids is None else _NEXT_DUE.where(schema.enrollment.c.app_id.in_(app_ids))
    return dict(conn.execute(q).all())


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    """Claim the due enrollments in batches, each batch one transaction: claim, run, commit."""
    total = 0
    while True:
        with transaction(env.engine, write=True) as conn:
            s = env.session(conn, app, tally=tally)
            ctx = context(s)
            ctx.now = now
            rows = claim(ctx, BATCH)
            if not rows:
                return total
            Run(ctx).run(rows)
            total += len(rows)
        if len(rows) < BATCH:
            return total
