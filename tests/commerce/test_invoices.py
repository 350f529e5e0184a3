"""InvoiceService: blank orders, line items, manual payments, amounts owed, tax, deletion, and the tables
they keep (Job, OrderItem, Invoice, InvoiceItem, InvoicePayment, Payment, PayPlan, PayPlanItem)."""
from __future__ import annotations

import xmlrpc.client
from datetime import datetime

import pytest

from tests.conftest import fault_of

from .util import BANDS, BOTTLE, COACHING, LIAM, OLIVIA, SEEDED_INVOICES, blank_invoice, events, last_seq, row, rows

INVOICE_FIELDS = ["Id", "ContactId", "JobId", "InvoiceTotal", "TotalPaid", "TotalDue", "PayStatus", "ProductSold",
                  "Description", "AffiliateId", "LeadAffiliateId", "DateCreated"]


def test_blank_order_items_and_manual_payment(app):
    seq = last_seq(app)
    invoice_id = app.call("InvoiceService.createBlankOrder", OLIVIA, "Spring bundle",
                          datetime(2026, 3, 2, 9, 30), 0, 0)
    assert invoice_id == SEEDED_INVOICES + 1
    invoice = row(app, "Invoice", invoice_id, INVOICE_FIELDS)
    assert invoice["InvoiceTotal"] == 0.0 and invoice["PayStatus"] == 0 and invoice["Description"] == "Spring bundle"
    assert invoice["DateCreated"] == xmlrpc.client.DateTime("20260302T09:30:00")
    job_id = invoice["JobId"]
    assert row(app, "Job", job_id, ["JobTitle", "ContactId", "StartDate"]) == {
        "JobTitle": "Spring bundle", "ContactId": OLIVIA, "StartDate": xmlrpc.client.DateTime("20260302T09:30:00")}

    assert app.call("InvoiceService.addOrderItem", invoice_id, COACHING, 4, 120.0, 2, "", "Two sessions") is True
    assert app.call("InvoiceService.addOrderItem", invoice_id, 0, 3, 15, 1, "Late fee", "") is True  # int price
    assert app.call("InvoiceService.calculateAmountOwed", invoice_id) == 255.0
    items = rows(app, "OrderItem", {"OrderId": job_id}, ["ProductId", "ItemType", "Qty", "PPU", "ItemName", "Notes"])
    assert items == [
        {"ProductId": COACHING, "ItemType": 4, "Qty": 2, "PPU": 120.0, "ItemName": "1:1 Coaching Session (60 min)",
         "Notes": "Two sessions"},
        {"ProductId": 0, "ItemType": 3, "Qty": 1, "PPU": 15.0, "ItemName": "Late fee", "Notes": ""}]
    amounts = rows(app, "InvoiceItem", {"InvoiceId": invoice_id}, ["InvoiceAmt"])
    assert [r["InvoiceAmt"] for r in amounts] == [240.0, 15.0]

    # a partial payment, then the rest: the invoice becomes paid once, when the second one lands
    assert app.call("InvoiceService.addManualPayment", invoice_id, 100.0, datetime(2026, 3, 3), "Check",
                    "Check #77", False) is True
    assert row(app, "Invoice", invoice_id, ["TotalPaid", "TotalDue", "PayStatus"]) == {
        "TotalPaid": 100.0, "TotalDue": 155.0, "PayStatus": 0}
    assert app.call("InvoiceService.addManualPayment", invoice_id, 155, "2026-03-04T10:00:00", "Cash", "", True) is True
    assert row(app, "Invoice", invoice_id, ["TotalPaid", "TotalDue", "PayStatus", "ProductSold"]) == {
        "TotalPaid": 255.0, "TotalDue": 0.0, "PayStatus": 1, "ProductSold": str(COACHING)}

    payments = app.call("InvoiceService.getPayments", invoice_id)
    assert [set(p) for p in payments] == [{"Id", "PayDate", "UserId", "PayAmt", "PayType", "ContactId", "PayNote",
                                          "InvoiceId", "RefundId", "ChargeId", "Synced"}] * 2
    assert [(p["PayAmt"], p["PayType"], p["PayNote"], p["ChargeId"]) for p in payments] == [
        (100.0, "Check", "Check #77", 0), (155.0, "Cash", "", 0)]
    assert payments[0]["PayDate"] == xmlrpc.client.DateTime("20260303T00:00:00")
    assert rows(app, "InvoicePayment", {"InvoiceId": invoice_id}, ["Amt", "PayStatus", "SkipCommission"]) == [
        {"Amt": 100.0, "PayStatus": "Paid", "SkipCommission": 0},
        {"Amt": 155.0, "PayStatus": "Paid", "SkipCommission": 1}]
    plan = rows(app, "PayPlan", {"InvoiceId": invoice_id}, ["Id", "AmtDue", "Type"])
    assert [(p["AmtDue"], p["Type"]) for p in plan] == [(255.0, 0)]
    assert rows(app, "PayPlanItem", {"PayPlanId": plan[0]["Id"]}, ["AmtDue", "AmtPaid", "Status"]) == [
        {"AmtDue": 255.0, "AmtPaid": 255.0, "Status": 2}]

    log = events(app, seq)
    assert [e["type"] for e in log if e["type"] in ("order.added", "invoice.added", "invoice.paid")] == [
        "order.added", "invoice.added", "invoice.paid"]
    paid = [e for e in log if e["type"] == "invoice.paid"][0]
    assert paid["entity"] == "invoice" and paid["entity_id"] == invoice_id
    # the contract with the campaign engine and the affiliate commissions: exactly these keys
    assert paid["payload"] == {"contact_id": OLIVIA, "invoice_id": invoice_id, "order_id": job_id,
                               "product_ids": [COACHING], "category_ids": [1], "amount": 255.0,
                               "payment_type": "manual", "lead_affiliate_id": 0, "sale_affiliate_id": 0}
    assert all(e["payload"].get("contact_id") == OLIVIA for e in log
               if e["type"].split(".")[0] in ("order", "invoice", "payment"))


