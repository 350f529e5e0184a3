"""Products (with their sync, image and plans), orders, items, payments, transactions and subscriptions over a
live server: happy paths, errors, and XML-RPC and REST reading each other's orders."""
from __future__ import annotations

import base64
import xmlrpc.client

import pytest

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


def test_products_crud_image_plans_and_the_product_table(rest):
    page = rest.ok("GET", "/products", params={"limit": 2})
    assert page["count"] == 8 and page["sync_token"] and page["next"] == rest.base + "/products/?limit=2&offset=2"
    first = page["products"][0]
    assert first["product_name"] == "1:1 Coaching Session (60 min)" and first["product_price"] == 120.0
    assert first["status"] == 1 and first["subscription_plans"] == [] and "active" not in first
    member = rest.ok("GET", "/products/8")
    assert member["active"] is True and member["subscription_plans"][0]["cycle_type"] == "MONTH"
    listed = rest.ok("GET", "/products", params={"offset": 7})["products"][0]
    assert listed["subscription_plans"][0]["cycle"] == 2  # a list item's plan: the cycle as its code

    made = rest.ok("POST", "/products", 201, json={"product_name": "Kettlebell", "product_price": 59.5,
                                                   "sku": "KB-16", "product_short_desc": "16 kg",
                                                   "subscription_only": False})
    assert made["active"] is True and made["sku"] == "KB-16"
    assert rest.app.call("DataService.load", "Product", made["id"], ["ProductName", "ProductPrice", "Status"]) == {
        "ProductName": "Kettlebell", "ProductPrice": 59.5, "Status": 1}
    patched = rest.ok("PATCH", f"/products/{made['id']}", json={"active": False, "product_desc": "Cast iron"})
    assert patched["active"] is False and patched["product_desc"] == "Cast iron" and patched["product_price"] == 59.5
    assert rest.ok("GET", "/products", params={"active": "false"})["count"] == 1

    assert rest.post(f"/products/{made['id']}/image", json={"file_name": "kb.png", "file_data": PNG}).status_code == 201
    assert rest.post(f"/products/{made['id']}/image", json={"file_name": "kb.exe", "file_data": PNG}).status_code == 400
    assert rest.delete(f"/products/{made['id']}/image").status_code == 204

    plan = rest.ok("POST", f"/products/{made['id']}/subscriptions", 201, json={
        "cycle_type": "YEAR", "frequency": 1, "plan_price": 499.0, "number_of_cycles": 3})
    assert plan["cycle_type"] == "YEAR" and plan["number_of_cycles"] == 3 and plan["subscription_plan_index"] == 0
    assert rest.ok("GET", f"/products/{made['id']}/subscriptions/{plan['id']}") == plan
    assert rest.app.call("DataService.load", "SubscriptionPlan", plan["id"], ["Cycle", "PlanPrice"]) == {
        "Cycle": "1", "PlanPrice": 499.0}
    assert rest.get(f"/products/1/subscriptions/{plan['id']}").status_code == 404  # another product's
    assert rest.delete(f"/products/{made['id']}/subscriptions/{plan['id']}").status_code == 204

    assert rest.post("/products", json={"product_price": 1}).status_code == 400
    assert rest.post("/products", json={"product_name": "x", "product_price": -1}).status_code == 400
    assert rest.post("/products", json={"product_name": "x", "colour": "red"}).status_code == 400
    assert rest.delete(f"/products/{made['id']}").status_code == 204
    assert rest.get(f"/products/{made['id']}").json() == {"message": "Unable to find this Product"}


def test_products_sync(rest):
    token = rest.ok("GET", "/products")["sync_token"]
    made = rest.ok("POST", "/products", 201, json={"product_name": "Sync me"})
    rest.app.call("DataService.update", "Product", 2, {"ProductPrice": 425.0})
    rest.ok("DELETE", f"/products/{made['id']}", 204)
    changed = rest.ok("GET", "/products/sync", params={"sync_token": token})
    assert [(c["status"], c["product"]["id"]) for c in changed["product_statuses"]] == [
        ("UPDATED", 2), ("DELETED", made["id"])]
    assert changed["product_statuses"][0]["product"]["product_price"] == 425.0
    again = rest.ok("GET", "/products/sync", params={"sync_token": changed["sync_token"]})
    assert again["product_statuses"] == [] and again["count"] == 0
    assert rest.get("/products/sync", params={"sync_token": "garbage"}).status_code == 400


