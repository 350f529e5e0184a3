"""Lead sources, their categories, expenses and recurring expenses through REST v2, end to end on a live
server: every answer is checked against Keap's contract by the ``v2`` fixture; rows written through v2 are the
DataService rows XML-RPC reads; a recurring expense incurs its monthly expenses as the sandbox clock passes
each period (moved through the control API)."""
from __future__ import annotations

from datetime import datetime, timedelta


def test_lead_sources_and_categories_seen_by_xmlrpc(v2):
    category = v2.ok("POST", "/leadSourceCategories", 201, json={"name": "Podcasts", "description": "Audio ads"})
    assert category["name"] == "Podcasts" and category["create_time"].endswith("Z")
    assert v2.error("POST", "/leadSourceCategories", 409, json={"name": " podcasts "})["status"] == "ALREADY_EXISTS"
    source = v2.ok("POST", "/leadSources", 201, json={
        "name": "Trail Talk", "description": "Sponsorship", "vendor": "Trail Talk FM", "medium": "Audio",
        "message": "Run further", "status": "ACTIVE", "lead_source_category_id": category["id"],
        "start_time": "2026-01-01T00:00:00Z"})
    assert source["status"] == "ACTIVE" and source["lead_source_category_id"] == category["id"]
    assert source["start_time"] == "2026-01-01T00:00:00Z"
    assert v2.ok("GET", f"/leadSources/{source['id']}") == source
    row = v2.app.call("DataService.load", "LeadSource", int(source["id"]),
                      ["Name", "Vendor", "Status", "LeadSourceCategoryId"])
    assert row == {"Name": "Trail Talk", "Vendor": "Trail Talk FM", "Status": "Active",
                   "LeadSourceCategoryId": int(category["id"])}

    changed = v2.ok("PATCH", f"/leadSources/{source['id']}", params={"update_mask": "status,vendor"},
                    json={"status": "INACTIVE", "name": "ignored"})
    assert changed["status"] == "INACTIVE" and "vendor" not in changed and changed["name"] == "Trail Talk"
    names = lambda page: [s["name"] for s in page["lead_sources"]]  # noqa: E731
    assert names(v2.ok("GET", "/leadSources", params={"filter": "status==INACTIVE"})) == ["Trail Talk"]
    assert names(v2.ok("GET", "/leadSources", params={"filter": f"lead_source_category_id=={category['id']}"})) == [
        "Trail Talk"]
    assert "Google Ads" in names(v2.ok("GET", "/leadSources", params={"filter": "name==goo*"}))  # the seed's
    ordered = names(v2.ok("GET", "/leadSources", params={"order_by": "name desc"}))
    assert ordered == sorted(ordered, reverse=True)
    cats = v2.ok("GET", "/leadSourceCategories", params={"filter": "name==Pod*"})["lead_source_categories"]
    assert [c["id"] for c in cats] == [category["id"]]
    renamed = v2.ok("PATCH", f"/leadSourceCategories/{category['id']}", json={"name": "Audio"})
    assert renamed["name"] == "Audio" and v2.ok("GET", f"/leadSourceCategories/{category['id']}") == renamed

    assert v2.delete(f"/leadSourceCategories/{category['id']}").status_code == 204
    assert "lead_source_category_id" not in v2.ok("GET", f"/leadSources/{source['id']}")
    assert v2.error("GET", f"/leadSourceCategories/{category['id']}", 404)["status"] == "NOT_FOUND"
    assert v2.delete(f"/leadSources/{source['id']}").status_code == 204
    assert v2.app.call("DataService.query", "LeadSource", 10, 0, {"Id": int(source["id"])}, ["Id"]) == []
    assert "name" in v2.error("POST", "/leadSources", 400, json={"vendor": "x"})["message"]
    assert "lead_source_category_id" in v2.error("POST", "/leadSources", 400, json={
        "name": "x", "lead_source_category_id": "999999"})["message"]