def test_invoice_faults(app):
    def fault(method, *args):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call(method, *args)
        return fault_of(exc)

    assert fault("InvoiceService.createBlankOrder", 0, "x", "20260101T00:00:00", 0, 0) == (
        5, "[RecordNotFound]Unable to load Contact. Record not found for Id:0")
    assert fault("InvoiceService.createBlankOrder", 1, "x", "20260101T00:00:00", 0, 0)[0] == 5  # a company id
    assert fault("InvoiceService.createBlankOrder", OLIVIA, "x", "next tuesday", 0, 0)[0] == 12
    assert fault("InvoiceService.addOrderItem", 9999, 1, 4, 1.0, 1, "", "") == (
        5, "[RecordNotFound]Unable to load Invoice. Record not found for Id:9999")
    invoice_id = blank_invoice(app, items=())
    assert fault("InvoiceService.addOrderItem", invoice_id, 777, 4, 1.0, 1, "", "")[0] == 5
    assert fault("InvoiceService.addOrderItem", invoice_id, 0, 15, 1.0, 1, "", "")[0] == 12
    assert fault("InvoiceService.addOrderItem", invoice_id, 0, 3, 1.0, 0, "", "")[0] == 12
    assert fault("InvoiceService.addManualPayment", invoice_id, -5.0, "20260101T00:00:00", "Cash", "", False)[0] == 12
    assert fault("InvoiceService.calculateAmountOwed", 9999)[0] == 5
    assert fault("InvoiceService.deleteInvoice", 9999)[0] == 5
    assert fault("InvoiceService.recalculateTax", 9999)[0] == 5
    assert fault("InvoiceService.setInvoiceSyncStatus", 9999, True)[0] == 5
    assert fault("InvoiceService.setPaymentSyncStatus", 9999, True)[0] == 5
    assert fault("InvoiceService.getInvoiceQuickbooksIIF", 9999)[0] == 5
    # a string where a double goes: the real server's dispatch fault
    code, message = fault("InvoiceService.addManualPayment", invoice_id, "ten", "20260101T00:00:00", "Cash", "", False)
    assert code == 0 and message.startswith("No method matching arguments: java.lang.String, java.lang.Integer")
    # the line and money tables are kept by InvoiceService: DataService cannot write them
    assert fault("DataService.add", "InvoiceItem", {"InvoiceId": invoice_id, "InvoiceAmt": 1.0})[0] == 7
    assert fault("DataService.update", "Invoice", invoice_id, {"Description": "x"})[0] == 7
    assert fault("DataService.add", "Payment", {"PayAmt": 1.0})[0] == 7
    assert app.call("InvoiceService.getPayments", 9999) == []


