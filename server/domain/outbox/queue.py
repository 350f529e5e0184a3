"""The outbox: requests the sandbox sends to the outside world (campaign HTTP posts, REST hook deliveries),
queued as rows with a due time on the app's clock and sent off the request path, at least once.

One queue for every kind (issue 12 point 3). A ``Kind`` says only what differs: its table and due column, the
request a row makes (``prepare``: URL, body, headers), its ``RetryPolicy`` (delays, attempts, what counts as
delivered, what gives up at once), the columns and side effects of a finished row (``finish``), and how an
attempt is logged and counted. The queue does the rest, the same for all:

- **claim with a lease**: due rows move from ``pending`` to ``sending`` with ``lease_until`` (wall time) in one
  transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so several workers never send the same row; a row
  whose worker died is claimed again when its lease runs out (server.store.due reports it due at once);
- **send outside any transaction, concurrently**: at most ``CONCURRENCY`` requests at once, each with the
  kind's timeout (shortened during a clock advance, below); rows of one ``in_order`` key (a hook's batches)
  go one after another, in due order, so a subscriber sees them in the order they were made;
- **record each attempt** in one transaction: the log entry, the attempt count, then delivered, failed or
  pending again at the policy's next delay.

A clock advance (server.jobs.advance) runs the outbox after its in-app work, not at each due time: every
request due in the jump is sent in a few concurrent rounds (each retry that still falls inside the jump is a
round) with a per-attempt timeout of at most the app option ``delivery_timeout_in_advance_s``, and recorded at
the time it was due. So a slow receiver costs a jump a few timeouts, not one per request (six posts to a
5-second receiver made a 2-day jump take 30 s).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import wall
from server.environment import Environment
from server.senders import Answer, Body
from server.store import due
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tally import Tally

log = logging.getLogger("sandbox.outbox")

LEASE = 120.0  # wall seconds a claim holds a row
BATCH = 50  # rows per claim
CONCURRENCY = 8  # requests in flight at once, per app and kind


def success_2xx(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[float, ...]  # app seconds after the 1st, 2nd … failed attempt (the last one repeats)
    max_attempts: int
    success: Callable[[int | None], bool] = success_2xx  # the answer's status (None: no answer) delivered it
    give_up: Callable[[int | None], bool] = lambda status: False  # no retry after this answer

    def outcome(self, attempts: int, status: int | None) -> str:
        """``delivered``, ``failed`` or ``pending`` (retried) after attempt number ``attempts``."""
        if self.success(status):
            return "delivered"
        if attempts >= self.max_attempts or self.give_up(status):
            return "failed"
        return "pending"

    def delay(self, attempts: int) -> float:
        """App seconds from failed attempt number ``attempts`` to the next."""
        return self.delays[min(attempts, len(self.delays)) - 1] if self.delays else 60.0


@dataclass(frozen=True)
class Request:
    url: str
    body: Body
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    """One attempt of a row, as recorded."""

    number: int  # 1 for the first
    at: float  # app time
    answer: Answer
    outcome: str  # delivered | failed | pending


@dataclass(frozen=True)
class Kind:
    name: str
    table: sa.Table
    due: str  # the column of the due time (app seconds since the epoch)
    policy: Callable[[AppRecord], RetryPolicy]
    timeout: Callable[[AppRecord], float]  # wall seconds to wait for an answer
    # inside the claim's transaction: the row's request, or None when the row is settled without one (the kind
    # marks it so itself, e.g. a hook no longer Verified drops its deliveries)
    prepare: Callable[[AppSession, Any], Request | None]
    log_entry: Callable[[Attempt], dict]
    # inside the recording transaction: more columns for the row, and the kind's own effects (events, a hook
    # made Inactive); called for every attempt
    finish: Callable[[AppSession, Any, Attempt], dict]
    count: Callable[[Tally, int, int], None]  # (tally, attempts made, attempts failed)
    in_order: Callable[[Any], Hashable] | None = None  # rows with the same key are sent one after another


@dataclass(frozen=True)
class _Claimed:
    row: Any
    request: Request


def next_due(kind: Kind, conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    return due.earliest(conn, kind.table, app_ids, due=kind.due, leased="sending")


def _claim(env: Environment, app: AppRecord, kind: Kind, until: float) -> tuple[list[_Claimed], int]:
    """Claim the rows due at or before ``until`` (and those whose lease ran out): the claimed ones with their
    requests, and how many rows were settled without one."""
    t = kind.table
    due_at = t.c[kind.due]
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        q = s.select(t).where(sa.or_(sa.and_(t.c.status == "pending", due_at <= until),
                                     sa.and_(t.c.status == "sending", t.c.lease_until < wall())))
        q = q.order_by(due_at, t.c.id).limit(BATCH)
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = s.execute(q).all()
        claimed = [_Claimed(row, request) for row in rows if (request := kind.prepare(s, row)) is not None]
        if claimed:
            s.update(t, t.c.id.in_([c.row.id for c in claimed]), status="sending", lease_until=wall() + LEASE)
    return claimed, len(rows) - len(claimed)


def _send(env: Environment, kind: Kind, claimed: list[_Claimed], timeout: float) -> list[Answer]:
    """The answers to the claimed rows' requests, in their order."""
    def post(c: _Claimed) -> Answer:
        return env.senders.http.post(c.request.url, c.request.body, c.request.headers, timeout)

    def post_in_turn(group: list[int]) -> list[tuple[int, Answer]]:
        return [(i, post(claimed[i])) for i in group]

    groups: dict[Hashable, list[int]] = {}
    for i, c in enumerate(claimed):
        groups.setdefault(kind.in_order(c.row) if kind.in_order else i, []).append(i)
    if len(groups) == 1:
        answered = post_in_turn(next(iter(groups.values())))
    else:
        with ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(groups)), thread_name_prefix="outbox") as pool:
            answered = [a for group in pool.map(post_in_turn, groups.values()) for a in group]
    return [answer for _, answer in sorted(answered, key=lambda a: a[0])]


