"""Delivering campaign HTTP posts, for real, off the request path.

A post is queued (``http_post`` row) in the same transaction as the step that made it. The drain claims due
posts, sends them as ``application/x-www-form-urlencoded`` name/value pairs in the configured order with an
``Idempotency-Key`` header (the same for every attempt: delivery is at-least-once, a crash between sending and
recording sends it again), and records the answer: a 2xx is delivered; anything else (or no answer within the
timeout) is retried on the app's clock 30 s, 2 min and 10 min later (spec campaign-engine.md §1.14 #9), then
failed; the app options ``http_post_max_attempts`` and ``http_post_timeout_s`` change both. A claimed
post whose worker died is claimed again when its lease (wall time) runs out.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import wall
from server.environment import Environment
from server.store import schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tally import Tally

log = logging.getLogger("sandbox.engine.delivery")

RETRY_AFTER = (30.0, 120.0, 600.0)  # app seconds after the 1st, 2nd … failed attempt
LEASE = 120.0  # wall seconds a claim holds a post
BATCH = 50

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    p = schema.http_post
    q = sa.select(p.c.app_id, sa.func.min(p.c.next_attempt_at)).where(p.c.status == "pending").group_by(p.c.app_id)
    if app_ids is not None:
        q = q.where(p.c.app_id.in_(app_ids))
    due = dict(conn.execute(q).all())
    # posts whose sender died: due again now (on the app's clock, now is "before anything else")
    stale = sa.select(p.c.app_id).where(p.c.status == "sending", p.c.lease_until < wall()).distinct()
    if app_ids is not None:
        stale = stale.where(p.c.app_id.in_(app_ids))
    for (app_id,) in conn.execute(stale):
        due[app_id] = 0.0
    return due


def _claim(env: Environment, app: AppRecord, now: float) -> list:
    p = schema.http_post
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        q = s.select(p).where(sa.or_(sa.and_(p.c.status == "pending", p.c.next_attempt_at <= now),
                                     sa.and_(p.c.status == "sending", p.c.lease_until < wall())))
        q = q.order_by(p.c.next_attempt_at, p.c.id).limit(BATCH)
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = s.execute(q).all()
        if rows:
            s.update(p, p.c.id.in_([r.id for r in rows]), status="sending", lease_until=wall() + LEASE)
    return rows


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    rows = _claim(env, app, now)
    if not rows:
        return 0
    headers_on = app.option("http_post_idempotency_header")
    timeout = float(app.option("http_post_timeout_s"))
    max_attempts = int(app.option("http_post_max_attempts"))
    results = []
    for row in rows:  # no transaction is open while the receiver answers
        headers = {"Idempotency-Key": row.idempotency_key} if headers_on else {}
        # form fields in the configured order, through the environment's sender (server.senders)
        answer = env.senders.http.post(row.url, [(n, v) for n, v in row.fields], headers, timeout)
        results.append((row, answer.status, answer.error))
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        p = schema.http_post
        for row, status, error in results:
            attempts = row.attempts + 1
            entry = {"at": now, "attempt": attempts, "status": status, "error": error}
            changes = dict(attempts=attempts, last_status=status, last_error=error, lease_until=None,
                           log=list(row.log or []) + [entry])
            if status is not None and 200 <= status < 300:
                changes.update(status="delivered", delivered_at=now, next_attempt_at=None)
            elif attempts >= max_attempts:
                changes.update(status="failed", next_attempt_at=None)
                log.warning("campaign HTTP post %s of app %s to %s gave up after attempt %d (%s)", row.id, app.name,
                            row.url, attempts, error or status)
            else:
                delay = RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]
                changes.update(status="pending", next_attempt_at=now + delay)
            s.update(p, p.c.id == row.id, **changes)
            s.emit(f"http_post.{changes['status']}", "http_post", row.id, contact_id=row.contact_id,
                   url=row.url, status=status, attempt=attempts)
    if tally is not None:
        tally.http_posts_made += len(results)
        tally.http_posts_failed += sum(1 for _, status, _ in results if status is None or not 200 <= status < 300)
    return len(results)


def list_posts(s: AppSession, *, status: str | None = None, after: int = 0, limit: int = 100) -> list:
    p = schema.http_post
    q = s.select(p).where(p.c.id > after)
    if status:
        q = q.where(p.c.status == status)
    return s.execute(q.order_by(p.c.id).limit(limit)).all()
