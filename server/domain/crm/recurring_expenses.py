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
first period after the last expense it incurred. Each recurring expense is charged in its own transaction;
one whose charge fails is logged and stops recurring, so moving the clock never loops on it.
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
from server.store import apps, due, schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tables import Table
from server.tally import Tally

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


def due_ids(s: AppSession) -> list[int]:
    """The recurring expenses with a period the app's clock has passed, earliest first."""
    q = s.select(_lsr, _lsr.c.id).where(_CHARGING, _lsr.c.next_expense_date <= s.now_local())
    return [r.id for r in s.execute(q.order_by(_lsr.c.next_expense_date, _lsr.c.id))]


def charge(s: AppSession, recurring_id: int) -> int:
    """Incur every period of one recurring expense that the app's clock has passed; returns how many."""
    row = s.get(_lsr, recurring_id)
    if row is None or row.next_expense_date is None:
        return 0
    now, added = s.now_local(), 0
    when, start = row.next_expense_date, row.start_date or row.next_expense_date
    while when <= now and (row.end_date is None or when <= row.end_date):
        records.add(s, "LeadSourceExpense", {"LeadSourceId": row.lead_source_id, "Title": row.title,
                                             "Notes": row.notes, "Amount": row.amount, "DateIncurred": when,
                                             "LeadSourceRecurringExpenseId": row.id})
        added += 1
        when = next_after(start, when)
    _set_next(s, recurring_id, when)
    return added


def _set_next(s: AppSession, recurring_id: int, when: datetime | None) -> None:
    PLAIN.update(s, records.table_named("LeadSourceRecurringExpense"), recurring_id,
                 Values({"next_expense_date": when}, {}, ["NextExpenseDate"]))


# --- due work (server.jobs) ---------------------------------------------------------------------------

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    """App id -> the earliest next expense (seconds on its clock) of the apps with a recurring expense due."""
    out = {}
    found = due.earliest(conn, _lsr, app_ids, status=None, due="next_expense_date", where=_CHARGING)
    for app_id, earliest in found.items():
        app = apps.by_id(conn, app_id)
        if app is not None:
            out[app_id] = app.clock.to_utc(earliest).timestamp()
    return out


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    with transaction(env.engine, write=False) as conn:
        ids = due_ids(env.session(conn, app))
    added = 0
    for recurring_id in ids:
        try:
            with transaction(env.engine, write=True) as conn:
                added += charge(env.session(conn, app, tally=tally), recurring_id)
        except Exception:  # one bad row never stops the others, nor comes due again (server.jobs would loop)
            log.exception("recurring lead source expense %s of app %s failed at %s; it stops recurring",
                          recurring_id, app.name, datetime.fromtimestamp(now, UTC).isoformat())
            with transaction(env.engine, write=True) as conn:
                _set_next(env.session(conn, app), recurring_id, None)
    return added
