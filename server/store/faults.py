"""Fault-injection rules as stored (server.faults holds what they mean).

Each rule keeps its two counters beside it: ``matched`` (calls the rule matched) and ``injected`` (calls it
broke). A call counts itself with one ``UPDATE … RETURNING``, so concurrent calls in any number of workers each
get their own number, in one sequence per rule. The app row's ``faults_version`` is 0 when the app has no rule,
else a random stamp drawn anew at each change: the gate already has the app's row, so an app without rules
costs no read at all, and a worker keeps the rules it parsed while the stamp is unchanged.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import schema
from .session import allocate

_rule = schema.fault_rule


def add(conn: Connection, app_id: int, rule: dict) -> int:
    rule_id = allocate(conn, app_id, "fault_rule")
    conn.execute(sa.insert(_rule).values(app_id=app_id, id=rule_id, rule=rule, matched=0, injected=0))
    recount(conn, app_id)
    return rule_id


def all_rules(conn: Connection, app_id: int) -> list:
    """The app's rules, oldest first: rows of (id, rule, matched, injected)."""
    return conn.execute(sa.select(_rule.c.id, _rule.c.rule, _rule.c.matched, _rule.c.injected)
                        .where(_rule.c.app_id == app_id).order_by(_rule.c.id)).all()


def one(conn: Connection, app_id: int, rule_id: int):
    return conn.execute(sa.select(_rule.c.id, _rule.c.rule, _rule.c.matched, _rule.c.injected)
                        .where(_rule.c.app_id == app_id, _rule.c.id == rule_id)).first()


def delete(conn: Connection, app_id: int, rule_id: int) -> bool:
    gone = conn.execute(sa.delete(_rule).where(_rule.c.app_id == app_id, _rule.c.id == rule_id)).rowcount
    recount(conn, app_id)
    return bool(gone)


def clear(conn: Connection, app_id: int) -> None:
    conn.execute(sa.delete(_rule).where(_rule.c.app_id == app_id))
    recount(conn, app_id)


def count_match(conn: Connection, app_id: int, rule_id: int) -> int | None:
    """Count one more call matched by the rule; its number (1 for the first), or None if the rule is gone."""
    return conn.execute(sa.update(_rule).where(_rule.c.app_id == app_id, _rule.c.id == rule_id)
                        .values(matched=_rule.c.matched + 1).returning(_rule.c.matched)).scalar()


def count_injection(conn: Connection, app_id: int, rule_id: int) -> None:
    conn.execute(sa.update(_rule).where(_rule.c.app_id == app_id, _rule.c.id == rule_id)
                 .values(injected=_rule.c.injected + 1))


def add_counts(conn: Connection, app_id: int, rule_id: int, matched: int, injected: int) -> None:
    """Add counts kept elsewhere since the rules' last change (server.faults.counts: Redis) to the rule's."""
    conn.execute(sa.update(_rule).where(_rule.c.app_id == app_id, _rule.c.id == rule_id)
                 .values(matched=_rule.c.matched + matched, injected=_rule.c.injected + injected))


def recount(conn: Connection, app_id: int) -> None:
    """A new stamp for the app's rules, 0 if it has none (also after rows were copied in: a snapshot restored)."""
    count = sa.select(sa.func.count()).select_from(_rule).where(_rule.c.app_id == app_id).scalar_subquery()
    stamp = secrets.randbelow(2**31 - 1) + 1  # never reused in practice, even after a reset starts ids anew
    conn.execute(sa.update(schema.app).where(schema.app.c.id == app_id)
                 .values(faults_version=sa.case((count > 0, stamp), else_=0)))
