"""Subscriptions through REST v2 on a live server (every answer checked against the
contract): a subscription made here is the RecurringOrder XML-RPC and v1 read, invoiced on the app's clock
like ``createInvoiceForRecurring``, paid through the sandbox merchant, and stopped."""
from __future__ import annotations

from tests.commerce.util import LIAM, MEMBERSHIP, MEMBERSHIP_PLAN, OLIVIA, OLIVIA_VISA, events, last_seq
from tests.rest.conftest import rest_for
from tests.rest_v2.test_orders import custom_field


def test_a_subscription_made_billed_paid_changed_and_stopped(v2):
    made = v2.ok("POST", "/subscriptions", 201, json={
        "contact_id": str(OLIVIA), "subscription_plan_id": str(MEMBERSHIP_PLAN),
        "payment_method_id": str(OLIVIA_VISA), "max_charge_attempts": 5})
    assert made["active"] is True and made["billing_cycle"] == "MONTH" and made["billing_amount"] == 89.0
    assert made["payment_method_id"] == str(OLIVIA_VISA) and made["auto_charge"] is True
    assert made["max_charge_attempts"] == 5 and made["product_id"] == str(MEMBERSHIP)
    assert v2.ok("GET", f"/subscriptions/{made['id']}") == made
    sub_id = int(made["id"])
    row = v2.app.call("DataService.load", "RecurringOrder", sub_id, ["ContactId", "Status", "MaxRetry", "CC1"])
    assert row == {"ContactId": OLIVIA, "Status": "Active", "MaxRetry": 5, "CC1": OLIVIA_VISA}
    assert rest_for(v2.app).ok("GET", "/subscriptions", params={"contact_id": OLIVIA})["subscriptions"][0][
        "id"] == sub_id

    # billed now (its first bill date is today), as createInvoiceForRecurring bills it; paid by card through v2
    renewal = v2.ok("POST", f"/subscriptions/{made['id']}:invoice")
    [line] = [i for i in renewal["order_items"] if i["item_type"] == "SUBSCRIPTION"]
    assert line["subscription_id"] == made["id"] and line["price_per_unit"]["amount"] == 8900
    assert v2.error("POST", f"/subscriptions/{made['id']}:invoice", 400)["message"].startswith("No billing cycle")
    seq = last_seq(v2.app)
    v2.ok("POST", f"/orders/{renewal['id']}/payments", 201, json={
        "payment_method_id": str(OLIVIA_VISA), "payment_amount": renewal["total_due"]["amount"] / 100,
        "apply_to_commissions": True})
    assert [e["type"] for e in events(v2.app, seq, ("invoice.paid",))] == ["invoice.paid"]
    billed = v2.ok("GET", f"/subscriptions/{made['id']}")
    assert billed["last_bill_date"] and billed["next_bill_date"] > made["next_bill_date"]

    # changes through the mask; the next bill date as updateJobRecurringNextBillDate
    changed = v2.ok("PATCH", f"/subscriptions/{made['id']}", params={"update_mask": "billing_amount,next_bill_date"},
                    json={"billing_amount": 79.0, "next_bill_date": "2027-06-01", "quantity": 9})
    assert changed["billing_amount"] == 79.0 and changed["next_bill_date"] == "2027-06-01"
    assert changed["quantity"] == 1
    assert v2.app.call("DataService.load", "RecurringOrder", sub_id, ["BillingAmt"]) == {"BillingAmt": 79.0}
    assert v2.error("PATCH", f"/subscriptions/{made['id']}", 400, params={"update_mask": "shipping_address"},
                    json={})["details"][0]["resource"] == "update_mask.shipping_address"

    # lists
    active = v2.ok("GET", "/subscriptions", params={"filter": f"contact_id=={OLIVIA};status==Active"})
    assert [s["id"] for s in active["subscriptions"]] == [made["id"]]
    assert len(v2.walk("/subscriptions", "subscriptions", page_size=1, order_by="modification_time desc")) == 2

    # stopped: inactive, with its reason and end date; no longer billed
    assert v2.post(f"/subscriptions/{made['id']}:deactivate", json={"reason": "moved away"}).status_code == 200
    stopped = v2.ok("GET", f"/subscriptions/{made['id']}")
    assert stopped["active"] is False and stopped["reason_stopped"] == "moved away" and stopped["end_date"]
    assert v2.app.call("DataService.load", "RecurringOrder", sub_id, ["Status"]) == {"Status": "Inactive"}
    assert v2.error("POST", f"/subscriptions/{made['id']}:invoice", 400)["code"] == 400

    # bad input
    assert v2.error("POST", "/subscriptions", 400, json={"contact_id": str(LIAM), "subscription_plan_id": "999"})[
        "details"][0]["resource"] == "subscription_plan_id"
    assert v2.error("POST", "/subscriptions", 400, json={
        "contact_id": str(LIAM), "subscription_plan_id": str(MEMBERSHIP_PLAN),
        "payment_method_id": str(OLIVIA_VISA)})["details"][0]["resource"] == "payment_method_id"  # not his card
    assert v2.error("POST", "/subscriptions", 400, json={
        "contact_id": str(LIAM), "subscription_plan_id": str(MEMBERSHIP_PLAN), "start_date": "2001-01-01"})[
        "details"][0]["resource"] == "start_date"
    assert v2.error("GET", "/subscriptions/999999", 404)["status"] == "NOT_FOUND"