def test_expenses_in_the_smallest_unit_and_their_expense_rows(v2):
    source = v2.ok("POST", "/leadSources", 201, json={"name": "Flyers"})
    base = f"/leadSources/{source['id']}/expenses"
    expense = v2.ok("POST", base, 201, json={"title": "Print run", "notes": "500 flyers", "amount": 12550,
                                              "incurred_time": "2026-03-01T12:00:00Z"})
    assert expense["amount"] == {"amount": 12550, "currency_code": "USD", "formatted_amount": "$125.50"}
    assert expense["lead_source_id"] == source["id"] and expense["incurred_time"] == "2026-03-01T12:00:00Z"
    assert v2.ok("GET", f"{base}/{expense['id']}") == expense
    row = v2.app.call("DataService.load", "LeadSourceExpense", int(expense["id"]), ["Title", "Amount", "LeadSourceId"])
    assert row == {"Title": "Print run", "Amount": 125.5, "LeadSourceId": int(source["id"])}
    [mirror] = v2.app.call("DataService.query", "Expense", 10, 0, {"TypeId": int(source["id"])}, ["ExpenseAmt"])
    assert mirror == {"ExpenseAmt": 125.5}

    changed = v2.ok("PATCH", f"{base}/{expense['id']}", json={"amount": 9900})
    assert changed["amount"]["amount"] == 9900 and changed["title"] == "Print run"
    v2.ok("POST", base, 201, json={"title": "Reprint", "amount": 2500})
    titles = lambda page: [e["title"] for e in page["lead_source_expenses"]]  # noqa: E731
    assert titles(v2.ok("GET", base, params={"filter": "amount==2500"})) == ["Reprint"]
    assert titles(v2.ok("GET", base, params={"order_by": "amount desc"})) == ["Print run", "Reprint"]
    across = titles(v2.ok("GET", "/leadSources/-/expenses", params={"filter": "title==Print*"}))
    assert across == ["Print run"]
    assert v2.error("GET", f"/leadSources/1/expenses/{expense['id']}", 404)["status"] == "NOT_FOUND"
    assert "amount" in v2.error("POST", base, 400, json={"title": "no amount"})["message"]
    assert v2.error("GET", "/leadSources/999999/expenses", 404)["code"] == 404
    assert "lead_source_id" in v2.error("GET", "/leadSources/x/expenses", 400)["message"]
    assert v2.delete(f"{base}/{expense['id']}").status_code == 204
    assert v2.app.call("DataService.query", "Expense", 10, 0, {"ExpenseAmt": 99.0}, ["Id"]) == []


def test_a_recurring_expense_incurs_its_months_as_the_clock_passes(v2):
    now = datetime.fromisoformat(v2.app.clock(action="freeze")["now"])
    source = v2.ok("POST", "/leadSources", 201, json={"name": "Billboard"})
    base = f"/leadSources/{source['id']}/recurringExpenses"
    start = (now + timedelta(days=1)).strftime("%Y-%m-%dT09:00:00Z")  # tomorrow: nothing is due yet
    recurring = v2.ok("POST", base, 201, json={"title": "Billboard rent", "amount": 30000, "start_time": start})
    assert recurring["next_expense_time"] == start and recurring["amount"]["formatted_amount"] == "$300.00"
    incurred = f"{base}/{recurring['id']}/expenses"
    assert v2.ok("GET", incurred)["lead_source_expenses"] == []
    by_xmlrpc = v2.app.call("DataService.add", "LeadSourceRecurringExpense", {  # charged the same way
        "LeadSourceId": int(source["id"]), "Title": "Posters", "Amount": 20.0,
        "StartDate": (now + timedelta(days=1)).replace(tzinfo=None, hour=12)})

    v2.app.clock(by="2d")  # the start passes: the first month's expense
    [first] = v2.ok("GET", incurred)["lead_source_expenses"]
    assert first["incurred_time"] == start and first["lead_source_recurring_expense_id"] == recurring["id"]
    assert first["amount"]["amount"] == 30000 and first["title"] == "Billboard rent"
    [posters] = v2.ok("GET", f"{base}/{by_xmlrpc}/expenses")["lead_source_expenses"]
    assert posters["title"] == "Posters" and posters["amount"]["amount"] == 2000

    v2.app.clock(by="70d")  # two more months
    listed = v2.ok("GET", incurred)["lead_source_expenses"]
    assert len(listed) == 3 and [e["incurred_time"][8:] for e in listed] == [start[8:]] * 3
    assert v2.ok("GET", f"{base}/{recurring['id']}")["next_expense_time"] > listed[-1]["incurred_time"]
    rows = v2.app.call("DataService.query", "LeadSourceExpense", 10, 0,
                       {"LeadSourceRecurringExpenseId": int(recurring["id"])}, ["Amount"])
    assert rows == [{"Amount": 300.0}] * 3
    assert len(v2.ok("GET", f"/leadSources/{source['id']}/expenses",
                     params={"filter": "title==Billboard*"})["lead_source_expenses"]) == 3

    # ended: no more expenses
    v2.ok("PATCH", f"{base}/{recurring['id']}", json={"end_time": listed[-1]["incurred_time"]})
    assert "next_expense_time" not in v2.ok("GET", f"{base}/{recurring['id']}")
    v2.app.clock(by="62d")
    assert len(v2.ok("GET", incurred)["lead_source_expenses"]) == 3
    across = v2.ok("GET", "/leadSources/-/recurringExpenses", params={"filter": "title==Billboard*"})
    assert [e["id"] for e in across["lead_source_recurring_expenses"]] == [recurring["id"]]
    assert "end_time" in v2.error("POST", base, 400, json={"amount": 1, "start_time": "2030-01-02T00:00:00Z",
                                                            "end_time": "2030-01-01T00:00:00Z"})["message"]
    assert v2.delete(f"{base}/{recurring['id']}").status_code == 204
    assert v2.error("GET", f"{base}/{recurring['id']}", 404)["code"] == 404


