"""Orders through REST v2 on a live server, every answer checked against Keap's contract by the ``v2`` fixture:
orders written through v2 read back through v2, REST v1 and XML-RPC; money moves through the sandbox merchant
with its test cards (a declined card declines as in XML-RPC; a payment settles the invoice InvoiceService
reads and fires the same purchase event)."""
from __future__ import annotations

from tests.commerce.util import (
    BANDS,
    BOTTLE,
    COACHING,
    EMMA,
    EMMA_DECLINING,
    MEMBERSHIP_PLAN,
    OLIVIA,
    OLIVIA_VISA,
    events,
    last_seq,
)
from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for


def _order(v2, contact_id: int, items: list[dict], **body) -> dict:
    return v2.ok("POST", "/orders", 201, json={"contact_id": str(contact_id), "order_time": "2026-11-30T15:00:00Z",
                                               "order_title": "Gear bundle", "order_type": "OFFLINE",
                                               "order_items": items, **body})


def test_an_order_made_through_v2_is_the_one_xmlrpc_and_v1_read(v2):
    order = _order(v2, EMMA, [{"product_id": str(BANDS), "quantity": 2},
                              {"product_id": str(BOTTLE), "quantity": 1, "price_per_unit": 25.0, "notes": "gift"}],
                   notes="call first", shipping_address={"first_name": "Emma", "line1": "9 Pine St",
                                                         "locality": "Denver", "region": "CO", "zip_code": "80205",
                                                         "country_code": "USA"})
    assert order["status"] == "DRAFT" and order["order_type"] == "OFFLINE" and order["title"] == "Gear bundle"
    assert order["total"] == {"amount": 10794, "currency_code": "USD", "formatted_amount": "$107.94"}  # + CO tax
    assert [(i["item_type"], i["quantity"], i["price_per_unit"]["amount"]) for i in order["order_items"]] == [
        ("PRODUCT", 2, 3995), ("PRODUCT", 1, 2500), ("TAX", 1, 304)]
    assert order["order_items"][1]["notes"] == "gift" and order["notes"] == "call first"
    assert order["shipping_information"]["address"]["locality"] == "Denver"
    assert order["shipping_information"]["address"]["country_code"] == "USA"
    assert v2.ok("GET", f"/orders/{order['id']}") == order

    invoice_id = int(order["invoice_id"])
    assert v2.app.call("InvoiceService.calculateAmountOwed", invoice_id) == 107.94
    assert v2.app.call("DataService.load", "Job", int(order["id"]), ["JobTitle", "OrderType", "ShipCity"]) == {
        "JobTitle": "Gear bundle", "OrderType": "Offline", "ShipCity": "Denver"}
    v1 = rest_for(v2.app).ok("GET", f"/orders/{order['id']}")
    assert v1["total"] == 107.94 and v1["shipping_information"]["locality"] == "Denver"
    assert v1["shipping_information"]["country_code"] == "USA"

    # items: add, read, change, remove; the totals follow
    item = v2.ok("POST", f"/orders/{order['id']}/items", 201, json={"product_id": str(COACHING), "quantity": 1})
    assert item["product"]["id"] == str(COACHING) and item["price_per_unit"]["amount"] == 12000
    assert v2.ok("GET", f"/orders/{order['id']}/items/{item['id']}") == item
    changed = v2.ok("PATCH", f"/orders/{order['id']}/items/{item['id']}", params={"update_mask": "quantity"},
                    json={"quantity": 2, "name": "ignored"})
    assert changed["quantity"] == 2 and changed["name"] == item["name"]
    assert v2.ok("GET", f"/orders/{order['id']}")["total"]["amount"] == 10794 + 24000
    assert v2.delete(f"/orders/{order['id']}/items/{item['id']}").status_code == 204
    assert v2.error("GET", f"/orders/{order['id']}/items/{item['id']}", 404)["status"] == "NOT_FOUND"
    assert v2.app.call("InvoiceService.calculateAmountOwed", invoice_id) == 107.94

    # the order's own properties, and the tax applied again
    updated = v2.ok("PATCH", f"/orders/{order['id']}", json={"order_title": "Renamed", "order_type": "ONLINE"})
    assert updated["title"] == "Renamed" and updated["order_type"] == "ONLINE"
    assert v2.app.call("DataService.load", "Job", int(order["id"]), ["JobTitle"]) == {"JobTitle": "Renamed"}
    assert v2.error("PATCH", f"/orders/{order['id']}", 400, params={"update_mask": "promo_codes"},
                    json={"promo_codes": ["X"]})["details"][0]["resource"] == "update_mask.promo_codes"
    assert v2.ok("POST", f"/orders/{order['id']}:applyTax")["total"]["amount"] == 10794

    # lists
    found = v2.ok("GET", "/orders", params={"filter": f"contact_id=={EMMA};paid==false;title==renam*"})["orders"]
    assert [o["id"] for o in found] == [order["id"]]
    walked = v2.walk("/orders", "orders", page_size=2, order_by="order_time desc")
    assert order["id"] in [o["id"] for o in walked] and len(walked) == len({o["id"] for o in walked})
    assert v2.ok("GET", "/orders", params={"filter": f"product_id=={BANDS};ids=={order['id']}"})["orders"]
    assert [o["id"] for o in v2.ok("GET", "/orders", params={"filter": "shipping_country_code==USA"})["orders"]] == [
        order["id"]]
    assert v2.error("GET", "/orders", 400, params={"filter": "paid==maybe"})["details"][0]["resource"] == \
        "filter.paid"

    # errors
    assert v2.error("POST", "/orders", 400, json={"contact_id": "999999", "order_time": "2026-11-30T15:00:00Z",
                                                   "order_title": "x", "order_type": "ONLINE"})["message"]
    assert v2.error("POST", f"/orders/{order['id']}/items", 400, json={"quantity": 1})["details"][0][
        "resource"] == "body.product_id"
    assert v2.error("GET", "/orders/999999", 404)["details"] == [{"domain": "Order", "resource": "999999"}]


