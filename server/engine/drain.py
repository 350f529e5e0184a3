"""The drain: which apps have campaign timers due, and running what is due in batches, one transaction each."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.environment import Environment
from server.store import advances, due, schema
from server.store.db import transaction
from server.store.session import AppRecord
from server.tally import Tally

from .context import context
from .runner import Run, claim

BATCH = 500

_e, _c = schema.enrollment, schema.campaign
_PUBLISHED = _e.join(_c, sa.and_(_c.c.app_id == _e.c.app_id, _c.c.id == _e.c.campaign_id))
_WAITING = sa.and_(schema.DUE, _e.c.due_at.is_not(None), _c.c.status == "published")


def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    return due.earliest(conn, _e, app_ids, status=None, where=_WAITING, joined=_PUBLISHED)


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
        advances.keep_alive()  # a clock advance draining many batches keeps its claim