def test_the_sdk_reads_and_writes_lead_sources(sdk):
    from keap_core_v2_client import (
        LeadSourceCategoriesApi,
        LeadSourceExpensesApi,
        LeadSourceRecurringExpensesApi,
        LeadSourcesApi,
    )
    from keap_core_v2_client.models import (
        CreateLeadSourceExpenseRequest,
        CreateLeadSourceRecurringExpenseRequest,
        CreateLeadSourceRequest,
        CreateUpdateLeadSourceCategoryRequest,
    )

    category = LeadSourceCategoriesApi(sdk).create_lead_source_category(
        CreateUpdateLeadSourceCategoryRequest(name="SDK category"))
    sources = LeadSourcesApi(sdk)
    source = sources.create_lead_source(CreateLeadSourceRequest(name="SDK source", status="ACTIVE",
                                                                lead_source_category_id=category.id))
    assert sources.get_lead_source(source.id).name == "SDK source"
    assert source.id in [s.id for s in sources.list_lead_sources(filter="name==SDK*").lead_sources]
    expenses = LeadSourceExpensesApi(sdk)
    expense = expenses.create_lead_source_expense(source.id, CreateLeadSourceExpenseRequest(amount=1000, title="e"))
    assert expense.amount.amount == 1000
    assert [e.id for e in expenses.list_lead_source_expenses(source.id).lead_source_expenses] == [expense.id]
    recurring_api = LeadSourceRecurringExpensesApi(sdk)
    recurring = recurring_api.create_lead_source_recurring_expense(
        source.id, CreateLeadSourceRecurringExpenseRequest(amount=500, title="monthly"))
    assert recurring_api.get_lead_source_recurring_expense(source.id, recurring.id).amount.amount == 500
    assert recurring_api.list_lead_source_recurring_expenses(source.id).lead_source_recurring_expenses
    sources.delete_lead_source(source.id)


def test_the_periods_of_a_recurring_expense_keep_the_start_day():
    from server.domain.crm.recurring_expenses import next_after

    start = datetime(2026, 1, 31, 9)
    periods = [start]
    for _ in range(3):
        periods.append(next_after(start, periods[-1]))
    assert [p.strftime("%m-%d") for p in periods] == ["01-31", "02-28", "03-31", "04-30"]
    assert next_after(datetime(2026, 1, 15), datetime(2026, 12, 15)) == datetime(2027, 1, 15)