def test_start_date_is_the_subscriptions_start_and_first_bill_date(v2):
    """The contract's ``start_date``: "The first day the subscription will bill" (create and answer alike): the
    RecurringOrder's StartDate and first NextBillDate, as XML-RPC and v1 read them."""
    v2.app.clock(time="2026-12-05T10:00:00", frozen=True)
    later = v2.ok("POST", "/subscriptions", 201, json={
        "contact_id": str(OLIVIA), "subscription_plan_id": str(MEMBERSHIP_PLAN), "start_date": "2027-02-15",
        "payment_method_id": str(OLIVIA_VISA)})
    assert later["start_date"] == later["next_bill_date"] == "2027-02-15"
    assert v2.ok("GET", f"/subscriptions/{later['id']}") == later
    row = v2.app.call("DataService.load", "RecurringOrder", int(later["id"]), ["StartDate", "NextBillDate"])
    assert {k: v.value for k, v in row.items()} == {"StartDate": "20270215T00:00:00",
                                                     "NextBillDate": "20270215T00:00:00"}
    v1 = rest_for(v2.app).ok("GET", "/subscriptions", params={"contact_id": OLIVIA})["subscriptions"]
    assert [s["start_date"][:10] for s in v1 if s["id"] == int(later["id"])] == ["2027-02-15"]
    assert v2.error("POST", f"/subscriptions/{later['id']}:invoice", 400)["message"].startswith("No billing cycle")

    today = v2.ok("POST", "/subscriptions", 201, json={
        "contact_id": str(LIAM), "subscription_plan_id": str(MEMBERSHIP_PLAN), "start_date": "2026-12-05",
        "auto_charge": False})
    assert today["start_date"] == today["next_bill_date"] == "2026-12-05"
    unsaid = v2.ok("POST", "/subscriptions", 201, json={
        "contact_id": str(LIAM), "subscription_plan_id": str(MEMBERSHIP_PLAN), "auto_charge": False,
        "allow_duplicate": True})
    assert unsaid["start_date"] == unsaid["next_bill_date"] == "2026-12-05"
    assert v2.error("POST", "/subscriptions", 400, json={
        "contact_id": str(LIAM), "subscription_plan_id": str(MEMBERSHIP_PLAN), "start_date": "2026-12-04"})[
        "details"] == [{"domain": "request", "resource": "start_date"}]


def test_subscription_custom_fields_are_the_recurring_order_form_values(v2):
    field_id = custom_field(v2.app, "RecurringOrder", -10, "Member Level")
    made = v2.ok("POST", "/subscriptions", 201, json={
        "contact_id": str(LIAM), "subscription_plan_id": str(MEMBERSHIP_PLAN), "auto_charge": False,
        "custom_fields": [{"id": str(field_id), "content": "Gold"}]})
    assert {"id": str(field_id), "content": "Gold"} in made["custom_fields"] and made["auto_charge"] is False
    assert v2.app.call("DataService.load", "RecurringOrder", int(made["id"]), ["_MemberLevel"]) == {
        "_MemberLevel": "Gold"}
    changed = v2.ok("PATCH", f"/subscriptions/{made['id']}", json={
        "custom_fields": [{"id": str(field_id), "content": "Silver"}]})
    assert {"id": str(field_id), "content": "Silver"} in changed["custom_fields"]


def test_subscriptions_sdk_contract(sdk, v2):
    from keap_core_v2_client.api.subscription_plans_api import SubscriptionPlansApi
    from keap_core_v2_client.api.subscriptions_api import SubscriptionsApi

    listed = SubscriptionsApi(sdk).list_subscriptions(page_size=10)
    [seeded] = listed.subscriptions
    assert seeded.active is False and seeded.billing_cycle == "MONTH"
    assert SubscriptionsApi(sdk).get_subscription(seeded.id).id == seeded.id
    plan = SubscriptionPlansApi(sdk).fetch_subscription_plan(str(MEMBERSHIP), str(MEMBERSHIP_PLAN))
    assert plan.cycle_type == "MONTHLY" and plan.plan_price.amount == 8900
