"""Sending REST hooks: the X-Hook-Secret handshake, and deliveries run off the request path.

Deliveries are rows (server.domain.account.hooks) with a due time on the app's clock; server.rest ``install``
registers them as due work (server.jobs), so the heartbeat sends what falls due and a clock advance steps
through every attempt in order. An attempt is claimed atomically before the POST (several workers may beat at once): the
claim counts the attempt and moves the due time to the next retry, so a process that dies mid-POST leaves a
delivery that is simply retried, after a restart too. A failure is a status below 200 or from 400, or no
answer within the timeout; 410 Gone makes the hook Inactive at once, and so does the fourth failure
[doc S30]. Requests leave through the environment's HTTP sender (server.senders).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime

import sqlalchemy as sa

from server.clock import UTC
from server.domain.account import hooks
from server.domain.session import AppRecord
from server.environment import Environment
from server.senders import Answer
from server.store import schema
from server.store.db import transaction
from server.tally import Tally

log = logging.getLogger("sandbox.hooks")
MAX_ATTEMPTS = 4
CLAIM_BATCH = 50


def _headers(extra: dict | None = None) -> dict:
    return {"Content-Type": "application/json", "User-Agent": "Infusionsoft-Sandbox-RestHooks/1.0", **(extra or {})}


# --- the handshake ------------------------------------------------------------------------------------

def handshake(env: Environment, app: AppRecord, hook_id: int) -> None:
    """POST the hook's URL with a fresh ``X-Hook-Secret``; an answer of 200 echoing it verifies the hook.
    Otherwise it stays (or becomes) Unverified until ``delayedVerify`` brings the secret back [doc S30]."""
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        url, secret = hooks.start_handshake(s, hook_id)
    answer = env.senders.http.post(url, b"", _headers({"X-Hook-Secret": secret}), float(app.option("hook_timeout")))
    echoed = {k.lower(): v for k, v in answer.headers.items()}.get("x-hook-secret")
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        if answer.status == 200 and echoed == secret:
            hooks.set_status(s, hook_id, "Verified", "handshake")
        else:
            hooks.set_status(s, hook_id, "Unverified", "handshake not answered")


# --- deliveries ---------------------------------------------------------------------------------------

def _claim(env: Environment, app: AppRecord, now: float) -> list[tuple]:
    """Take the deliveries due at ``now``: each claim counts the attempt and books the next one."""
    d, h = schema.hook_delivery, schema.rest_hook
    retries = list(app.option("hook_retry_delays"))
    claimed = []
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        due = s.execute(s.select(d).where(d.c.status == "pending", d.c.due_at <= now)
                        .order_by(d.c.due_at, d.c.id).limit(CLAIM_BATCH)).all()
        for row in due:
            attempt = row.attempts + 1
            later = now + (retries[min(attempt, len(retries)) - 1] if retries else 60)
            done = s.update(d, d.c.id == row.id, d.c.status == "pending", d.c.attempts == row.attempts,
                            attempts=attempt, due_at=later).rowcount
            if not done:
                continue  # another worker has it
            hook = s.execute(s.select(h, h.c.hook_url, h.c.status).where(h.c.id == row.hook_id)).first()
            if hook is None or hook.status != "Verified" or attempt > MAX_ATTEMPTS:
                reason = "the hook is not Verified" if attempt <= MAX_ATTEMPTS else "no attempts left"
                s.update(d, d.c.id == row.id, status="dropped" if attempt <= MAX_ATTEMPTS else "failed",
                         due_at=None, finished_at=s.clock.now().replace(tzinfo=None),
                         log=list(row.log) + [{"at": hooks.timestamp(s.clock.now()), "error": reason}])
                if attempt > MAX_ATTEMPTS and hook is not None:  # its last attempt never reported back
                    hooks.set_status(s, row.hook_id, "Inactive", f"{MAX_ATTEMPTS} failed attempts")
                if attempt > MAX_ATTEMPTS:
                    log.warning("REST hook delivery %s of app %s gave up: %s", row.id, app.name, reason)
                continue
            claimed.append((row, attempt, hook.hook_url))
    return claimed


def _record(env: Environment, app: AppRecord, row, attempt: int, answer: Answer) -> bool:
    """Record an attempt's answer; True if the delivery has failed for good (no more attempts)."""
    d = schema.hook_delivery
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        now = s.clock.now()
        current = s.get(d, row.id)
        if current is None:
            return False
        entry = {"at": hooks.timestamp(now), "attempt": attempt, "status": answer.status}
        if answer.error:
            entry["error"] = answer.error
        logged = list(current.log) + [entry]
        ok = answer.status is not None and 200 <= answer.status < 400
        if ok:
            s.update(d, d.c.id == row.id, status="delivered", due_at=None, finished_at=now.replace(tzinfo=None),
                     log=logged)
            return False
        gone = answer.status == 410
        if gone or attempt >= MAX_ATTEMPTS:
            s.update(d, d.c.id == row.id, status="failed", due_at=None, finished_at=now.replace(tzinfo=None),
                     log=logged)
            hooks.set_status(s, row.hook_id, "Inactive", "410 Gone" if gone else f"{attempt} failed attempts")
            if gone:  # no more deliveries to a URL that said it is gone
                s.update(d, d.c.hook_id == row.hook_id, d.c.status == "pending", status="dropped", due_at=None,
                         finished_at=now.replace(tzinfo=None))
            return True
        s.update(d, d.c.id == row.id, log=logged)  # stays pending, due at the retry booked by the claim
        return False


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    claimed = _claim(env, app, now)
    timeout = float(app.option("hook_timeout"))
    for row, attempt, url in claimed:
        answer = env.senders.http.post(url, json.dumps(hooks.body_of(row)).encode(), _headers(), timeout)
        failed = answer.status is None or not 200 <= answer.status < 400
        if failed:
            log.info("hook delivery %s of app %s failed: %s", row.id, app.name, answer.error or answer.status)
        if _record(env, app, row, attempt, answer):
            log.warning("REST hook delivery %s of app %s to %s gave up after attempt %d (%s); the hook is now "
                        "Inactive", row.id, app.name, url, attempt, answer.error or answer.status)
        if tally is not None:
            tally.hook_deliveries_made += 1
            tally.hook_deliveries_failed += failed
    return len(claimed)



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
                    "due_at": hooks.timestamp(datetime.fromtimestamp(r.due_at, UTC)) if r.due_at else None,
                    "created_at": hooks.timestamp(r.created_at),
                    "finished_at": hooks.timestamp(r.finished_at) if r.finished_at else None,
                    "body": hooks.body_of(r), "log": list(r.log)})
    return out
