"""The hook event keys of the areas merged after REST phase 1 (orders, invoices, payments, products,
subscriptions, opportunities, lead sources) fire for real changes, whichever protocol made them."""
from __future__ import annotations

from server.domain.account import hooks
from tests.rest.test_hooks import deliveries, frozen, receiver, subscribe  # noqa: F401  (fixtures)

# no operation of the sandbox (nor of the real API) redacts a contact, deletes a tag or a lead source, or edits a
# user: these keys have no change to fire for
NOTHING_MAKES = {"contact.redact", "user.edit", "contactGroup.delete", "leadsource.delete"}


def test_every_event_key_has_a_domain_event():
    fired = {he.key for events in hooks.HOOK_EVENTS.values() for he in events}
    assert set(hooks.EVENT_KEYS) - fired <= NOTHING_MAKES
    assert fired <= set(hooks.EVENT_KEYS)


def test_an_order_paid_through_xmlrpc_reaches_order_and_payment_subscribers(frozen, receiver):  # noqa: F811
    rest = frozen
    for key in ("order.add", "order.edit", "invoice.payment.add", "invoice.edit"):
        subscribe(rest, receiver, key)
    invoice_id = rest.app.call("InvoiceService.createBlankOrder", 7, "Phone order", "20261201T09:00:00", 0, 0)
    rest.app.call("InvoiceService.addOrderItem", invoice_id, 1, 4, 120.0, 1, "Coaching", "")
    order_id = rest.app.call("DataService.load", "Invoice", invoice_id, ["JobId"])["JobId"]
    rest.app.call("InvoiceService.addManualPayment", invoice_id, 120.0, "20261201T09:05:00", "Cash", "paid", False)
    payment_id = rest.ok("GET", f"/orders/{order_id}/payments")[0]["payment_id"]
    rest.app.clock(by="1m")
    by_key = {d["event_key"]: d for d in receiver.deliveries}
    assert set(by_key) == {"order.add", "order.edit", "invoice.payment.add", "invoice.edit"}
    assert [k["id"] for k in by_key["order.add"]["object_keys"]] == [order_id]
    assert {k["id"] for k in by_key["order.edit"]["object_keys"]} == {order_id}  # the item, then the payment
    assert len(by_key["order.edit"]["object_keys"]) == 2
    payment = by_key["invoice.payment.add"]
    assert payment["object_type"] == "invoice.payment" and payment["object_keys"][0]["id"] == payment_id
    assert payment["object_keys"][0]["apiUrl"].endswith(f"/crm/rest/v1/orders/{order_id}/payments")
    assert {k["id"] for k in by_key["invoice.edit"]["object_keys"]} == {invoice_id}


def test_products_subscriptions_opportunities_and_lead_sources(frozen, receiver):  # noqa: F811
    rest = frozen
    keys = ("product.add", "product.edit", "product.delete", "subscription.add", "opportunity.stage_move",
            "opportunity.add", "leadsource.add", "leadsource.edit", "invoice.add", "order.delete", "invoice.delete")
    for key in keys:
        subscribe(rest, receiver, key)
    product = rest.ok("POST", "/products", 201, json={"product_name": "Hooked"})
    rest.app.call("ProductService.incrementInventory", product["id"])  # inventory through XML-RPC: an edit
    rest.ok("DELETE", f"/products/{product['id']}", 204)
    subscription = rest.ok("POST", "/subscriptions", 201, json={"contact_id": 6, "subscription_plan_id": 1,
                                                                "first_bill_date": "2030-01-01"})
    opportunity = rest.app.call("DataService.add", "Lead", {"OpportunityTitle": "Hook", "ContactID": 7, "StageID": 1})
    rest.ok("PATCH", f"/opportunities/{opportunity}", json={"stage": {"id": 2}})
    source = rest.app.call("DataService.add", "LeadSource", {"Name": "Podcast"})
    rest.app.call("DataService.update", "LeadSource", source, {"Medium": "Audio"})
    order = rest.ok("POST", "/orders", 201, json={"contact_id": 7, "order_date": "2026-12-01T10:00:00Z",
                                                  "order_title": "Gone", "order_type": "Online",
                                                  "order_items": [{"product_id": 1, "quantity": 1}]})
    rest.ok("DELETE", f"/orders/{order['id']}", 204)
    rest.app.clock(by="1m")
    got = {d["event_key"]: [k["id"] for k in d["object_keys"]] for d in receiver.deliveries}
    assert got["product.add"] == [product["id"]] and got["product.delete"] == [product["id"]]
    assert got["product.edit"] == [product["id"]]
    assert got["subscription.add"] == [subscription["id"]]
    assert got["opportunity.add"] == [opportunity] and got["opportunity.stage_move"] == [opportunity]
    assert got["leadsource.add"] == [source] and got["leadsource.edit"] == [source]
    assert got["order.delete"] == [order["id"]] and got["invoice.delete"] == [order["invoice_number"]]
    assert got["invoice.add"] == [order["invoice_number"]]
    stage_move = next(d for d in receiver.deliveries if d["event_key"] == "opportunity.stage_move")
    assert stage_move["object_keys"][0]["apiUrl"].endswith(f"/opportunities/{opportunity}")


