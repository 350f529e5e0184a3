"""Lead sources, lead source categories, expenses and recurring expenses (the contract's ``Lead Sources``,
``Lead Source Categories``, ``Lead Source Expenses`` and ``Lead Source Recurring Expenses`` operations).

They are DataService's ``LeadSource``, ``LeadSourceCategory``, ``LeadSourceExpense`` and
``LeadSourceRecurringExpense`` rows (server.domain.crm.lead_sources), written through the same DataService
writers as XML-RPC: an expense also shows as an ``Expense`` row; a recurring expense incurs an expense every
month on the app's clock (server.domain.crm.recurring_expenses). Wire rules of this family:
- Amounts are in the currency's smallest unit (``"amount": 2500`` is 25.00; the contract) and the store keeps
  the currency amount XML-RPC reads (``Amount: 25.0``); answers give the ``CurrencyValue`` with the business
  profile's currency. An ``amount`` filter is in the smallest unit too.
- A lead source's ``status`` is ``ACTIVE`` or ``INACTIVE`` (stored ``Active`` / ``Inactive``, as XML-RPC and the
  seed data write it); names of lead sources and categories are required, and a category's name is unique
  ignoring case (409).
- ``lead_source_id`` ``-`` lists expenses or recurring expenses across every lead source (the contract).
- An expense or recurring expense under another lead source's path is not found (404).
- Deleting a lead source deletes its expenses and recurring expenses; deleting a category leaves its lead
  sources uncategorized.
"""
from __future__ import annotations

from dataclasses import replace

from server.domain.account import settings
from server.domain.crm import lead_sources as domain
from server.domain.data import records
from server.domain.data.listing import Condition
from server.domain.session import AppSession

from .api import Request, operation
from .errors import conflict, existing, invalid_field, not_found
from .filters import Id, Number, Text, Time
from .paging import Listing
from .wire import in_id, in_time, out_id, out_time

STATUSES = {"ACTIVE": "Active", "INACTIVE": "Inactive"}
_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_STAMPS = {"create_time": Time(), "update_time": Time()}


class Cents(Number):
    """An amount in the currency's smallest unit, compared with the stored currency amount."""

    def parse(self, name, target, clause, clock):
        return [replace(c, value=c.value / 100) for c in super().parse(name, target, clause, clock)]


SOURCES = Listing(
    filters={"id": Number(), "name": Text(), "status": Text(), "lead_source_category_id": Id("category_id"),
             "vendor": Text(), "medium": Text(), "message": Text(), "description": Text(),
             "start_time": Time(), "end_time": Time()},
    order_by={f: f for f in ("name", "status", "vendor", "medium", "start_time", "end_time", "create_time",
                             "update_time")},
)
CATEGORIES = Listing(filters={"name": Text(), "description": Text()}, order_by={"name": "name"})
EXPENSES = Listing(
    filters={"title": Text(), "amount": Cents(), "incurred_time": Time(), **_STAMPS},
    order_by={f: f for f in ("title", "amount", "incurred_time", "create_time", "update_time")},
)
RECURRING = Listing(
    filters={"title": Text(), "amount": Cents(), "start_time": Time(), "end_time": Time(),
             "next_expense_time": Time(), **_STAMPS},
    order_by={f: f for f in ("title", "amount", "start_time", "end_time", "next_expense_time", "create_time",
                             "update_time")},
)


# --- answers ------------------------------------------------------------------------------------------

def money(s: AppSession, amount: float | None) -> dict | None:
    """The contract's ``CurrencyValue`` of a stored currency amount."""
    if amount is None:
        return None
    code = settings.profile(s)["currency_code"]
    cents = round(amount * 100)
    sign, units = ("-" if cents < 0 else ""), abs(cents)
    formatted = f"{units // 100:,}.{units % 100:02d}"
    symbol = _SYMBOLS.get(code)
    return {"amount": cents, "currency_code": code,
            "formatted_amount": f"{sign}{symbol}{formatted}" if symbol else f"{sign}{formatted} {code}"}


def source_json(s: AppSession, ls: domain.LeadSourceRecord) -> dict:
    status = (ls.status or "").upper()
    return {"id": out_id(ls.id), "name": ls.name, "description": ls.description, "vendor": ls.vendor,
            "medium": ls.medium, "message": ls.message, "status": status if status in STATUSES else None,
            "lead_source_category_id": out_id(ls.category_id), "start_time": out_time(ls.start, s.clock),
            "end_time": out_time(ls.end, s.clock), "create_time": out_time(ls.created, s.clock),
            "update_time": out_time(ls.updated, s.clock)}