def test_tax_and_delete(app):
    invoice_id = blank_invoice(app, LIAM, items=((BANDS, 39.95, 1), (BOTTLE, 24.0, 2), (COACHING, 120.0, 1)))
    assert app.call("InvoiceService.recalculateTax", invoice_id) is True
    assert app.call("InvoiceService.recalculateTax", invoice_id) is True  # replaces, never adds twice
    tax = rows(app, "InvoiceItem", {"InvoiceId": invoice_id, "Description": "Colorado sales tax%"},
               ["InvoiceAmt", "Description"])
    assert tax == [{"InvoiceAmt": 2.55, "Description": "Colorado sales tax (2.9%)"}]  # 2.9% of 87.95, not the session
    assert app.call("InvoiceService.calculateAmountOwed", invoice_id) == 210.5
    assert app.call("ProductService.getInventory", BOTTLE) == 118 - 2  # the seed's sales, then this order's

    job_id = app.call("InvoiceService.getOrderId", invoice_id)
    assert app.call("InvoiceService.getInvoiceId", job_id) == invoice_id
    assert app.call("InvoiceService.getInvoiceId", 9999) == 0
    app.call("InvoiceService.addManualPayment", invoice_id, 10.0, "20260101T00:00:00", "Cash", "", False)
    assert app.call("InvoiceService.setInvoiceSyncStatus", invoice_id, True) is True
    payment_id = app.call("InvoiceService.getPayments", invoice_id)[0]["Id"]
    assert app.call("InvoiceService.setPaymentSyncStatus", payment_id, True) is True
    assert row(app, "Invoice", invoice_id, ["Synced"]) == {"Synced": 1}
    assert app.call("InvoiceService.getPayments", invoice_id)[0]["Synced"] == 1
    iif = app.call("InvoiceService.getInvoiceQuickbooksIIF", invoice_id)
    assert iif.startswith("!TRNS\t")
    assert f"TRNS\t{invoice_id}\tINVOICE\t12/01/2026\tAccounts Receivable\tLiam Nguyen\t210.50" in iif
    assert "Sales Tax Payable" in iif and iif.endswith("ENDTRNS\n")

    seq = last_seq(app)
    assert app.call("InvoiceService.deleteInvoice", str(invoice_id)) is True  # ids as strings are taken
    for table, criteria in (("Invoice", {"Id": invoice_id}), ("InvoiceItem", {"InvoiceId": invoice_id}),
                            ("InvoicePayment", {"InvoiceId": invoice_id}), ("Payment", {"InvoiceId": invoice_id}),
                            ("Job", {"Id": job_id}), ("OrderItem", {"OrderId": job_id}),
                            ("PayPlan", {"InvoiceId": invoice_id})):
        assert app.call("DataService.count", table, criteria) == 0, table
    assert [e["type"] for e in events(app, seq)] == ["payment.deleted", "invoice.deleted", "order.deleted"]
    assert app.call("InvoiceService.getOrderId", invoice_id) == 0


def test_jobs_through_data_service_and_commission_overrides(app):
    tab = rows(app, "DataFormTab", {"FormId": -9}, ["Id"])[0]["Id"]
    header = rows(app, "DataFormGroup", {"TabId": tab}, ["Id"])[0]["Id"]
    assert app.call("DataService.addCustomField", "Job", "Fulfillment Notes", "Text", header) > 0
    job_id = app.call("DataService.add", "Job", {"ContactId": OLIVIA, "JobTitle": "Phone order",
                                                 "_FulfillmentNotes": "Leave at the front desk"})
    invoice_id = app.call("InvoiceService.getInvoiceId", job_id)  # every order has its invoice
    assert invoice_id and row(app, "Invoice", invoice_id, ["ContactId", "Description"]) == {
        "ContactId": OLIVIA, "Description": "Phone order"}
    assert app.call("DataService.update", "Job", job_id, {"OrderStatus": 1, "ContactId": LIAM}) == job_id
    assert row(app, "Job", job_id, ["OrderStatus", "ContactId", "_FulfillmentNotes"]) == {
        "OrderStatus": 1, "ContactId": LIAM, "_FulfillmentNotes": "Leave at the front desk"}
    assert row(app, "Invoice", invoice_id, ["ContactId"]) == {"ContactId": LIAM}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.delete", "Job", job_id)
    assert fault_of(exc)[0] == 7

    assert app.call("InvoiceService.addOrderCommissionOverride", invoice_id, 3, COACHING, 10, 12.5, 4,
                    "Referral bonus", "20261201T00:00:00") is True
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("InvoiceService.addOrderCommissionOverride", invoice_id, 3, COACHING, 10, 12.5, 7, "", "20261201")
    assert fault_of(exc)[0] == 12
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("InvoiceService.addRecurringCommissionOverride", 999, 3, 5.0, 5, "x")
    assert fault_of(exc)[0] == 5
    assert app.call("InvoiceService.addRecurringCommissionOverride", 1, 3, 5.0, 5, "Renewals") is True
    assert app.call("InvoiceService.getAllPaymentOptions") == {
        k: k for k in ("Credit Card (Manual)", "Check", "Cash", "Money Order", "Adjustment", "Credit Card", "Credit",
                       "Refund")}


def test_job_last_updated_follows_the_app_clock(app):
    """Job.LastUpdated (added to the real table in 2016): set when the order is made and when it changes, and
    queryable like Invoice.LastUpdated."""
    app.clock(time="2027-05-01T09:00:00", frozen=True)
    invoice_id = blank_invoice(app)
    job_id = app.call("InvoiceService.getOrderId", invoice_id)
    made = row(app, "Job", job_id, ["LastUpdated", "DateCreated"])
    assert made["LastUpdated"].value == "20270501T09:00:00"
    app.clock(action="advance", by="2h")
    assert app.call("DataService.update", "Job", job_id, {"JobNotes": "rush"}) == job_id
    assert row(app, "Job", job_id, ["LastUpdated"])["LastUpdated"].value == "20270501T11:00:00"
    since = app.call("DataService.query", "Job", 100, 0, {"LastUpdated": "~>=~ 2027-05-01 10:00:00"}, ["Id"])
    assert [r["Id"] for r in since] == [job_id]
    seeded = rows(app, "Job", {"Id": "%"}, ["LastUpdated"])
    assert all(r.get("LastUpdated") for r in seeded)  # every order has one, seeded ones too