def _record(env: Environment, app: AppRecord, kind: Kind, claimed: list[_Claimed], answers: list[Answer],
            at_of: Callable[[Any], float]) -> list[Attempt]:
    t = kind.table
    policy = kind.policy(app)
    attempts = []
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, app)
        for c, answer in zip(claimed, answers):
            row = s.get(t, c.row.id)
            if row is None or row.status != "sending":  # gone meanwhile (an app reset)
                continue
            number = row.attempts + 1
            attempt = Attempt(number, at_of(c.row), answer, policy.outcome(number, answer.status))
            changes = dict(status=attempt.outcome, attempts=number, lease_until=None,
                           log=list(row.log or []) + [kind.log_entry(attempt)])
            changes[kind.due] = attempt.at + policy.delay(number) if attempt.outcome == "pending" else None
            changes.update(kind.finish(s, row, attempt))
            s.update(t, t.c.id == row.id, **changes)
            if attempt.outcome == "failed":  # no attempt left: worth a warning in the log
                log.warning("%s %s of app %s to %s gave up after attempt %d (%s)", kind.name, row.id, app.name,
                            c.request.url, number, answer.error or answer.status)
            elif attempt.outcome != "delivered":
                log.info("%s %s of app %s: attempt %s %s", kind.name, row.id, app.name, number,
                         answer.error or answer.status)
            attempts.append(attempt)
    return attempts


def run_due(kind: Kind, env: Environment, app: AppRecord, now: float, tally: Tally | None = None, *,
            since: float | None = None) -> int:
    """Send one batch of the rows of ``kind`` due at or before ``now`` (app time) and record the answers;
    returns how many rows it settled or attempted (0: nothing was due).

    ``since``: a clock advance from ``since`` to ``now`` (server.jobs) runs this after its in-app work: each
    attempt is recorded at the time the row fell due (not before ``since``), so retries keep their schedule
    inside the jump, and no attempt waits longer than the app's ``delivery_timeout_in_advance_s``."""
    claimed, settled = _claim(env, app, kind, now)
    if not claimed:
        return settled
    timeout = float(kind.timeout(app))
    if since is None:
        def at_of(row) -> float:
            return now
    else:
        timeout = min(timeout, float(app.option("delivery_timeout_in_advance_s")))

        def at_of(row) -> float:
            return max(getattr(row, kind.due) or since, since)
    answers = _send(env, kind, claimed, timeout)
    attempts = _record(env, app, kind, claimed, answers, at_of)
    if tally is not None:
        kind.count(tally, len(attempts), sum(1 for a in attempts if a.outcome != "delivered"))
    return settled + len(claimed)