def test_payments_settle_the_invoice_and_a_declined_card_declines(v2):
    order = _order(v2, EMMA, [{"product_id": str(COACHING), "quantity": 1}])
    invoice_id = int(order["invoice_id"])
    seq = last_seq(v2.app)
    declined = v2.error("POST", f"/orders/{order['id']}/payments", 400, json={
        "payment_method_id": str(EMMA_DECLINING), "payment_amount": 50.0, "apply_to_commissions": True})
    assert "declined" in declined["message"]
    assert [e["type"] for e in events(v2.app, seq, ("invoice.payment_failed", "payment.added"))] == [
        "invoice.payment_failed"]  # recorded, as XML-RPC's chargeInvoice records it
    assert v2.app.call("InvoiceService.calculateAmountOwed", invoice_id) == 120.0

    cash = v2.ok("POST", f"/orders/{order['id']}/payments", 201, json={
        "payment_method_type": "CASH", "payment_amount": 20.0, "apply_to_commissions": False, "notes": "desk"})
    assert cash["payment_amount"] == 20.0 and cash["invoice_id"] == str(invoice_id)
    assert v2.error("POST", f"/orders/{order['id']}/payments", 400, json={
        "payment_method_type": "CASH", "payment_amount": 500.0, "apply_to_commissions": True})["details"][0][
        "resource"] == "payment_amount"
    # the SDK's updatePayment: the note and the amount of a payment recorded by hand
    moved = v2.ok("PATCH", f"/orders/{order['id']}/payments/{cash['id']}", json={"notes": "front desk",
                                                                                "payment_amount": 40.0})
    assert moved["note"] == "front desk" and moved["amount"] == 40.0 and moved["pay_status"] == "MANUAL_PAID"
    assert v2.app.call("InvoiceService.calculateAmountOwed", invoice_id) == 80.0
    assert v2.error("DELETE", f"/orders/{order['id']}", 400)["code"] == 400  # it has a payment

    # Emma pays the rest with a good card through the sandbox merchant: the invoice is paid, the purchase fires
    card = v2.app.call("DataService.add", "CreditCard", {"ContactId": EMMA, "CardNumber": "4242424242424242",
                                                         "ExpirationMonth": "12", "ExpirationYear": "2030"})
    seq = last_seq(v2.app)
    charged = v2.ok("POST", f"/orders/{order['id']}/payments", 201, json={
        "payment_method_id": str(card), "payment_amount": 80.0, "apply_to_commissions": True})
    assert charged["payment_status_message"] == "APPROVED" and charged["transaction_id"].isdigit()
    [paid] = events(v2.app, seq, ("invoice.paid",))
    assert paid["payload"]["invoice_id"] == invoice_id and paid["payload"]["payment_type"] == "charge"
    assert v2.app.call("InvoiceService.calculateAmountOwed", invoice_id) == 0.0
    assert v2.ok("GET", f"/orders/{order['id']}")["status"] == "PAID"
    listed = v2.ok("GET", f"/orders/{order['id']}/payments")["invoice_order_payments"]
    assert [(p["amount"], p["pay_status"], p["skip_commission"]) for p in listed] == [
        (40.0, "MANUAL_PAID", True), (80.0, "APPROVED", False)]
    approved = v2.ok("GET", f"/orders/{order['id']}/payments", params={"filter": "pay_status==paid",
                                                                      "order_by": "amount desc"})
    assert [p["amount"] for p in approved["invoice_order_payments"]] == [80.0, 40.0]
    assert v2.error("PATCH", f"/orders/{order['id']}/payments/{charged['id']}", 400,
                    json={"payment_amount": 1.0})["code"] == 400  # a card charge's amount stays
    v1 = rest_for(v2.app).ok("GET", f"/orders/{order['id']}/payments")
    assert [p["note"] for p in v1] == ["front desk", ""]


