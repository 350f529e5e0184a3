"""Lead sources and their expenses. Every LeadSourceExpense also shows as a row of the read-only Expense
table ("the expenses incurred by opportunities and leadsources"), kept in step by the writer below."""
from __future__ import annotations

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
