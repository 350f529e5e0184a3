"""Recurring lead source expenses, charged on the app's clock (issue 14: "the recurring ones charged on the app
clock").

A LeadSourceRecurringExpense costs its ``Amount`` every month (REST v2: "The monthly cost of the lead source
recurring expense") from ``StartDate`` until ``EndDate`` (none: for ever). ``NextExpenseDate`` is when it
next incurs one: on add it is the start (or now, without one); each time the app's clock passes it, a
LeadSourceExpense is added for that date (``LeadSourceRecurringExpenseId`` naming the recurring expense, and
its Expense mirror with it, through the LeadSourceExpense writer) and ``NextExpenseDate`` moves to the same
day of the next month counted from the start (Jan 31 -> Feb 28 -> Mar 31). Past ``EndDate`` nothing more is
incurred. A clock moved three months at once incurs the three months' expenses, each at its own date
(server.jobs steps through every due time in order). Changing ``StartDate`` moves ``NextExpenseDate`` to the
first period after the last expense it incurred.
"""
from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC
from server.domain.commerce.subscriptions import add_months
from server.domain.data import records
from server.domain.data.records import PLAIN, Values, Writer
from server.environment import Environment
from server.store import apps, schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tables import Table

log = logging.getLogger("sandbox.lead_sources")
_lsr, _lse = schema.lead_source_recurring_expense, schema.lead_source_expense
# a recurring expense with a period still to incur (none past its end)
_CHARGING = sa.and_(_lsr.c.next_expense_date.is_not(None),
                    sa.or_(_lsr.c.end_date.is_(None), _lsr.c.next_expense_date <= _lsr.c.end_date))


def next_after(start: datetime, incurred: datetime) -> datetime:
    """The period after the one ``incurred`` on, counted in months from ``start``."""
    months = (incurred.year - start.year) * 12 + incurred.month - start.month
    following = add_months(start, months + 1)
    return following if following > incurred else add_months(start, months + 2)


def _last_incurred(s: AppSession, recurring_id: int) -> datetime | None:
    return s.execute(s.select(_lse, sa.func.max(_lse.c.date_incurred))
                     .where(_lse.c.lead_source_recurring_expense_id == recurring_id)).scalar()


def _add(s: AppSession, table: Table, values: Values) -> int:
    columns = dict(values.columns)
    if columns.get("next_expense_date") is None:
        columns["next_expense_date"] = columns.get("start_date") or s.now_local()
    return PLAIN.add(s, table, Values(columns, values.customs, values.names))


def _update(s: AppSession, table: Table, recurring_id: int, values: Values) -> None:
    columns = dict(values.columns)
    if "start_date" in columns and "next_expense_date" not in columns:
        start, last = columns["start_date"], _last_incurred(s, recurring_id)
        columns["next_expense_date"] = (next_after(start, last) if start and last else start or s.now_local())
    PLAIN.update(s, table, recurring_id, Values(columns, values.customs, values.names))


WRITER = Writer(("LeadSourceRecurringExpense",), _add, _update, PLAIN.delete)


def charge_due(s: AppSession) -> int:
    """Incur every period that the app's clock has passed; returns how many expenses were added."""
    now = s.now_local()
    added = 0
    due = s.select(_lsr).where(_CHARGING, _lsr.c.next_expense_date <= now)
    for row in s.execute(due.order_by(_lsr.c.next_expense_date, _lsr.c.id)).all():
        when, start = row.next_expense_date, row.start_date or row.next_expense_date
        while when is not None and when <= now and (row.end_date is None or when <= row.end_date):
            records.add(s, "LeadSourceExpense", {"LeadSourceId": row.lead_source_id, "Title": row.title,
                                                 "Notes": row.notes, "Amount": row.amount, "DateIncurred": when,
                                                 "LeadSourceRecurringExpenseId": row.id})
            added += 1
            when = next_after(start, when)
        PLAIN.update(s, records.table_named("LeadSourceRecurringExpense"), row.id,
                     Values({"next_expense_date": when}, {}, ["NextExpenseDate"]))
    return added


# --- due work (server.jobs) ---------------------------------------------------------------------------

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    """App id -> the earliest next expense (seconds on its clock) of the apps with a recurring expense due."""
    q = sa.select(_lsr.c.app_id, sa.func.min(_lsr.c.next_expense_date)).where(_CHARGING).group_by(_lsr.c.app_id)
    if app_ids is not None:
        q = q.where(_lsr.c.app_id.in_(app_ids))
    out = {}
    for app_id, earliest in conn.execute(q).all():
        app = apps.by_id(conn, app_id)
        if app is not None and earliest is not None:
            out[app_id] = app.clock.to_utc(earliest).timestamp()
    return out


def run_due(env: Environment, app: AppRecord, now: float) -> int:
    try:
        with transaction(env.engine, write=True) as conn:
            return charge_due(env.session(conn, app))
    except Exception:  # one app's failure never stops the others' due work
        log.exception("recurring lead source expenses of app %s failed at %s", app.name,
                      datetime.fromtimestamp(now, UTC).isoformat())
        return 0