def test_a_subscription_only_change_is_a_domain_write_with_its_event(rest):
    """``subscription_only`` is no DataService field: the domain writes it and fires ``product.updated``, so
    the change log (``/products/sync``) sees a PATCH that changes nothing else."""
    token = rest.ok("GET", "/products")["sync_token"]
    assert rest.ok("PATCH", "/products/3", json={"subscription_only": True})["subscription_only"] is True
    changed = rest.ok("GET", "/products/sync", params={"sync_token": token})["product_statuses"]
    assert [(c["status"], c["product"]["id"], c["product"]["subscription_only"]) for c in changed] == [
        ("UPDATED", 3, True)]
    made = rest.ok("POST", "/products", 201, json={"product_name": "Members only", "subscription_only": True})
    assert rest.ok("GET", f"/products/{made['id']}")["subscription_only"] is True


def test_an_order_of_a_subscription_shows_its_plan(rest):
    """Order items read the product's plans through the domain's typed plan reads (as /products does)."""
    result = rest.app.call("OrderService.placeOrder", 6, 0, 0, [], [1], False, [])
    order = rest.ok("GET", f"/orders/{result['OrderId']}")
    [plan] = [i["subscriptionPlan"] for i in order["order_items"] if i["subscriptionPlan"]]
    assert (plan["id"], plan["cycle"], plan["plan_price"], plan["subscription_plan_name"]) == (
        1, 2, 89.0, "Monthly Coaching Membership")
    assert any(o["id"] == int(result["OrderId"]) for o in rest.ok("GET", "/orders", params={"limit": 1000})["orders"])


def test_an_order_placed_through_xmlrpc_reads_through_rest(rest):
    result = rest.app.call("OrderService.placeOrder", 6, 1, 0, [5, 6, 6], [], False, [])
    assert result["Successful"] == "true"
    order = rest.ok("GET", f"/orders/{result['OrderId']}")
    assert order["status"] == "PAID" and order["total"] == 90.5 and order["total_due"] == 0.0  # with CO tax
    assert order["contact"]["email"] == "olivia.martinez@example.org" and order["invoice_number"] == int(
        result["InvoiceId"])
    assert [(i["product"] and i["product"]["id"], i["quantity"], i["type"]) for i in order["order_items"]] == [
        (5, 1, "PRODUCT"), (6, 2, "PRODUCT"), (None, 1, "TAX")]
    payments = rest.ok("GET", f"/orders/{order['id']}/payments")
    assert isinstance(payments, list) and payments[0]["amount"] == 90.5 and payments[0]["pay_status"] == "Paid"
    transactions = rest.ok("GET", f"/orders/{order['id']}/transactions")
    assert transactions["count"] == 1 and transactions["transactions"][0]["gateway"] == "Sandbox"
    assert transactions["transactions"][0]["orders"][0]["id"] == order["id"]
    assert rest.ok("GET", "/orders", params={"contact_id": 6, "paid": "true"})["count"] == 2  # the seeded one too
    assert rest.ok("GET", "/orders", params={"product_id": 6})["count"] == 2