def category_json(s: AppSession, c: domain.CategoryRecord) -> dict:
    return {"id": out_id(c.id), "name": c.name, "description": c.description,
            "create_time": out_time(c.created, s.clock), "update_time": out_time(c.updated, s.clock)}


def expense_json(s: AppSession, e: domain.ExpenseRecord) -> dict:
    return {"id": out_id(e.id), "title": e.title, "notes": e.notes, "amount": money(s, e.amount),
            "lead_source_id": out_id(e.lead_source_id), "lead_source_recurring_expense_id": out_id(e.recurring_id),
            "incurred_time": out_time(e.incurred, s.clock), "create_time": out_time(e.created, s.clock),
            "update_time": out_time(e.updated, s.clock)}


def recurring_json(s: AppSession, e: domain.RecurringRecord) -> dict:
    ended = e.next_expense is not None and e.end is not None and e.next_expense > e.end
    return {"id": out_id(e.id), "title": e.title, "notes": e.notes, "amount": money(s, e.amount),
            "lead_source_id": out_id(e.lead_source_id), "start_time": out_time(e.start, s.clock),
            "end_time": out_time(e.end, s.clock),
            "next_expense_time": None if ended else out_time(e.next_expense, s.clock),
            "create_time": out_time(e.created, s.clock), "update_time": out_time(e.updated, s.clock)}


# --- lookups ------------------------------------------------------------------------------------------

def _source(s: AppSession, lead_source_id: int) -> domain.LeadSourceRecord:
    return existing(domain.get_source(s, lead_source_id), "Lead Source", lead_source_id)


def _category(s: AppSession, category_id: int) -> domain.CategoryRecord:
    return existing(domain.get_category(s, category_id), "Lead Source Category", category_id)


def _expense(s: AppSession, lead_source_id: int, expense_id: int) -> domain.ExpenseRecord:
    _source(s, lead_source_id)
    found = domain.get_expense(s, expense_id)
    if found is None or found.lead_source_id != lead_source_id:
        raise not_found("Lead Source Expense", expense_id)
    return found


def _recurring(s: AppSession, lead_source_id: int, recurring_id: int) -> domain.RecurringRecord:
    _source(s, lead_source_id)
    found = domain.get_recurring(s, recurring_id)
    if found is None or found.lead_source_id != lead_source_id:
        raise not_found("Lead Source Recurring Expense", recurring_id)
    return found


def _any_source(s: AppSession, text: str) -> int | None:
    """A ``lead_source_id`` path value of a list: an id, or ``-`` for every lead source (None)."""
    if text == "-":
        return None
    if not (text.isascii() and text.isdigit()):
        raise invalid_field("lead_source_id", f"'{text}' is not an id or '-'")
    return _source(s, int(text)).id


def _text(body: dict, changed: set[str], names: dict[str, str]) -> dict:
    return {field: body.get(prop) or None for prop, field in names.items() if prop in changed}


def _times(r: Request, changed: set[str], names: dict[str, str]) -> dict:
    return {field: in_time(r.body[prop], r.s.clock, prop) if r.body.get(prop) else None
            for prop, field in names.items() if prop in changed}


def _required_name(body: dict, changed: set[str]) -> None:
    if "name" in changed and not (body.get("name") or "").strip():
        raise invalid_field("name", "a name is required")


# --- lead sources -------------------------------------------------------------------------------------

SOURCE_PROPERTIES = ("name", "description", "vendor", "medium", "message", "start_time", "end_time", "status",
                     "lead_source_category_id")


def _source_values(r: Request, changed: set[str]) -> dict:
    body = r.body
    _required_name(body, changed)
    values = _text(body, changed, {"name": "Name", "description": "Description", "vendor": "Vendor",
                                   "medium": "Medium", "message": "Message"})
    values.update(_times(r, changed, {"start_time": "StartDate", "end_time": "EndDate"}))
    if "status" in changed:
        values["Status"] = STATUSES.get(body.get("status"))
    if "lead_source_category_id" in changed:
        ref = body.get("lead_source_category_id")
        category_id = in_id(ref, "lead_source_category_id") if ref else None
        if category_id is not None and domain.get_category(r.s, category_id) is None:
            raise invalid_field("lead_source_category_id", f"no lead source category has the id {ref}")
        values["LeadSourceCategoryId"] = category_id
    return values


@operation("listLeadSources")
def list_lead_sources(r: Request) -> dict:
    page = domain.page_sources(r.s, r.list_query(SOURCES))
    return r.page("lead_sources", [source_json(r.s, ls) for ls in page.items], page)


