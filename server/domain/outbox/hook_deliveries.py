"""REST hook deliveries in the outbox (server.domain.outbox.queue): what differs from other outside requests.

Deliveries are queued by server.domain.account.hooks (batches of object keys, due a little after the change on
the app's clock) and sent as the documented JSON body [doc S30]. A status from 200 to 399 delivers one; a
status below 200 or from 400, or no answer within the app's ``hook_timeout``, is retried after the app's
``hook_retry_delays``; 410 Gone makes the hook Inactive at once (and drops its other pending deliveries), and
so does the fourth failure. A delivery whose hook is no longer Verified when it falls due, or whose event key is
no longer the hook's (a PUT changed it), is dropped unsent.

The X-Hook-Secret handshake is here too: one request, sent at once (REST v1 asks for it), not queued.
"""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from server.clock import UTC
from server.domain.account import hooks
from server.environment import Environment
from server.store import schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tally import Tally

from . import queue

MAX_ATTEMPTS = 4
HEADERS = {"Content-Type": "application/json", "User-Agent": "Infusionsoft-Sandbox-RestHooks/1.0"}


def handshake(env: Environment, app: AppRecord, hook_id: int) -> None:
    """POST the hook's URL with a fresh ``X-Hook-Secret``; an answer of 200 echoing it verifies the hook.
    Otherwise it stays (or becomes) Unverified until ``delayedVerify`` brings the secret back [doc S30]."""
    with transaction(env.engine, write=True) as conn:
        url, secret = hooks.start_handshake(env.session(conn, app), hook_id)
    answer = env.senders.http.post(url, b"", {**HEADERS, "X-Hook-Secret": secret}, float(app.option("hook_timeout")))
    echoed = {k.lower(): v for k, v in answer.headers.items()}.get("x-hook-secret")
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        if answer.status == 200 and echoed == secret:
            hooks.set_status(s, hook_id, "Verified", "handshake")
        else:
            hooks.set_status(s, hook_id, "Unverified", "handshake not answered")


def _policy(app: AppRecord) -> queue.RetryPolicy:
    return queue.RetryPolicy(tuple(app.option("hook_retry_delays")), MAX_ATTEMPTS,
                             success=lambda status: status is not None and 200 <= status < 400,
                             give_up=lambda status: status == 410)


def _moment(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _prepare(s: AppSession, row) -> queue.Request | None:
    h = schema.rest_hook
    hook = s.execute(s.select(h, h.c.hook_url, h.c.status, h.c.event_key).where(h.c.id == row.hook_id)).first()
    if hook is None or hook.status != "Verified":
        why = "the hook is not Verified"
    elif hook.event_key != row.event_key:  # (queued by a transaction that read the hook before a PUT changed it)
        why = f"the hook's eventKey is now {hook.event_key}"
    else:
        return queue.Request(hook.hook_url, json.dumps(hooks.body_of(row)).encode(), HEADERS)
    d = schema.hook_delivery
    s.update(d, d.c.id == row.id, status="dropped", due_at=None, lease_until=None,
             finished_at=s.clock.now().replace(tzinfo=None),
             log=list(row.log) + [{"at": hooks.timestamp(s.clock.now()), "error": why}])
    return None


def _log_entry(attempt: queue.Attempt) -> dict:
    entry = {"at": hooks.timestamp(_moment(attempt.at)), "attempt": attempt.number, "status": attempt.answer.status}
    if attempt.answer.error:
        entry["error"] = attempt.answer.error
    return entry


def _finish(s: AppSession, row, attempt: queue.Attempt) -> dict:
    if attempt.outcome == "pending":
        return {}
    finished = _moment(attempt.at).replace(tzinfo=None)
    if attempt.outcome == "failed" and s.get(schema.rest_hook, row.hook_id) is not None:
        gone = attempt.answer.status == 410
        hooks.set_status(s, row.hook_id, "Inactive", "410 Gone" if gone else f"{attempt.number} failed attempts")
        if gone:  # no more deliveries to a URL that said it is gone
            d = schema.hook_delivery
            s.update(d, d.c.hook_id == row.hook_id, d.c.status == "pending", status="dropped", due_at=None,
                     finished_at=finished)
    return {"finished_at": finished}


def _count(tally: Tally, made: int, failed: int) -> None:
    tally.hook_deliveries_made += made
    tally.hook_deliveries_failed += failed


KIND = queue.Kind(name="hook delivery", table=schema.hook_delivery, due="due_at", policy=_policy,
                  timeout=lambda app: float(app.option("hook_timeout")), prepare=_prepare,
                  log_entry=_log_entry, finish=_finish, count=_count,
                  in_order=lambda row: row.hook_id)  # a subscriber gets its batches in order


def next_due(conn, app_ids: list[int] | None) -> dict[int, float]:
    return queue.next_due(KIND, conn, app_ids)


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None, *,
            since: float | None = None) -> int:
    return queue.run_due(KIND, env, app, now, tally, since=since)


def deliveries(conn, app: AppRecord, *, status: str | None = None, limit: int = 100, after: int = 0) -> list[dict]:
    """The app's delivery log, oldest first (the control API)."""
    d = schema.hook_delivery
    q = sa.select(d).where(d.c.app_id == app.id, d.c.id > after).order_by(d.c.id).limit(limit)
    if status:
        q = q.where(d.c.status == status)
    out = []
    for r in conn.execute(q):
        out.append({"id": r.id, "hook_key": str(r.hook_id), "event_key": r.event_key, "status": r.status,
                    "attempts": r.attempts, "object_count": r.size,
                    "due_at": hooks.timestamp(_moment(r.due_at)) if r.due_at else None,
                    "created_at": hooks.timestamp(r.created_at),
                    "finished_at": hooks.timestamp(r.finished_at) if r.finished_at else None,
                    "body": hooks.body_of(r), "log": list(r.log)})
    return out
