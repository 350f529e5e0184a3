"""Lead sources, their categories and expenses. Every LeadSourceExpense also shows as a row of the read-only
Expense table ("the expenses incurred by opportunities and leadsources"), kept in step by the writer below.
Recurring expenses, and the expenses they incur on the app's clock, are server.domain.crm.recurring_expenses.
The typed reads below serve the protocols that page (REST v2)."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing, records
from server.domain.data.records import PLAIN, Values, Writer
from server.store import schema
from server.store.session import AppSession
from server.tables import Table

EXPENSE_TYPE = "LeadSource"  # Expense.ExpenseType of a lead source's expense (the real enum is unpublished)


def _mirror(s: AppSession, expense_id: int) -> dict:
    row = s.get(schema.lead_source_expense, expense_id)
    return dict(contact_id=0, expense_type=EXPENSE_TYPE, type_id=row.lead_source_id, expense_amt=row.amount,
                date_incurred=row.date_incurred)


def _add(s: AppSession, table: Table, values: Values) -> int:
    if values.columns.get("date_incurred") is None:
        values = Values(dict(values.columns, date_incurred=s.now_local()), values.customs, values.names)
    expense_id = PLAIN.add(s, table, values)
    mirror_id = s.next_id("expense")
    s.insert(schema.expense, dict(id=mirror_id, lead_source_expense_id=expense_id, **_mirror(s, expense_id)))
    return expense_id


def _update(s: AppSession, table: Table, expense_id: int, values: Values) -> None:
    PLAIN.update(s, table, expense_id, values)
    e = schema.expense
    s.update(e, e.c.lead_source_expense_id == expense_id, **_mirror(s, expense_id))


def _delete(s: AppSession, table: Table, expense_id: int) -> None:
    e = schema.expense
    s.delete(e, e.c.lead_source_expense_id == expense_id)
    PLAIN.delete(s, table, expense_id)


WRITER = Writer(("LeadSourceExpense",), _add, _update, _delete)


# --- reads for the protocols that page (REST v2) ------------------------------------------------------

class LeadSourceRecord(NamedTuple):
    id: int
    name: str | None
    description: str | None
    vendor: str | None
    medium: str | None
    message: str | None
    status: str | None
    category_id: int | None
    start: datetime | None  # the app's local wall time, as every stored time
    end: datetime | None
    created: datetime | None
    updated: datetime | None


class CategoryRecord(NamedTuple):
    id: int
    name: str | None
    description: str | None
    created: datetime | None
    updated: datetime | None


class ExpenseRecord(NamedTuple):
    id: int
    lead_source_id: int | None
    recurring_id: int | None  # the recurring expense that incurred it
    title: str | None
    notes: str | None
    amount: float | None
    incurred: datetime | None
    created: datetime | None
    updated: datetime | None


class RecurringRecord(NamedTuple):
    id: int
    lead_source_id: int | None
    title: str | None
    notes: str | None
    amount: float | None  # per month
    start: datetime | None
    end: datetime | None
    next_expense: datetime | None
    created: datetime | None
    updated: datetime | None


_ls, _lsc = schema.lead_source, schema.lead_source_category
_lse, _lsr = schema.lead_source_expense, schema.lead_source_recurring_expense
_STAMPS = {"create_time": "date_created", "update_time": "last_updated"}


def _fields(table, names: dict[str, str], text=()) -> listing.Fields:
    columns = {wire: table.c[column] for wire, column in {**names, **_STAMPS}.items()}
    return listing.Fields({"id": table.c.id, **columns}, text=frozenset(text))


SOURCE_FIELDS = _fields(_ls, {"name": "name", "description": "description", "vendor": "vendor", "medium": "medium",
                              "message": "message", "status": "status", "category_id": "lead_source_category_id",
                              "start_time": "start_date", "end_time": "end_date"},
                        text=("name", "description", "vendor", "medium", "message", "status"))
CATEGORY_FIELDS = _fields(_lsc, {"name": "name", "description": "description"}, text=("name", "description"))
EXPENSE_FIELDS = _fields(_lse, {"title": "title", "amount": "amount", "incurred_time": "date_incurred",
                                "lead_source_id": "lead_source_id",
                                "recurring_id": "lead_source_recurring_expense_id"}, text=("title",))
RECURRING_FIELDS = _fields(_lsr, {"title": "title", "amount": "amount", "start_time": "start_date",
                                  "end_time": "end_date", "next_expense_time": "next_expense_date",
                                  "lead_source_id": "lead_source_id"}, text=("title",))


def _source(r) -> LeadSourceRecord:
    return LeadSourceRecord(r.id, r.name, r.description, r.vendor, r.medium, r.message, r.status,
                            r.lead_source_category_id or None, r.start_date, r.end_date, r.date_created,
                            r.last_updated)


def _category(r) -> CategoryRecord:
    return CategoryRecord(r.id, r.name, r.description, r.date_created, r.last_updated)


def _expense(r) -> ExpenseRecord:
    return ExpenseRecord(r.id, r.lead_source_id, r.lead_source_recurring_expense_id or None, r.title, r.notes,
                         r.amount, r.date_incurred, r.date_created, r.last_updated)


def _recurring(r) -> RecurringRecord:
    return RecurringRecord(r.id, r.lead_source_id, r.title, r.notes, r.amount, r.start_date, r.end_date,
                           r.next_expense_date, r.date_created, r.last_updated)


def _one(s: AppSession, table, record_id: int, make):
    row = s.get(table, record_id)
    return None if row is None else make(row)


def get_source(s: AppSession, lead_source_id: int) -> LeadSourceRecord | None:
    return _one(s, _ls, lead_source_id, _source)


def get_category(s: AppSession, category_id: int) -> CategoryRecord | None:
    return _one(s, _lsc, category_id, _category)


def get_expense(s: AppSession, expense_id: int) -> ExpenseRecord | None:
    return _one(s, _lse, expense_id, _expense)


def get_recurring(s: AppSession, recurring_id: int) -> RecurringRecord | None:
    return _one(s, _lsr, recurring_id, _recurring)


def page_sources(s: AppSession, q: listing.ListQuery) -> listing.Page[LeadSourceRecord]:
    return listing.page(s, s.select(_ls), SOURCE_FIELDS, q, _source)


def page_categories(s: AppSession, q: listing.ListQuery) -> listing.Page[CategoryRecord]:
    return listing.page(s, s.select(_lsc), CATEGORY_FIELDS, q, _category)


def page_expenses(s: AppSession, q: listing.ListQuery) -> listing.Page[ExpenseRecord]:
    """Expenses under ``q``'s conditions (``lead_source_id``, ``recurring_id`` narrow them to one source or one
    recurring expense)."""
    return listing.page(s, s.select(_lse), EXPENSE_FIELDS, q, _expense)


def page_recurring(s: AppSession, q: listing.ListQuery) -> listing.Page[RecurringRecord]:
    return listing.page(s, s.select(_lsr), RECURRING_FIELDS, q, _recurring)


# --- deletes (LeadSource and LeadSourceCategory are not deletable through DataService) ----------------

def delete_source(s: AppSession, lead_source_id: int) -> None:
    """Delete a lead source with its expenses and recurring expenses (their Expense mirrors go too)."""
    for row in s.execute(s.select(_lse, _lse.c.id).where(_lse.c.lead_source_id == lead_source_id)).all():
        records.delete(s, "LeadSourceExpense", row.id)
    for row in s.execute(s.select(_lsr, _lsr.c.id).where(_lsr.c.lead_source_id == lead_source_id)).all():
        records.delete(s, "LeadSourceRecurringExpense", row.id)
    PLAIN.delete(s, records.table_named("LeadSource"), lead_source_id)


def delete_category(s: AppSession, category_id: int) -> None:
    """Delete a lead source category; its lead sources stay, uncategorized."""
    for row in s.execute(s.select(_ls, _ls.c.id).where(_ls.c.lead_source_category_id == category_id)).all():
        records.update(s, "LeadSource", row.id, {"LeadSourceCategoryId": None})
    PLAIN.delete(s, records.table_named("LeadSourceCategory"), category_id)


def category_named(s: AppSession, name: str) -> CategoryRecord | None:
    """The lead source category of this name, ignoring case and surrounding spaces."""
    row = s.execute(s.select(_lsc).where(sa.func.lower(_lsc.c.name) == name.strip().lower()).limit(1)).first()
    return None if row is None else _category(row)
