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


@covers("InvoiceService.locateExistingCard")
def test_cards_on_file_located_alike(pair):
    contact = pair.v2.app.call("ContactService.add", {"FirstName": "Cardholder"})
    numbers = ("4242424242424242", "5555555555554444", "4000000000004242", "4242424242424242")  # the third fails Luhn
    cards = [pair.v2.app.call("DataService.add", "CreditCard", {"ContactId": contact, "CardNumber": number,
                                                                "ExpirationMonth": "12", "ExpirationYear": "2030"})
             for number in numbers]
    for last4, expected in (("4242", cards[3]), ("4444", cards[1]), ("1111", 0)):
        located = pair.call("InvoiceService.locateExistingCard", contact, last4)
        listed = pair.v2_call("InvoiceService.locateExistingCard", [contact, last4])["records"]
        matching = [int(c["payment_method_id"]) for c in listed
                    if c["card_info"]["last_four"] == last4 and c.get("status") != "EXPIRED"]
        assert located == max(matching, default=0) == expected, (last4, listed)
    # the documented difference: XML-RPC locates valid cards only; v2 lists the invalid card too, unmarked
    assert pair.call("InvoiceService.locateExistingCard", contact, "4242") != cards[2]
    assert str(cards[2]) in {c["payment_method_id"] for c in listed}


@covers("InvoiceService.getPluginStatus")
def test_plugin_status_and_the_application_switch(pair):
    plugin = "com.infusion.crm.service.plugin.EcommercePlugin"
    assert pair.call("InvoiceService.getPluginStatus", plugin) is True
    assert pair.v2_call("InvoiceService.getPluginStatus", [plugin]) == {"isEnabled": True}
    # the documented difference: two separate switches, the e-commerce plugin's and the application's
    app = pair.v2.app
    assert app.live.control("PATCH", f"/apps/{app.name}/options", json={"ecommerce_plugin_enabled": False}).ok
    assert pair.call("InvoiceService.getPluginStatus", plugin) is False
    assert pair.v2_call("InvoiceService.getPluginStatus", [plugin]) == {"isEnabled": True}


@covers("DiscountService.getCategoryAssignmentsForCategoryDiscount")
def test_category_assignments_read_alike_whichever_side_made_them(pair):
    app = pair.v2.app
    categories = sorted(app.call("DataService.add", "ProductCategory", {"CategoryDisplayName": name})
                        for name in ("Pair shoes", "Pair socks"))
    by_x = app.call("DiscountService.addCategoryDiscount", "Category", "paired", 0, 5.0)
    for category in categories:
        app.call("DiscountService.addCategoryAssignmentToCategoryDiscount", by_x, category)
    by_v = int(pair.v2.ok("POST", "/discounts/productCategories", 201, json={
        "name": "Category v2", "description": "paired", "discount_percent": 5, "apply_to_commissions": False,
        "product_category_ids": [str(c) for c in categories]})["id"])
    for discount_id in (by_x, by_v):
        x = pair.call("DiscountService.getCategoryAssignmentsForCategoryDiscount", discount_id)
        v = pair.v2_call("DiscountService.getCategoryAssignmentsForCategoryDiscount", [discount_id])
        # the documented difference: one struct per category on XML-RPC, the category ids on v2
        assert sorted(r["productCategoryId"] for r in x) == sorted(v["product_categories"]) == \
            [str(c) for c in categories]


@covers("APIAffiliateService.affCommissions", "APIAffiliateService.affPayouts",
        "APIAffiliateService.affRunningTotals", "APIAffiliateService.affSummary")
def test_affiliate_ledger_reads_alike(pair):
    for affiliate in (1, 2, 3):
        params = [affiliate, *WIDE]
        x = pair.call("APIAffiliateService.affCommissions", *params)
        v = pair.v2_call("APIAffiliateService.affCommissions", params)["affiliate_commissions"]
        # the documented difference: v2's list holds the clawbacks too, the amount negated
        earned = [c for c in v if c["amount_earned"] > 0]
        assert [(c["AmtEarned"], c["ProductName"]) for c in x] == [(c["amount_earned"], c.get("product_name", ""))
                                                                 for c in earned]
        for row, record in zip(x, earned, strict=True):
            _agree("APIAffiliateService.affCommissions", params, row, record, {"AmtEarned"})
        x = pair.call("APIAffiliateService.affPayouts", *params)
        v = pair.v2_call("APIAffiliateService.affPayouts", params)["affiliate_payments"]
        assert [(p["PayAmt"], p["PayNote"]) for p in x] == [(p["pay_amount"], p["pay_notes"]) for p in v]
        [totals] = pair.call("APIAffiliateService.affRunningTotals", [affiliate])
        v = pair.v2_call("APIAffiliateService.affRunningTotals", [[affiliate]])
        assert v["affiliate_commission_total"] == round(totals["AmountEarned"] - totals["Clawbacks"], 2)
    assert any(pair.call("APIAffiliateService.affCommissions", a, *WIDE) for a in (1, 2, 3)), "the seed has a ledger"
    params = [[1, 2, 3], *WIDE]
    x = pair.call("APIAffiliateService.affSummary", *params)
    v = pair.v2_call("APIAffiliateService.affSummary", params)
    assert len(x) == len(v["affiliate_summaries"]) == 3
    for row, record in zip(x, v["affiliate_summaries"], strict=True):
        _agree("APIAffiliateService.affSummary", params, row, record, {"AffiliateId", "AmountEarned", "Balance"})