def test_inviting_a_user_and_the_invitation_accepted(frozen, receiver):  # noqa: F811
    rest = frozen
    subscribe(rest, receiver, "user.add")
    subscribe(rest, receiver, "user.activate")
    user = rest.ok("POST", "/users", 201, json={"email": "casey.lee@example.com", "given_name": "Casey"})
    assert user["status"] == "Invited" and user["email_address"] == "casey.lee@example.com"
    assert rest.post("/users", json={"email": "casey.lee@example.com", "given_name": "Again"}).status_code == 400
    accepted = rest.app.live.control("POST", f"/apps/{rest.app.name}/users/{user['id']}/accept")
    assert accepted.status_code == 200 and rest.ok("GET", "/users")["users"][-1]["status"] == "Active"
    assert rest.app.live.control("POST", f"/apps/{rest.app.name}/users/{user['id']}/accept").status_code == 404
    assert rest.ok("GET", "/users/1/signature").startswith("<p><strong>Morgan Reyes")
    rest.app.clock(by="1m")
    got = {d["event_key"]: [k["id"] for k in d["object_keys"]] for d in receiver.deliveries}
    assert got == {"user.add": [user["id"]], "user.activate": [user["id"]]}


def test_legacy_action_sets_queue_no_hook_deliveries(frozen, receiver):  # noqa: F811
    """Spec §8.5 [doc S30]: "Deliveries are not triggered by legacy 'action sets'". The seeded action set 1
    (Nurture signup) applies a tag and makes a task: both are made, and no subscriber hears of them; the same
    kind of change made through the API is delivered."""
    rest = frozen
    for key in ("contactGroup.applied", "task.add"):
        subscribe(rest, receiver, key)
    cid = rest.app.call("ContactService.add", {"FirstName": "AS", "Email": "as11@example.com"})
    assert not any(r["IsError"] for r in rest.app.call("ContactService.runActionSequence", cid, 1))
    rest.app.clock(by="10m")
    assert receiver.deliveries == [] and deliveries(rest) == []
    tagged = rest.ok("GET", f"/contacts/{cid}/tags")["tags"]
    assert [t["tag"]["name"] for t in tagged] == ["Nurture Subscriber"]  # the changes themselves are made
    [task] = rest.app.call("DataService.query", "ContactAction", 10, 0, {"ContactId": cid},
                           ["Id", "ActionDescription"])
    assert task["ActionDescription"] == "Call new subscriber"
    tag = rest.ok("POST", "/tags", json={"name": "Through the API"})
    rest.ok("POST", f"/contacts/{cid}/tags", json={"tagIds": [tag["id"]]})
    rest.app.clock(by="10m")
    assert [(d["event_key"], [k["id"] for k in d["object_keys"]]) for d in receiver.deliveries] == [
        ("contactGroup.applied", [tag["id"]])]