def test_an_order_made_through_rest_reads_through_xmlrpc_and_is_paid(rest):
    order = rest.ok("POST", "/orders", 201, json={
        "contact_id": 8, "order_date": "2026-11-30T15:00:00.000Z", "order_title": "Gear bundle",
        "order_type": "Offline", "order_items": [{"product_id": 5, "quantity": 2},
                                                 {"product_id": 7, "quantity": 1, "price": "25.00"}],
        "shipping_address": {"first_name": "Emma", "line1": "9 Pine St", "locality": "Denver", "region": "CO",
                             "zip_code": "80205", "country_code": "USA"}})
    total = order["total"]
    assert order["status"] == "DRAFT" and total == 107.94 and order["title"] == "Gear bundle"  # 104.90 + CO tax
    assert [i["price"] for i in order["order_items"]] == [39.95, 25.0, 3.04]
    assert order["shipping_information"]["locality"] == "Denver" and order["shipping_information"][
        "country_code"] == "USA"
    invoice_id = order["invoice_number"]
    assert rest.app.call("InvoiceService.calculateAmountOwed", invoice_id) == total
    assert rest.app.call("DataService.load", "Job", order["id"], ["JobTitle", "OrderType", "ShipCity"]) == {
        "JobTitle": "Gear bundle", "OrderType": "Offline", "ShipCity": "Denver"}

    item = rest.ok("POST", f"/orders/{order['id']}/items", 201, json={"product_id": 6, "quantity": 1})
    assert item["product"]["id"] == 6 and item["price"] == 24.0
    assert rest.ok("GET", f"/orders/{order['id']}")["total"] == round(total + 24.0, 2)
    assert rest.delete(f"/orders/{order['id']}/items/{item['id']}").status_code == 204
    assert rest.delete(f"/orders/{order['id']}/items/999999").status_code == 404

    partial = rest.ok("POST", f"/orders/{order['id']}/payments", 201, json={
        "payment_method_type": "CASH", "payment_amount": "40.00", "notes": "at the desk"})
    assert partial["payment_amount"] == 40.0 and partial["invoice_id"] == invoice_id
    declined = rest.post(f"/orders/{order['id']}/payments", json={
        "payment_method_type": "CREDIT_CARD", "charge_now": True, "credit_card_id": 3})  # Emma's card declines
    assert declined.status_code == 400 and "declined" in declined.json()["message"]
    left = rest.app.call("InvoiceService.calculateAmountOwed", invoice_id)
    assert left == round(total - 40.0, 2)
    assert rest.delete(f"/orders/{order['id']}").status_code == 400  # it has a payment
    rest.app.call("InvoiceService.addManualPayment", invoice_id, left, "20261201T10:00:00", "Check", "rest", False)
    paid = rest.ok("GET", f"/orders/{order['id']}")
    assert paid["status"] == "PAID" and paid["total_paid"] == total
    assert [p["note"] for p in rest.ok("GET", f"/orders/{order['id']}/payments")] == ["at the desk", "rest"]
    listed = rest.ok("GET", "/transactions", params={"contact_id": 8})
    assert [t["collection_method"] for t in listed["transactions"]] == ["Cash", "Check"]
    one = rest.ok("GET", f"/transactions/{listed['transactions'][0]['id']}")
    assert one["order_ids"] == str(order["id"]) and one["amount"] == 40.0

    assert rest.post("/orders", json={"contact_id": 8, "order_date": "2026-11-30T15:00:00Z", "order_title": "x",
                                      "order_type": "Offline", "order_items": []}).status_code == 400
    assert rest.post("/orders", json={"contact_id": 8, "order_date": "2026-11-30T15:00:00Z", "order_title": "x",
                                      "order_type": "Mail", "order_items": [{"product_id": 5, "quantity": 1}]
                                      }).status_code == 400
    assert rest.post("/orders", json={"contact_id": 99999, "order_date": "2026-11-30T15:00:00Z", "order_title": "x",
                                      "order_type": "Online", "order_items": [{"product_id": 5, "quantity": 1}]
                                      }).status_code == 400
    assert rest.get("/orders/99999").json() == {"message": "Unable to find this Order"}