@covers("AffiliateService.getRedirectLinksForAffiliate", "AffiliateProgramService.getResourcesForAffiliateProgram",
        "AffiliateProgramService.getAffiliatesByProgram")
def test_affiliate_links_resources_and_members_alike(pair):
    mine = pair.v2.ok("POST", "/affiliates/redirects", 201, json={
        "name": "Pair link", "code": "pairlink", "website_address": "https://pairs.test/", "affiliate_id": "1"})
    shared = {x["id"] for x in pair.v2.walk("/affiliates/redirects", "affiliate_links") if not x.get("affiliate_id")}
    for affiliate in (1, 2):
        x = {str(r["Id"]): r for r in pair.call("AffiliateService.getRedirectLinksForAffiliate", affiliate)}
        v = pair.v2_call("AffiliateService.getRedirectLinksForAffiliate", [affiliate])["affiliate_links"]
        # the documented difference: XML-RPC offers the shared links too, v2's filter lists the affiliate's own
        assert {r["id"] for r in v} <= set(x) and set(x) - {r["id"] for r in v} <= shared
        assert (mine["id"] in {r["id"] for r in v}) == (affiliate == 1)
        for record in v:
            _agree("AffiliateService.getRedirectLinksForAffiliate", [affiliate], x[record["id"]], record,
                   {"Id", "Name", "LocalUrlCode", "RedirectUrl"})

    programs = [p["Id"] for p in pair.v2.app.call("AffiliateProgramService.getAffiliatePrograms")]
    assert programs, "the seed has programs"
    for program in programs:
        x = pair.call("AffiliateProgramService.getResourcesForAffiliateProgram", program)
        v = pair.v2_call("AffiliateProgramService.getResourcesForAffiliateProgram", [program])["resources"]
        assert [str(r["Id"]) for r in x] == [r["id"] for r in v]
        for row, record in zip(x, v, strict=True):
            _agree("AffiliateProgramService.getResourcesForAffiliateProgram", [program], row, record,
                   {"Id", "Title"})
        members = pair.call("AffiliateProgramService.getAffiliatesByProgram", program)
        v = pair.v2_call("AffiliateProgramService.getAffiliatesByProgram", [program])
        assert sorted(str(a["Id"]) for a in members) == sorted(v["affiliate_ids"])


def test_the_compare_tool_refuses_what_v2_does_not_take_in_one_call(app):
    def compare(method: str, params: list, status: int) -> dict:
        r = app.live.control("POST", f"/apps/{app.name}/migration/compare", json={"method": method, "params": params})
        assert r.status_code == status, r.text
        return r.json()

    plan = app.call("DataService.query", "SubscriptionPlan", 1, 0, {}, ["Id"])[0]["Id"]
    assert "params[6] (daysTillCharge)" in compare("ContactService.addRecurringOrder", [6, True, plan, 0, 0, 0, 3],
                                                   400)["error"]
    assert "a list of one" in compare("APIAffiliateService.affRunningTotals", [[1, 2]], 400)["error"]
    assert "params[1] (filterStartDate) must be a date" in compare("APIAffiliateService.affPayouts", [1, "soon", ""],
                                                                   400)["error"]
    refused = compare("InvoiceService.addManualPayment", [1, 5.0, "2026-03-01T00:00:00", "Cash", "x", False], 400)
    assert "createPaymentForAnOrder" in refused["error"]  # its mapping: what to call by hand
    summary = compare("APIAffiliateService.affSummary", [[1], "2000-01-01T00:00:00", "2099-01-01T00:00:00"], 200)
    assert summary["v2"]["query"]["filter"].startswith("affiliate_ids==1;since_time==2000-01-01T00:00:00Z")
    assert summary["differences"] == [] and summary["xmlrpc"]["result"][0]["AffiliateId"] == 1