def test_payment_plan_subscription_line_and_commission(v2):
    order = _order(v2, OLIVIA, [{"item_type": "SUBSCRIPTION", "subscription_plan_id": str(MEMBERSHIP_PLAN),
                                 "quantity": 1}])
    [line] = order["order_items"]
    assert line["item_type"] == "SUBSCRIPTION" and line["subscription_plan"]["cycle_type"] == "MONTHLY"
    assert line["price_per_unit"]["amount"] == 8900
    planned = v2.ok("PATCH", f"/orders/{order['id']}", params={"update_mask": "payment_plan"}, json={
        "payment_plan": {"plan_start_date": "2026-12-01", "number_of_payments": 2, "days_between_payments": 30,
                         "auto_charge": True, "payment_method_id": str(OLIVIA_VISA)}})["payment_plan"]
    assert planned["number_of_payments"] == 2 and planned["days_between_payments"] == 30
    assert [(i["due_date"], i["status"]) for i in planned["payment_plan_items"]] == [
        ("2026-12-01", "UNPAID_AUTOCHARGE"), ("2026-12-31", "UNPAID_AUTOCHARGE")]
    v1 = rest_for(v2.app).ok("GET", f"/orders/{order['id']}")["payment_plan"]
    assert v1["number_of_payments"] == 2 and v1["auto_charge"] is True

    affiliate = v2.app.call("DataService.add", "Affiliate", {"ContactId": OLIVIA, "AffCode": "olivia",
                                                             "AffName": "Olivia"})
    item = v2.ok("POST", f"/orders/{order['id']}/items/{line['id']}:applyCommission", json={
        "affiliate_id": str(affiliate), "payout_type": "UPFRONT", "commission_amount": 10.0})
    assert item["id"] == line["id"]
    assert v2.delete(f"/orders/{order['id']}").status_code == 204
    assert v2.error("GET", f"/orders/{order['id']}", 404)["status"] == "NOT_FOUND"


def test_orders_sdk_contract(sdk, v2):
    from keap_core_v2_client.api.orders_api import OrdersApi

    api = OrdersApi(sdk)
    made = _order(v2, OLIVIA, [{"product_id": str(COACHING), "quantity": 1}])
    order = api.get_order(made["id"])
    assert order.id == made["id"] and order.total.amount == 12000 and order.status == "DRAFT"
    listed = api.list_orders(filter=f"contact_id=={OLIVIA}", page_size=100)
    assert made["id"] in [o.id for o in listed.orders]
    payments = api.list_order_payments(made["id"])
    assert payments.invoice_order_payments in ([], None)


def test_a_v2_card_payment_is_a_purchase_for_the_campaigns(v2):
    order = _order(v2, OLIVIA, [{"product_id": str(COACHING), "quantity": 1}], order_type="ONLINE")
    v2.ok("POST", f"/orders/{order['id']}/payments", 201, json={
        "payment_method_id": str(OLIVIA_VISA), "payment_amount": 120.0, "apply_to_commissions": True})
    outbox = Campaigns(v2.app).outbox(contact_id=OLIVIA)
    assert [m["subject"] for m in outbox] == ["Thank you for your order, Olivia"]  # the seeded purchase goal