def test_card_payment_plan_and_deleting_an_unpaid_order(rest):
    order = rest.ok("POST", "/orders", 201, json={
        "contact_id": 6, "order_date": "2026-11-30T15:00:00Z", "order_title": "Program", "order_type": "Online",
        "order_items": [{"product_id": 2, "quantity": 1}]})
    plan = rest.ok("PUT", f"/orders/{order['id']}/paymentPlan", json={
        "days_between_payments": 30, "number_of_payments": 3, "plan_start_date": "2026-12-15T12:00:00Z",
        "initial_payment_amount": 99.0, "initial_payment_date": "2026-12-01T12:00:00Z"})
    assert plan["number_of_payments"] == 3 and plan["days_between_payments"] == 30 and plan[
        "initial_payment_amount"] == 99.0
    assert rest.ok("GET", f"/orders/{order['id']}")["payment_plan"] == plan
    huge = rest("PUT", f"/orders/{order['id']}/paymentPlan", json={  # an amount past a trillion: a 400, not a 500
        "days_between_payments": 30, "number_of_payments": 3, "plan_start_date": "2026-12-15T12:00:00Z",
        "initial_payment_amount": 5.7e307})
    assert huge.status_code == 400 and "initial_payment_amount" in huge.json()["message"]
    for days, count, words in ((2_000_000_000, 3, "after the year 9999"), (1, 1001, "at most 1000")):
        refused = rest("PUT", f"/orders/{order['id']}/paymentPlan", json={  # a 400, not a 500 or a million rows
            "days_between_payments": days, "number_of_payments": count, "plan_start_date": "2026-12-15T12:00:00Z"})
        assert refused.status_code == 400 and words in refused.json()["message"], refused.text
    assert rest.ok("GET", f"/orders/{order['id']}")["payment_plan"] == plan  # unchanged
    boolean = rest.post(f"/orders/{order['id']}/payments", json={"payment_method_type": "CASH", "payment_amount": True})
    assert boolean.status_code == 400 and "payment_amount" in boolean.json()["message"]  # not read as 1.00
    for amount in (1e300, -1e300, 1e26):  # XML-RPC: an amount no cent can count is an invalid parameter
        for method, args in (("addOrderItem", (order["invoice_number"], 2, 4, amount, 1, "d", "n")),
                             ("addManualPayment", (order["invoice_number"], amount, "20261201T10:00:00", "Cash",
                                                   "p", False))):
            with pytest.raises(xmlrpc.client.Fault, match=r"^<Fault 12: '\[InvalidParameter\]Invalid amount"):
                rest.app.call(f"InvoiceService.{method}", *args)
    assert rest.app.call("InvoiceService.calculateAmountOwed", order["invoice_number"]) == order["total"]
    charged = rest.ok("POST", f"/orders/{order['id']}/payments", 201, json={
        "payment_method_type": "CREDIT_CARD", "charge_now": True, "credit_card_id": 1, "payment_amount": 99})
    txn = rest.ok("GET", f"/transactions/{charged['transaction_id']}")
    assert txn["gateway"] == "Sandbox" and txn["test"] is True and txn["amount"] == 99.0
    assert rest.post(f"/orders/{order['id']}/payments", json={"payment_method_type": "TOKEN"}).status_code == 400

    unpaid = rest.ok("POST", "/orders", 201, json={
        "contact_id": 7, "order_date": "2026-11-30T15:00:00Z", "order_title": "Oops", "order_type": "Online",
        "order_items": [{"product_id": 1, "quantity": 1}]})
    assert rest.delete(f"/orders/{unpaid['id']}").status_code == 204
    assert rest.get(f"/orders/{unpaid['id']}").status_code == 404
    assert rest.ok("GET", "/orders/model")["optional_properties"] == []


def test_subscriptions(rest):
    listed = rest.ok("GET", "/subscriptions")
    assert listed["count"] == 1 and listed["subscriptions"][0]["active"] is False
    made = rest.ok("POST", "/subscriptions", 201, json={"contact_id": 6, "subscription_plan_id": 1,
                                                        "first_bill_date": "2030-01-15"})
    assert made["active"] is True and made["billing_cycle"] == "MONTH" and made["billing_amount"] == 89.0
    assert made["credit_card_id"] == 1 and made["auto_charge"] is True  # Olivia's card, by default
    assert made["next_bill_date"].startswith("2030-01-15")
    assert rest.app.call("DataService.load", "RecurringOrder", made["id"], ["ContactId", "Status"]) == {
        "ContactId": 6, "Status": "Active"}
    again = rest.ok("POST", "/subscriptions", 201, json={"contact_id": 6, "subscription_plan_id": 1})
    assert again["id"] == made["id"]  # no duplicate unless allow_duplicate
    assert rest.ok("GET", "/subscriptions", params={"contact_id": 6})["count"] == 1
    manual = rest.ok("POST", "/subscriptions", 201, json={"contact_id": 7, "subscription_plan_id": 1,
                                                          "auto_charge": False, "billing_amount": 75})
    assert manual["auto_charge"] is False and manual["billing_amount"] == 75.0
    assert rest.post("/subscriptions", json={"contact_id": 6, "subscription_plan_id": 99}).status_code == 400
    assert rest.post("/subscriptions", json={"contact_id": 6, "subscription_plan_id": 1,
                                             "first_bill_date": "2001-01-01"}).status_code == 400
    assert rest.post("/subscriptions", json={"subscription_plan_id": 1}).status_code == 400
    assert rest.ok("GET", "/subscriptions/model")["custom_fields"] is not None
