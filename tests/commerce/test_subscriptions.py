"""Subscriptions: addRecurringOrder (both forms), createInvoiceForRecurring, the next bill date, deletion,
and billing by the sandbox itself on the app's clock (renewals charged, declines retried)."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

from .util import (
    EMMA,
    EMMA_DECLINING,
    MEMBERSHIP,
    MEMBERSHIP_PLAN,
    NOAH,
    OLIVIA,
    OLIVIA_VISA,
    TEST_GATEWAY,
    events,
    last_seq,
    row,
    rows,
)

SUB_FIELDS = ["Id", "Status", "NextBillDate", "LastBillDate", "PaidThruDate", "BillingAmt", "Qty", "AutoCharge",
              "CC1", "MerchantAccountId", "ProductId", "SubscriptionPlanId", "ProgramId", "BillingCycle", "Frequency"]


def _when(value) -> str:
    return value.value if isinstance(value, xmlrpc.client.DateTime) else value


def test_subscribe_invoice_and_charge_now(app):
    app.clock(time="2027-01-10T09:00:00", frozen=True)
    sub_id = app.call("InvoiceService.addRecurringOrder", OLIVIA, False, MEMBERSHIP_PLAN, 2, 79.0, False,
                      TEST_GATEWAY, OLIVIA_VISA, 0, 0)
    assert app.call("InvoiceService.addRecurringOrder", OLIVIA, False, MEMBERSHIP_PLAN, 1, 1.0, False,
                    TEST_GATEWAY, OLIVIA_VISA, 0, 0) == sub_id  # no duplicate unless allowed
    sub = row(app, "RecurringOrder", sub_id, SUB_FIELDS)
    assert {k: _when(v) for k, v in sub.items()} == {
        "Id": sub_id, "Status": "Active", "NextBillDate": "20270110T09:00:00", "BillingAmt": 79.0, "Qty": 2,
        "AutoCharge": 1, "CC1": OLIVIA_VISA, "MerchantAccountId": TEST_GATEWAY, "ProductId": MEMBERSHIP,
        "SubscriptionPlanId": MEMBERSHIP_PLAN, "ProgramId": MEMBERSHIP_PLAN, "BillingCycle": "2", "Frequency": 1}

    invoice_id = app.call("InvoiceService.createInvoiceForRecurring", sub_id)
    assert app.call("InvoiceService.createInvoiceForRecurring", sub_id) == 0  # nothing more is due
    assert app.call("InvoiceService.calculateAmountOwed", invoice_id) == 158.0
    job_id = app.call("InvoiceService.getOrderId", invoice_id)
    assert row(app, "Job", job_id, ["JobRecurringId"]) == {"JobRecurringId": sub_id}
    [instance] = rows(app, "JobRecurringInstance", {"RecurringId": sub_id}, ["StartDate", "EndDate", "Status",
                                                                            "InvoiceItemId"])
    assert (_when(instance["StartDate"]), _when(instance["EndDate"]), instance["Status"]) == (
        "20270110T09:00:00", "20270210T09:00:00", 1)
    seq = last_seq(app)
    result = app.call("InvoiceService.chargeInvoice", invoice_id, "", OLIVIA_VISA, TEST_GATEWAY, False)
    assert result["Successful"] is True
    sub = row(app, "RecurringOrder", sub_id, ["NextBillDate", "LastBillDate", "PaidThruDate"])
    assert {k: _when(v) for k, v in sub.items()} == {"NextBillDate": "20270210T09:00:00",
                                                    "LastBillDate": "20270110T09:00:00",
                                                    "PaidThruDate": "20270210T09:00:00"}
    paid = events(app, seq, ("invoice.paid",))[0]["payload"]
    assert paid["product_ids"] == [MEMBERSHIP] and paid["amount"] == 158.0

    # the sandbox bills the next month by itself, six hours after the bill date (the docs' "within six hours")
    seq = last_seq(app)
    app.clock(action="advance", by="31d")  # to 2027-02-10 09:00: not yet
    assert events(app, seq, ("invoice.added",)) == []
    app.clock(action="advance", by="7h")
    log = events(app, seq)
    assert [e["type"] for e in log if e["type"] in ("invoice.added", "invoice.paid")] == ["invoice.added",
                                                                                         "invoice.paid"]
    renewal = [e for e in log if e["type"] == "invoice.paid"][0]
    assert renewal["occurred_at"].startswith("2027-02-10T20:00:00")  # 15:00 in New York, in UTC
    sub = row(app, "RecurringOrder", sub_id, ["NextBillDate", "PaidThruDate"])
    assert _when(sub["NextBillDate"]) == _when(sub["PaidThruDate"]) == "20270310T09:00:00"

    # a date moved by the API moves the billing with it; an inactive subscription is not billed
    assert app.call("InvoiceService.updateJobRecurringNextBillDate", sub_id, "2027-04-01T00:00:00") is True
    assert _when(row(app, "RecurringOrder", sub_id, ["NextBillDate"])["NextBillDate"]) == "20270401T00:00:00"
    seq = last_seq(app)
    app.clock(action="advance", by="30d")  # past 03-10: nothing, the bill date is 04-01 now
    assert events(app, seq, ("invoice.added",)) == []
    assert app.call("DataService.update", "RecurringOrder", sub_id, {"Status": "Inactive",
                                                                     "ReasonStopped": "Paused"}) == sub_id
    app.clock(action="advance", by="30d")
    assert events(app, seq, ("invoice.added",)) == []
    assert row(app, "RecurringOrder", sub_id, ["EndDate"])["EndDate"]  # stopped now
    assert app.call("InvoiceService.createInvoiceForRecurring", sub_id) == 0


def test_declined_renewals_are_retried(app):
    app.clock(time="2027-01-10T09:00:00", frozen=True)
    sub_id = app.call("InvoiceService.addRecurringOrder", EMMA, True, MEMBERSHIP_PLAN, TEST_GATEWAY,
                      EMMA_DECLINING, 0, 0)  # the 7-argument form: one, at the plan's price
    assert row(app, "RecurringOrder", sub_id, ["BillingAmt", "Qty", "MaxRetry", "NumDaysBetweenRetry"]) == {
        "BillingAmt": 89.0, "Qty": 1, "MaxRetry": 3, "NumDaysBetweenRetry": 3}  # the app's Order settings
    seq = last_seq(app)
    app.clock(action="advance", by="10d")
    failed = events(app, seq, ("invoice.payment_failed",))
    # the first attempt six hours after the bill date, then three retries three days apart
    assert [e["occurred_at"][:13] for e in failed] == ["2027-01-10T20", "2027-01-13T20", "2027-01-16T20",
                                                       "2027-01-19T20"]
    assert len({e["payload"]["invoice_id"] for e in failed}) == 1
    app.clock(action="advance", by="10d")
    assert len(events(app, seq, ("invoice.payment_failed",))) == 4  # no more retries


def test_delete_subscription_and_faults(app):
    sub_id = app.call("InvoiceService.addRecurringOrder", NOAH, True, MEMBERSHIP_PLAN, 1, 89.0, True, 0, 0, 0, 0)
    invoice_id = app.call("InvoiceService.createInvoiceForRecurring", sub_id)
    assert invoice_id > 0
    assert row(app, "RecurringOrder", sub_id, ["AutoCharge"]) == {"AutoCharge": 0}  # no card, no auto charge
    seq = last_seq(app)
    assert app.call("InvoiceService.deleteSubscription", str(sub_id)) is True  # the Node SDK sends a string
    assert app.call("DataService.count", "RecurringOrder", {"Id": sub_id}) == 0
    assert app.call("DataService.count", "Invoice", {"Id": invoice_id}) == 0
    assert app.call("DataService.count", "JobRecurringInstance", {"RecurringId": sub_id}) == 0
    assert [e["type"] for e in events(app, seq) if e["type"].startswith(("subscription", "invoice"))] == [
        "invoice.deleted", "subscription.deleted"]

    def fault(method, *args):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call(method, *args)
        return fault_of(exc)[0]

    assert fault("InvoiceService.deleteSubscription", sub_id) == 5
    assert fault("InvoiceService.createInvoiceForRecurring", sub_id) == 5
    assert fault("InvoiceService.updateJobRecurringNextBillDate", sub_id, "2027-01-01") == 5
    assert fault("InvoiceService.addRecurringOrder", NOAH, True, 999, 1, 1.0, False, 0, 0, 0, 0) == 5
    assert fault("InvoiceService.addRecurringOrder", 999, True, MEMBERSHIP_PLAN, 1, 1.0, False, 0, 0, 0, 0) == 5
    assert fault("InvoiceService.addRecurringOrder", NOAH, True, MEMBERSHIP_PLAN, 0, 1.0, False, 0, 0, 0, 0) == 12
    assert fault("InvoiceService.addRecurringOrder", NOAH, True, MEMBERSHIP_PLAN, 1, 1.0, False, 0, 999, 0, 0) == 5
    assert fault("InvoiceService.updateJobRecurringNextBillDate", 1, "soon") == 12
    # the Ruby gem's ContactService.addRecurringOrder: the 7-argument form under its older service
    other = app.call("ContactService.addRecurringOrder", NOAH, True, MEMBERSHIP_PLAN, 0, 0, 0, 3)
    assert row(app, "RecurringOrder", other, ["ContactId", "BillingAmt"]) == {"ContactId": NOAH, "BillingAmt": 89.0}


def test_recurring_order_tables(app):
    # the seeded, stopped subscription of Noah, with the contact's fields alongside
    view = row(app, "RecurringOrderWithContact", 1, ["RecurringOrderId", "ContactId", "FirstName", "Email", "Status",
                                                     "ReasonStopped", "City"])
    assert view == {"RecurringOrderId": 1, "ContactId": NOAH, "FirstName": "Noah",
                    "Email": "noah.patel@mail.example.com",
                    "Status": "Inactive", "ReasonStopped": "Moved out of state", "City": view["City"]}
    assert rows(app, "RecurringOrderWithContact", {"Email": "noah%"}, ["Id"]) == [{"Id": 1}]
    with pytest.raises(xmlrpc.client.Fault) as exc:
        row(app, "RecurringOrderWithContact", 1, ["HTMLSignature"])
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: RecurringOrderWithContact.HTMLSignature")
    assert app.call("DataService.count", "JobRecurringInstance", {"RecurringId": 1}) == 3
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.update", "RecurringOrderWithContact", 1, {"Status": "Active"})
    assert fault_of(exc)[0] == 7

    # a subscription added through DataService bills from its start date
    sub_id = app.call("DataService.add", "RecurringOrder", {"ContactId": OLIVIA, "SubscriptionPlanId": MEMBERSHIP_PLAN,
                                                            "StartDate": "2026-01-01", "BillingCycle": "Week"})
    sub = row(app, "RecurringOrder", sub_id, ["Status", "NextBillDate", "BillingCycle", "BillingAmt", "ProductId"])
    assert {k: _when(v) for k, v in sub.items()} == {"Status": "Active", "NextBillDate": "20260101T00:00:00",
                                                    "BillingCycle": "3", "BillingAmt": 89.0, "ProductId": MEMBERSHIP}
    # read-only (moved with updateJobRecurringNextBillDate): ignored on update (option update_read_only_fields)
    assert app.call("DataService.update", "RecurringOrder", sub_id, {"NextBillDate": "2027-01-01"}) == sub_id
    assert _when(row(app, "RecurringOrder", sub_id, ["NextBillDate"])["NextBillDate"]) == "20260101T00:00:00"
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.update", "RecurringOrder", sub_id, {"BillingCycle": "fortnight"})
    assert fault_of(exc)[0] == 12