@operation("createLeadSource")
def create_lead_source(r: Request) -> dict:
    if "name" not in r.body:
        raise invalid_field("name", "a name is required")
    values = _source_values(r, {p for p in SOURCE_PROPERTIES if p in r.body})
    return source_json(r.s, _source(r.s, records.add(r.s, "LeadSource", values)))


@operation("getLeadSource")
def get_lead_source(r: Request, lead_source_id: int) -> dict:
    return source_json(r.s, _source(r.s, lead_source_id))


@operation("updateLeadSource")
def update_lead_source(r: Request, lead_source_id: int) -> dict:
    _source(r.s, lead_source_id)
    values = _source_values(r, r.changed(SOURCE_PROPERTIES, known_only=True))
    if values:
        records.update(r.s, "LeadSource", lead_source_id, values)
    return source_json(r.s, _source(r.s, lead_source_id))


@operation("deleteLeadSource")
def delete_lead_source(r: Request, lead_source_id: int) -> None:
    _source(r.s, lead_source_id)
    domain.delete_source(r.s, lead_source_id)


# --- categories ---------------------------------------------------------------------------------------

def _category_values(r: Request, changed: set[str], besides: int | None = None) -> dict:
    body = r.body
    _required_name(body, changed)
    if "name" in changed:
        name = body["name"].strip()
        taken = domain.category_named(r.s, name)
        if taken is not None and taken.id != besides:
            raise conflict(f"A lead source category named '{name}' already exists")
    return _text(body, changed, {"name": "Name", "description": "Description"})


@operation("listLeadSourceCategories")
def list_lead_source_categories(r: Request) -> dict:
    page = domain.page_categories(r.s, r.list_query(CATEGORIES))
    return r.page("lead_source_categories", [category_json(r.s, c) for c in page.items], page)


@operation("createLeadSourceCategory")
def create_lead_source_category(r: Request) -> dict:
    if "name" not in r.body:
        raise invalid_field("name", "a name is required")
    values = _category_values(r, {p for p in ("name", "description") if p in r.body})
    return category_json(r.s, _category(r.s, records.add(r.s, "LeadSourceCategory", values)))


@operation("getLeadSourceCategory")
def get_lead_source_category(r: Request, lead_source_category_id: int) -> dict:
    return category_json(r.s, _category(r.s, lead_source_category_id))


@operation("updateLeadSourceCategory")
def update_lead_source_category(r: Request, lead_source_category_id: int) -> dict:
    _category(r.s, lead_source_category_id)
    values = _category_values(r, r.changed(("name", "description"), known_only=True), besides=lead_source_category_id)
    if values:
        records.update(r.s, "LeadSourceCategory", lead_source_category_id, values)
    return category_json(r.s, _category(r.s, lead_source_category_id))


@operation("deleteLeadSourceCategory")
def delete_lead_source_category(r: Request, lead_source_category_id: int) -> None:
    _category(r.s, lead_source_category_id)
    domain.delete_category(r.s, lead_source_category_id)


# --- expenses -----------------------------------------------------------------------------------------

EXPENSE_PROPERTIES = ("title", "notes", "amount", "incurred_time")
RECURRING_PROPERTIES = ("title", "notes", "amount", "start_time", "end_time")


def _amount_values(r: Request, changed: set[str]) -> dict:
    values = _text(r.body, changed, {"title": "Title", "notes": "Notes"})
    if "amount" in changed:
        amount = r.body.get("amount")
        values["Amount"] = None if amount is None else amount / 100
    return values


def _expense_values(r: Request, changed: set[str]) -> dict:
    values = _amount_values(r, changed)
    values.update(_times(r, changed, {"incurred_time": "DateIncurred"}))
    if "DateIncurred" in values and values["DateIncurred"] is None:
        values["DateIncurred"] = r.s.now_local()
    return values


def _recurring_values(r: Request, changed: set[str], current: domain.RecurringRecord | None = None) -> dict:
    values = _amount_values(r, changed)
    values.update(_times(r, changed, {"start_time": "StartDate", "end_time": "EndDate"}))
    start = values.get("StartDate", current.start if current else None)
    end = values.get("EndDate", current.end if current else None)
    if start is not None and end is not None and end < start:
        raise invalid_field("end_time", "the end is before the start")
    return values


def _where(q, **conditions):
    return replace(q, where=(*q.where, *(Condition(f, "eq", v) for f, v in conditions.items() if v is not None)))


@operation("listLeadSourceExpenses")
def list_lead_source_expenses(r: Request, lead_source_id: str) -> dict:
    q = _where(r.list_query(EXPENSES), lead_source_id=_any_source(r.s, lead_source_id))
    page = domain.page_expenses(r.s, q)
    return r.page("lead_source_expenses", [expense_json(r.s, e) for e in page.items], page)


