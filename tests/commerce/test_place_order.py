"""OrderService.placeOrder: both overloads, the struct of strings, products, subscriptions, specials, tax,
inventory, the charge."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

from .util import (
    BANDS,
    BOTTLE,
    COACHING,
    EMMA,
    EMMA_DECLINING,
    LIAM,
    LIAM_MC,
    MEMBERSHIP,
    MEMBERSHIP_PLAN,
    OLIVIA,
    OLIVIA_VISA,
    ROLLER,
    events,
    last_seq,
    row,
    rows,
)


def test_without_a_card_the_answer_is_the_vendor_sample(app):
    result = app.call("OrderService.placeOrder", OLIVIA, 0, 0, [COACHING], [], False, [])
    assert set(result) == {"Successful", "Message", "RefNum", "OrderId", "InvoiceId", "Code"}
    assert all(isinstance(v, str) for v in result.values())  # every value a string, as the real one
    assert (result["Successful"], result["Message"], result["RefNum"], result["Code"]) == ("false", "None", "None", "")
    assert result["OrderId"] == result["InvoiceId"]  # as in the sample: orders and invoices number together
    invoice_id = int(result["InvoiceId"])
    assert row(app, "Invoice", invoice_id, ["JobId", "TotalDue", "PayStatus", "InvoiceType"]) == {
        "JobId": int(result["OrderId"]), "TotalDue": 120.0, "PayStatus": 0, "InvoiceType": "Online"}
    assert row(app, "Job", int(result["OrderId"]), ["JobTitle", "ProductId", "OrderType"]) == {
        "JobTitle": "1:1 Coaching Session (60 min)", "ProductId": COACHING, "OrderType": "Online"}


def test_a_charged_order_with_affiliates_tax_and_inventory(app):
    seq = last_seq(app)
    result = app.call("OrderService.placeOrder", LIAM, LIAM_MC, 0, [BANDS, BOTTLE, BANDS, "7"], [], False,
                      ["SPRING"], 3, 4)
    assert result["Successful"] == "true" and result["Code"] == "APPROVED" and result["RefNum"].isdigit()
    invoice_id = int(result["InvoiceId"])
    lines = rows(app, "OrderItem", {"OrderId": int(result["OrderId"])}, ["ProductId", "Qty", "ItemType", "PPU"])
    assert lines[:3] == [{"ProductId": BANDS, "Qty": 2, "ItemType": 4, "PPU": 39.95},
                         {"ProductId": BOTTLE, "Qty": 1, "ItemType": 4, "PPU": 24.0},
                         {"ProductId": ROLLER, "Qty": 1, "ItemType": 4, "PPU": 29.5}]
    assert lines[3]["ItemType"] == 2 and lines[3]["PPU"] == 3.87  # 2.9% Colorado tax on 133.40
    assert row(app, "Invoice", invoice_id, ["InvoiceTotal", "TotalDue", "PayStatus", "PromoCode", "AffiliateId",
                                            "LeadAffiliateId"]) == {
        "InvoiceTotal": 137.27, "TotalDue": 0.0, "PayStatus": 1, "PromoCode": "SPRING", "AffiliateId": 4,
        "LeadAffiliateId": 3}
    assert app.call("ProductService.getInventory", BANDS) == 39 - 2
    assert app.call("ProductService.getInventory", ROLLER) == 2
    paid = events(app, seq, ("invoice.paid",))[0]["payload"]
    assert paid["product_ids"] == [BANDS, BOTTLE, ROLLER] and paid["category_ids"] == [4, 5]
    assert (paid["lead_affiliate_id"], paid["sale_affiliate_id"], paid["payment_type"]) == (3, 4, "charge")
    low = events(app, seq, ("product.inventory_low",))
    assert [(e["entity_id"], e["payload"]["inventory"]) for e in low] == [(ROLLER, 2)]


def test_a_declined_card_leaves_the_order_unpaid(app):
    seq = last_seq(app)
    result = app.call("OrderService.placeOrder", EMMA, EMMA_DECLINING, 0, [COACHING], [], False, [])
    assert (result["Successful"], result["Code"]) == ("false", "DECLINED")
    assert result["Message"] == "(TESTMODE) This transaction has been declined. (2)" and result["RefNum"] == "0"
    assert app.call("InvoiceService.calculateAmountOwed", int(result["InvoiceId"])) == 120.0
    outcome = events(app, seq, ("invoice.paid", "invoice.payment_failed"))
    assert [e["type"] for e in outcome] == ["invoice.payment_failed"]


def test_a_subscription_bought_with_specials(app):
    trial = app.call("DiscountService.addFreeTrial", "Try it", "First week free", 7, 0, MEMBERSHIP_PLAN)
    product_off = app.call("DiscountService.addProductTotalDiscount", "Band deal", "", 0, BANDS, 0, 5.0)
    category = app.call("DiscountService.addCategoryDiscount", "Coaching week", "", 0, 10.0)
    app.call("DiscountService.addCategoryAssignmentToCategoryDiscount", category, 1)  # Coaching
    app.call("DiscountService.addOrderTotalDiscount", "Loyalty", "", 0, 1, 10.0, "Gross")
    assert trial and product_off
    result = app.call("OrderService.placeOrder", OLIVIA, OLIVIA_VISA, 0, [COACHING, BANDS], [MEMBERSHIP_PLAN], True,
                      [])
    assert result["Successful"] == "true"
    lines = rows(app, "OrderItem", {"OrderId": int(result["OrderId"])}, ["ItemType", "PPU", "ItemName"])
    by_type = {}
    for line in lines:
        by_type.setdefault(line["ItemType"], []).append(line["PPU"])
    assert by_type[4] == [120.0, 39.95]
    assert by_type[10] == [0.0]  # the free trial: no first charge
    assert by_type[12] == [-5.0] and by_type[13] == [-12.0]
    assert by_type[11] == [-14.3]  # 10% of what is left: 120 + 39.95 - 5 - 12 = 142.95
    [sub] = rows(app, "RecurringOrder", {"ContactId": OLIVIA}, ["Id", "Status", "NextBillDate", "StartDate",
                                                               "OriginatingOrderId", "AutoCharge", "CC1",
                                                               "BillingAmt", "ProductId"])
    assert (sub["Status"], sub["AutoCharge"], sub["CC1"], sub["BillingAmt"], sub["ProductId"]) == (
        "Active", 1, OLIVIA_VISA, 89.0, MEMBERSHIP)
    assert sub["OriginatingOrderId"] == int(result["OrderId"])
    start, next_bill = sub["StartDate"].value, sub["NextBillDate"].value
    assert start[:8] < next_bill[:8]  # a week later

    # without specials the first month is billed with the order, and the next bill date is a month on
    result = app.call("OrderService.placeOrder", LIAM, LIAM_MC, 0, [], [MEMBERSHIP_PLAN], False, [])
    invoice_id = int(result["InvoiceId"])
    assert row(app, "Invoice", invoice_id, ["InvoiceTotal", "PayStatus"]) == {"InvoiceTotal": 89.0, "PayStatus": 1}
    [sub] = rows(app, "RecurringOrder", {"ContactId": LIAM}, ["Id", "NextBillDate", "PaidThruDate", "LastBillDate"])
    assert sub["NextBillDate"] == sub["PaidThruDate"]
    assert rows(app, "JobRecurringInstance", {"RecurringId": sub["Id"]}, ["Status"]) == [{"Status": 2}]


def test_a_free_order_is_paid_as_placed(app):
    product = app.call("DataService.add", "Product", {"ProductName": "Intro call", "ProductPrice": 0.0})
    seq = last_seq(app)
    result = app.call("OrderService.placeOrder", OLIVIA, 0, 0, [product], [], False, [])
    assert result["Successful"] == "true"
    assert row(app, "Invoice", int(result["InvoiceId"]), ["PayStatus"]) == {"PayStatus": 1}
    assert [e["payload"]["amount"] for e in events(app, seq, ("invoice.paid",))] == [0.0]


def test_place_order_faults(app):
    def fault(*args):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("OrderService.placeOrder", *args)
        return fault_of(exc)

    assert fault(OLIVIA, 0, 0, [], [], False, [])[0] == 12
    assert fault(999, 0, 0, [COACHING], [], False, [])[0] == 5
    assert fault(OLIVIA, 0, 0, [999], [], False, [])[0] == 5
    assert fault(OLIVIA, 0, 0, [], [999], False, [])[0] == 5
    assert fault(OLIVIA, 999, 0, [COACHING], [], False, [])[0] == 5
    assert fault(OLIVIA, 0, 0, ["x"], [], False, [])[0] == 12
    code, message = fault(OLIVIA, 0, 0, [COACHING], [], False)  # six arguments: neither overload
    assert code == 0 and message.startswith("No method matching arguments")
