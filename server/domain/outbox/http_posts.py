"""Campaign HTTP posts in the outbox (server.domain.outbox.queue): what differs from other outside requests.

A post is queued (``http_post`` row) by its campaign item (server.engine.actions) in the same transaction as the
step that made it, and sent as ``application/x-www-form-urlencoded`` name/value pairs in the configured order
with an ``Idempotency-Key`` header (the same for every attempt: delivery is at-least-once, a crash between
sending and recording sends it again). A 2xx answer delivers it; anything else (or no answer within the
timeout) is retried on the app's clock 30 s, 2 min and 10 min later (spec campaign-engine.md §1.14 #9), then
it fails; the app options ``http_post_max_attempts`` and ``http_post_timeout_s`` change both. Each outcome is a
domain event ``http_post.delivered``, ``http_post.pending`` (to be retried) or ``http_post.failed``.
"""
from __future__ import annotations

from server.environment import Environment
from server.store import schema
from server.store.session import AppRecord, AppSession
from server.tally import Tally

from . import queue

RETRY_AFTER = (30.0, 120.0, 600.0)  # app seconds after the 1st, 2nd … failed attempt


def _policy(app: AppRecord) -> queue.RetryPolicy:
    return queue.RetryPolicy(RETRY_AFTER, int(app.option("http_post_max_attempts")))


def _prepare(s: AppSession, row) -> queue.Request:
    headers = {"Idempotency-Key": row.idempotency_key} if s.app.option("http_post_idempotency_header") else {}
    return queue.Request(row.url, [(n, v) for n, v in row.fields], headers)  # form fields in the configured order


def _log_entry(attempt: queue.Attempt) -> dict:
    return {"at": attempt.at, "attempt": attempt.number, "status": attempt.answer.status,
            "error": attempt.answer.error}


def _finish(s: AppSession, row, attempt: queue.Attempt) -> dict:
    s.emit(f"http_post.{attempt.outcome}", "http_post", row.id, contact_id=row.contact_id, url=row.url,
           status=attempt.answer.status, attempt=attempt.number)
    changes = dict(last_status=attempt.answer.status, last_error=attempt.answer.error)
    if attempt.outcome == "delivered":
        changes["delivered_at"] = attempt.at
    return changes


def _count(tally: Tally, made: int, failed: int) -> None:
    tally.http_posts_made += made
    tally.http_posts_failed += failed


KIND = queue.Kind(name="http post", table=schema.http_post, due="next_attempt_at", policy=_policy,
                  timeout=lambda app: float(app.option("http_post_timeout_s")), prepare=_prepare,
                  log_entry=_log_entry, finish=_finish, count=_count,
                  # one contact's posts arrive in the order they were made; different contacts' at once
                  in_order=lambda row: row.contact_id if row.contact_id is not None else -row.id)


def next_due(conn, app_ids: list[int] | None) -> dict[int, float]:
    return queue.next_due(KIND, conn, app_ids)


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None, *,
            since: float | None = None) -> int:
    return queue.run_due(KIND, env, app, now, tally, since=since)


def list_posts(s: AppSession, *, status: str | None = None, after: int = 0, limit: int = 100) -> list:
    p = schema.http_post
    q = s.select(p).where(p.c.id > after)
    if status:
        q = q.where(p.c.status == status)
    return s.execute(q.order_by(p.c.id).limit(limit)).all()