@operation("createLeadSourceExpense")
def create_lead_source_expense(r: Request, lead_source_id: int) -> dict:
    _source(r.s, lead_source_id)
    values = _expense_values(r, {p for p in EXPENSE_PROPERTIES if p in r.body})
    expense_id = records.add(r.s, "LeadSourceExpense", {**values, "LeadSourceId": lead_source_id})
    return expense_json(r.s, _expense(r.s, lead_source_id, expense_id))


@operation("getLeadSourceExpense")
def get_lead_source_expense(r: Request, lead_source_id: int, lead_source_expense_id: int) -> dict:
    return expense_json(r.s, _expense(r.s, lead_source_id, lead_source_expense_id))


@operation("updateLeadSourceExpense")
def update_lead_source_expense(r: Request, lead_source_id: int, lead_source_expense_id: int) -> dict:
    _expense(r.s, lead_source_id, lead_source_expense_id)
    values = _expense_values(r, r.changed(EXPENSE_PROPERTIES, known_only=True))
    if "Amount" in values and values["Amount"] is None:
        raise invalid_field("amount", "an amount is required")
    if values:
        records.update(r.s, "LeadSourceExpense", lead_source_expense_id, values)
    return expense_json(r.s, _expense(r.s, lead_source_id, lead_source_expense_id))


@operation("deleteLeadSourceExpense")
def delete_lead_source_expense(r: Request, lead_source_id: int, lead_source_expense_id: int) -> None:
    _expense(r.s, lead_source_id, lead_source_expense_id)
    records.delete(r.s, "LeadSourceExpense", lead_source_expense_id)


# --- recurring expenses -------------------------------------------------------------------------------

@operation("listLeadSourceRecurringExpenses")
def list_lead_source_recurring_expenses(r: Request, lead_source_id: str) -> dict:
    q = _where(r.list_query(RECURRING), lead_source_id=_any_source(r.s, lead_source_id))
    page = domain.page_recurring(r.s, q)
    return r.page("lead_source_recurring_expenses", [recurring_json(r.s, e) for e in page.items], page)


@operation("createLeadSourceRecurringExpense")
def create_lead_source_recurring_expense(r: Request, lead_source_id: int) -> dict:
    _source(r.s, lead_source_id)
    values = _recurring_values(r, {p for p in RECURRING_PROPERTIES if p in r.body})
    recurring_id = records.add(r.s, "LeadSourceRecurringExpense", {**values, "LeadSourceId": lead_source_id})
    return recurring_json(r.s, _recurring(r.s, lead_source_id, recurring_id))


@operation("getLeadSourceRecurringExpense")
def get_lead_source_recurring_expense(r: Request, lead_source_id: int, lead_source_recurring_expense_id: int) -> dict:
    return recurring_json(r.s, _recurring(r.s, lead_source_id, lead_source_recurring_expense_id))


@operation("updateLeadSourceRecurringExpense")
def update_lead_source_recurring_expense(r: Request, lead_source_id: int,
                                         lead_source_recurring_expense_id: int) -> dict:
    current = _recurring(r.s, lead_source_id, lead_source_recurring_expense_id)
    values = _recurring_values(r, r.changed(RECURRING_PROPERTIES, known_only=True), current)
    if "Amount" in values and values["Amount"] is None:
        raise invalid_field("amount", "an amount is required")
    if values:
        records.update(r.s, "LeadSourceRecurringExpense", lead_source_recurring_expense_id, values)
    return recurring_json(r.s, _recurring(r.s, lead_source_id, lead_source_recurring_expense_id))


@operation("deleteLeadSourceRecurringExpense")
def delete_lead_source_recurring_expense(r: Request, lead_source_id: int,
                                         lead_source_recurring_expense_id: int) -> None:
    _recurring(r.s, lead_source_id, lead_source_recurring_expense_id)
    records.delete(r.s, "LeadSourceRecurringExpense", lead_source_recurring_expense_id)


@operation("listExpensesIncurredFromLeadSourceRecurringExpense")
def list_expenses_incurred_from_recurring(r: Request, lead_source_id: int,
                                          lead_source_recurring_expense_id: int) -> dict:
    _recurring(r.s, lead_source_id, lead_source_recurring_expense_id)
    q = _where(r.list_query(EXPENSES), recurring_id=lead_source_recurring_expense_id)
    page = domain.page_expenses(r.s, q)
    return r.page("lead_source_expenses", [expense_json(r.s, e) for e in page.items], page)
