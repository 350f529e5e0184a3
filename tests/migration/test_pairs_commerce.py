"""Mapped pairs of the commerce services performed on one app (see test_pairs.py for how a pair is run and
checked): subscriptions made, invoiced, rescheduled and stopped on either side, the cards on file, the
e-commerce switch, a category discount's categories, and the affiliate ledger and program reads. Where the two
truly differ, the test asserts the difference the method's mapping.yaml entry documents."""
from __future__ import annotations

from datetime import datetime, timedelta

from server.migration.translate import TRANSLATORS
from server.migration.translate_commerce import SUBSCRIPTION_FIELDS
from server.migration.v2call import record_pairs
from tests.migration.conftest import covers

SUBSCRIPTION_READ = list(SUBSCRIPTION_FIELDS)
WIDE = [datetime(2000, 1, 1), datetime(2099, 1, 1)]  # every ledger entry, whatever the app's zone


def _agree(method: str, params: list, x, v, at_least: set[str]) -> None:
    """The records both sides answer agree on every field the translation compares (ids and numbers as text)."""
    translated = TRANSLATORS[method](params)
    pairs = record_pairs(translated.fields, x, v, translated.items)
    assert {n for n, _, _ in pairs} >= at_least, (x, v)
    assert all(str(a) == str(b) for _, a, b in pairs), pairs


def _day(value) -> str:
    """An XML-RPC dateTime's calendar day, ISO 8601."""
    return datetime.strptime(str(value)[:8], "%Y%m%d").date().isoformat()


def _subscription(pair, subscription_id: int) -> tuple[dict, dict]:
    return (pair.v2.app.call("DataService.load", "RecurringOrder", subscription_id, SUBSCRIPTION_READ),
            pair.v2.ok("GET", f"/subscriptions/{subscription_id}"))


@covers("ContactService.addRecurringOrder", "InvoiceService.addRecurringOrder",
        "InvoiceService.createInvoiceForRecurring", "InvoiceService.updateJobRecurringNextBillDate",
        "InvoiceService.deleteSubscription")
def test_subscriptions_alike_whichever_side_made_them(pair):
    plan = pair.v2.app.call("DataService.query", "SubscriptionPlan", 1, 0, {}, ["Id"])[0]["Id"]
    contact = pair.v2.app.call("ContactService.add", {"FirstName": "Subscriber"})  # no card: neither side takes one
    made = []
    for method, params in (("ContactService.addRecurringOrder", [contact, True, plan, 0, 0, 0, 0]),
                           ("InvoiceService.addRecurringOrder", [contact, True, plan, 2, 12.5, False, 0, 0, 0, 0])):
        by_x = pair.call(method, *params)
        by_v = int(pair.v2_call(method, params, 201)["id"])
        rows = []
        for subscription_id in (by_x, by_v):
            row, sub = _subscription(pair, subscription_id)
            _agree(method, params, row, sub, {"Id", "ContactId", "SubscriptionPlanId", "Qty", "BillingAmt"})
            rows.append({k: v for k, v in row.items() if k != "Id"})
        assert rows[0] == rows[1], (method, rows)  # the translation carried every parameter
        made.append((by_x, by_v))
    assert rows[0]["Qty"] == 2 and rows[0]["BillingAmt"] == 12.5
    # without allowDup both answer the contact's first active subscription to the plan
    again = [contact, False, plan, 0, 0, 0, 0]
    assert pair.call("ContactService.addRecurringOrder", *again) == made[0][0]
    assert pair.v2_call("ContactService.addRecurringOrder", again, 201)["id"] == str(made[0][0])

    by_x, by_v = made[1]
    invoice = pair.call("InvoiceService.createInvoiceForRecurring", by_x)
    order = pair.v2_call("InvoiceService.createInvoiceForRecurring", [by_v])
    assert pair.v2.app.call("InvoiceService.calculateAmountOwed", invoice) == \
        pair.v2.app.call("InvoiceService.calculateAmountOwed", int(order["invoice_id"])) == 25.0
    after = [_subscription(pair, i)[1] for i in (by_x, by_v)]
    assert [(s["last_bill_date"], s["next_bill_date"]) for s in after] == \
        [(after[0]["last_bill_date"], after[0]["next_bill_date"])] * 2
    # the documented difference: with no cycle due XML-RPC answers 0, v2 a 400
    assert pair.call("InvoiceService.createInvoiceForRecurring", by_x) == 0
    pair.v2_call("InvoiceService.createInvoiceForRecurring", [by_v], 400, raw=True)

    later = datetime.fromisoformat(after[0]["next_bill_date"]) + timedelta(days=40)
    assert pair.call("InvoiceService.updateJobRecurringNextBillDate", by_x, later) is True
    moved = pair.v2_call("InvoiceService.updateJobRecurringNextBillDate", [by_v, later])
    assert moved["next_bill_date"] == later.date().isoformat()
    for subscription_id in (by_x, by_v):
        row = pair.v2.app.call("DataService.load", "RecurringOrder", subscription_id, ["NextBillDate"])
        assert _day(row["NextBillDate"]) == later.date().isoformat()
        assert _subscription(pair, subscription_id)[1]["next_bill_date"] == later.date().isoformat()

    # the documented difference: XML-RPC deletes the subscription, v2 makes it Inactive
    assert pair.call("InvoiceService.deleteSubscription", by_x) is True
    assert pair.v2.get(f"/subscriptions/{by_x}").status_code == 404
    pair.v2_call("InvoiceService.deleteSubscription", [by_v], raw=True)
    assert pair.v2.ok("GET", f"/subscriptions/{by_v}")["active"] is False
    assert pair.v2.app.call("DataService.load", "RecurringOrder", by_v, ["Status"]) == {"Status": "Inactive"}
