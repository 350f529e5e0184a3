"""Mapped pairs of the commerce services performed on one app (see test_pairs.py for how a pair is run and
checked): subscriptions made, invoiced, rescheduled and stopped on either side, the cards on file (and one
deactivated), the e-commerce switch, category discounts made and assigned, invoices written, charged and deleted
through their orders, orders placed, and the affiliate ledger and program reads. Several translate to v2 in steps
(the invoice's order looked up first, a card's contact, a discount's list read before it is written whole): the
pair fixture makes them in turn over HTTP. Where the two truly differ, the test asserts the difference the
method's mapping.yaml entry documents."""
from __future__ import annotations

from datetime import datetime, timedelta

from server.migration.translate import TRANSLATORS
from server.migration.translate_commerce import SUBSCRIPTION_FIELDS
from server.migration.v2call import record_pairs, steps
from tests.commerce import util
from tests.commerce.util import COACHING, LIAM, LIAM_MC, OLIVIA, OLIVIA_VISA, STRENGTH, TEST_GATEWAY
from tests.migration.conftest import covers

SUBSCRIPTION_READ = list(SUBSCRIPTION_FIELDS)
WIDE = [datetime(2000, 1, 1), datetime(2099, 1, 1)]  # every ledger entry, whatever the app's zone


def _agree(method: str, params: list, x, v, at_least: set[str]) -> None:
    """The records both sides answer agree on every field the translation compares (ids and numbers as text)."""
    translated = steps(TRANSLATORS[method](params))[-1]
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


def _invoices(app, contact: int = OLIVIA) -> tuple[int, int]:
    """Two blank invoices alike, one for each side to write."""
    return tuple(app.call("InvoiceService.createBlankOrder", contact, "Paired order", "20260301T10:00:00", 0, 0)
                 for _ in range(2))


def _order(pair, invoice_id: int) -> dict | None:
    """The invoice's order as v2 reads it (None once deleted)."""
    found = pair.v2.ok("GET", "/orders", params={"filter": f"invoice_id=={invoice_id}"})["orders"]
    return found[0] if found else None


def _lines(order: dict) -> list[tuple]:
    return sorted((i["product"]["id"] if i.get("product") else "", i["item_type"], i["quantity"],
                   i["price_per_unit"]["amount"], i.get("description"), i.get("notes"))
                  for i in order["order_items"])


@covers("InvoiceService.addOrderItem", "InvoiceService.calculateAmountOwed", "InvoiceService.recalculateTax",
        "InvoiceService.addManualPayment", "InvoiceService.getPayments", "InvoiceService.deleteInvoice")
def test_invoices_alike_whichever_side_wrote_them(pair):
    """Each method addressed by an invoice id: v2 looks the invoice's order up first, then addresses it."""
    by_x, by_v = _invoices(pair.v2.app)
    for item in ([COACHING, 4, 12.5, 2, "Paired coaching", "a note"], [0, 3, 4.0, 1, "Handling", ""]):
        assert pair.call("InvoiceService.addOrderItem", by_x, *item) is True
        made = pair.v2_call("InvoiceService.addOrderItem", [by_v, *item], 201)
        assert made["quantity"] == item[3] and made["price_per_unit"]["amount"] == item[2] * 100
    orders = [_order(pair, i) for i in (by_x, by_v)]
    assert _lines(orders[0]) == _lines(orders[1]) and len(orders[0]["order_items"]) == 2
    assert pair.answers[0]["orders"][0]["invoice_id"] == str(by_v)  # the first step found the invoice's order

    def owed() -> list:
        x = pair.call("InvoiceService.calculateAmountOwed", by_x)
        order = pair.v2_call("InvoiceService.calculateAmountOwed", [by_v])
        # the documented difference: a double on XML-RPC, the order (total_due in cents) on v2
        return [x, order["total_due"]["amount"] / 100]

    assert owed() == [29.0, 29.0]
    assert pair.call("InvoiceService.recalculateTax", by_x) is True
    taxed = pair.v2_call("InvoiceService.recalculateTax", [by_v])
    assert taxed["id"] == orders[1]["id"] and _lines(_order(pair, by_x)) == _lines(taxed)
    before = owed()
    assert before[0] == before[1]

    payment = [10.0, datetime(2026, 3, 2, 9, 0), "Cash", "Paid at the desk", False]
    assert pair.call("InvoiceService.addManualPayment", by_x, *payment) is True
    paid = pair.v2_call("InvoiceService.addManualPayment", [by_v, *payment], 201)
    assert paid["payment_amount"] == 10.0 and paid["invoice_id"] == str(by_v)
    assert owed() == [round(before[0] - 10.0, 2)] * 2
    x = pair.call("InvoiceService.getPayments", by_x)
    v = pair.v2_call("InvoiceService.getPayments", [by_v])["invoice_order_payments"]
    assert [(p["PayAmt"], p["PayNote"], p["PayType"]) for p in x] == [(10.0, "Paid at the desk", "Cash")]
    assert [(p["amount"], p["note"]) for p in v] == [(10.0, "Paid at the desk")]
    _agree("InvoiceService.getPayments", [by_v], pair.call("InvoiceService.getPayments", by_v)[0], v[0],
           {"Id", "PayAmt", "InvoiceId", "PayNote"})  # one payment as either side reads it
    assert util.row(pair.v2.app, "Payment", int(v[0]["payment_id"]), ["PayType", "PayAmt"]) == \
        {"PayType": "Cash", "PayAmt": 10.0}

    # the documented difference: XML-RPC deletes an invoice with payments, v2 refuses to delete its order
    assert pair.call("InvoiceService.deleteInvoice", by_x) is True
    assert "payments" in pair.v2_call("InvoiceService.deleteInvoice", [by_v], 400)["message"]
    assert _order(pair, by_x) is None and _order(pair, by_v)["id"] == orders[1]["id"]
    unpaid = _invoices(pair.v2.app)
    assert pair.call("InvoiceService.deleteInvoice", unpaid[0]) is True
    pair.v2_call("InvoiceService.deleteInvoice", [unpaid[1]], 204)
    for invoice_id in unpaid:
        assert _order(pair, invoice_id) is None
        assert util.rows(pair.v2.app, "Invoice", {"Id": invoice_id}, ["Id"]) == []


@covers("InvoiceService.chargeInvoice", "InvoiceService.addOrderCommissionOverride")
def test_invoices_charged_and_commissions_overridden_alike(pair):
    app = pair.v2.app
    by_x, by_v = _invoices(app)
    for invoice_id in (by_x, by_v):
        assert app.call("InvoiceService.addOrderItem", invoice_id, COACHING, 4, 40.0, 1, "Coaching", "") is True
    override = [1, COACHING, 10, 0.0, 4, "Paired bonus", datetime(2026, 3, 1)]
    assert pair.call("InvoiceService.addOrderCommissionOverride", by_x, *override) is True
    item = pair.v2_call("InvoiceService.addOrderCommissionOverride", [by_v, *override])
    assert item["product"]["id"] == str(COACHING)

    charge = ["Paired charge", OLIVIA_VISA, TEST_GATEWAY, False]
    charged = pair.call("InvoiceService.chargeInvoice", by_x, *charge)
    assert charged["Successful"] is True and charged["Code"] == "APPROVED"
    payment = pair.v2_call("InvoiceService.chargeInvoice", [by_v, *charge], 201)
    # the documented difference: a result struct on XML-RPC, the payment on v2 (its amount the balance)
    assert payment["payment_status_message"] == "APPROVED" and payment["payment_amount"] == 40.0
    assert [app.call("InvoiceService.calculateAmountOwed", i) for i in (by_x, by_v)] == [0.0, 0.0]
    x, v = (util.rows(app, "Payment", {"InvoiceId": i}, ["PayAmt", "PayType", "PayNote"]) for i in (by_x, by_v))
    assert x == v and [p["PayAmt"] for p in x] == [40.0]
    # nothing left to charge: XML-RPC answers SKIPPED, v2 a 400 (the amount, the balance, is 0)
    assert pair.call("InvoiceService.chargeInvoice", by_x, *charge)["Code"] == "SKIPPED"
    refused = pair.v2_call("InvoiceService.chargeInvoice", [by_v, *charge], 400)
    assert "payment_amount" in str(refused)


@covers("OrderService.placeOrder")
def test_orders_placed_alike(pair):
    """placeOrder in steps: the first product read (the order is named after it), the order made at the
    caller's now, then, with a card, its balance charged."""
    app = pair.v2.app
    invoice_fields = ["InvoiceTotal", "TotalPaid", "TotalDue", "PayStatus", "ContactId"]
    for card, products, status, steps_made in ((OLIVIA_VISA, [COACHING, COACHING, STRENGTH], 201, 3),
                                               (0, [STRENGTH], 201, 2)):
        params = [OLIVIA, card, 0, products, [], False, []]
        x = pair.call("OrderService.placeOrder", *params)
        answer = pair.v2_call("OrderService.placeOrder", params, status)
        assert len(pair.answers) == steps_made
        order = pair.answers[1]
        # the documented difference: a struct of strings on XML-RPC, the order then the payment on v2
        assert x["Successful"] == ("true" if card else "false")
        if card:
            assert answer["payment_status_message"] == "APPROVED" and answer["invoice_id"] == order["invoice_id"]
        invoices = (int(x["InvoiceId"]), int(order["invoice_id"]))
        rows = [util.row(app, "Invoice", i, invoice_fields) for i in invoices]
        assert rows[0] == rows[1] and rows[0]["InvoiceTotal"] > 0, rows
        assert (rows[0]["TotalDue"] == 0) == bool(card)
        jobs = [util.row(app, "Job", int(i), ["JobTitle", "ContactId"]) for i in (x["OrderId"], order["id"])]
        assert jobs[0] == jobs[1] and jobs[0]["JobTitle"].endswith(" and more") == (len(set(products)) > 1)
        assert _lines(_order(pair, invoices[0])) == _lines(_order(pair, invoices[1]))


@covers("ProductService.deactivateCreditCard")
def test_cards_deactivated_alike(pair):
    """v2 needs the card's contact: the card is read first (GET /paymentMethods), then deactivated."""
    app = pair.v2.app
    cards = [app.call("DataService.add", "CreditCard", {"ContactId": LIAM, "CardNumber": "4242424242424242",
                                                        "ExpirationMonth": "12", "ExpirationYear": "2030"})
             for _ in range(2)]
    assert pair.call("ProductService.deactivateCreditCard", cards[0]) is True
    assert pair.v2_call("ProductService.deactivateCreditCard", [cards[1]], 204) is None
    assert pair.answers[0]["payment_methods"][0]["contact_id"] == str(LIAM)
    states = [util.row(app, "CreditCard", c, ["Status"]) for c in (*cards, LIAM_MC)]
    assert states[0] == states[1] != states[2], states
    listed = {m["payment_method_id"]: m for m in pair.v2.ok("GET", f"/contacts/{LIAM}/paymentMethods")["records"]}
    assert listed[str(cards[0])].get("status") == listed[str(cards[1])].get("status")


@covers("DiscountService.addCategoryDiscount", "DiscountService.addCategoryAssignmentToCategoryDiscount")
def test_category_discounts_made_and_assigned_alike(pair):
    """addCategoryDiscount: v2 requires the categories at creation, none until assigned (an empty list); a
    category added: the discount read, then its list written whole."""
    app = pair.v2.app
    categories = sorted(app.call("DataService.add", "ProductCategory", {"CategoryDisplayName": name})
                        for name in ("Paired hats", "Paired gloves"))
    params = ["Paired category", "made on both sides", 1, 7.5]
    by_x = pair.call("DiscountService.addCategoryDiscount", *params)
    made = pair.v2_call("DiscountService.addCategoryDiscount", params, 201)
    by_v = int(made["id"])
    x, v = (pair.v2.ok("GET", f"/discounts/productCategories/{d}") for d in (by_x, by_v))
    assert {k: x[k] for k in x if k != "id"} == {k: v[k] for k in v if k != "id"}
    assert v["product_categories"] == [] and v["discount_percent"] == 7.5 and v["apply_to_commissions"] is True
    for category in (*categories, categories[0]):  # the second time: already assigned
        assert pair.call("DiscountService.addCategoryAssignmentToCategoryDiscount", by_x, category)
        written = pair.v2_call("DiscountService.addCategoryAssignmentToCategoryDiscount", [by_v, category])
        assert str(category) in written["product_categories"]
    # the documented difference: XML-RPC records a category assigned twice twice, v2's list holds it once (and
    # reads the XML-RPC discount's categories once each)
    twice = sorted([*categories, categories[0]])
    for discount_id, expected in ((by_x, twice), (by_v, categories)):
        assigned = app.call("DiscountService.getCategoryAssignmentsForCategoryDiscount", discount_id)
        assert sorted(int(r["productCategoryId"]) for r in assigned) == expected, (discount_id, assigned)
        read = pair.v2.ok("GET", f"/discounts/productCategories/{discount_id}")["product_categories"]
        assert sorted(int(c) for c in read) == categories


def test_the_compare_tool_refuses_parameters_v2_does_not_take(app):
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
    refused = compare("InvoiceService.addManualPayment", [1, 5.0, "2026-03-01T00:00:00", "PayPal", "x", False], 400)
    assert "params[3] (paymentType)" in refused["error"] and "CASH" in refused["error"]
    assert "params[2] (type): v2 creates no item of type 5" in compare(
        "InvoiceService.addOrderItem", [1, 1, 5, 1.0, 1, "", ""], 400)["error"]
    summary = compare("APIAffiliateService.affSummary", [[1], "2000-01-01T00:00:00", "2099-01-01T00:00:00"], 200)
    assert summary["v2"]["query"]["filter"].startswith("affiliate_ids==1;since_time==2000-01-01T00:00:00Z")
    assert summary["differences"] == [] and summary["xmlrpc"]["result"][0]["AffiliateId"] == 1


def test_the_compare_tool_answers_each_step(app):
    """A translation in steps: each step's request and result, the later one's values taken from the earlier
    answer; a step whose value the earlier answer lacks is answered unmade, with why."""
    def compare(method: str, params: list) -> dict:
        r = app.live.control("POST", f"/apps/{app.name}/migration/compare", json={"method": method, "params": params})
        assert r.status_code == 200, r.text
        return r.json()

    invoice = util.blank_invoice(app, OLIVIA, ((COACHING, 120.0, 1),))
    answer = compare("InvoiceService.calculateAmountOwed", [invoice])
    first, second = answer["v2_steps"]
    order = first["answer"]["orders"][0]
    assert (first["operation_id"], first["query"], first["ok"]) == ("listOrders", {"filter": f"invoice_id=={invoice}"},
                                                                     True)
    assert second == answer["v2"] and second["path"] == f"/crm/rest/v2/orders/{order['id']}"
    assert answer["xmlrpc"]["result"] == 120.0 and second["answer"]["total_due"]["amount"] == 12000
    assert answer["differences"] == [{"what": "answer", "xmlrpc": 120.0, "v2": "an object",
                                      "note": "XML-RPC answers a bare value; v2 the record"}]

    written = compare("InvoiceService.addManualPayment", [invoice, 20.0, "2026-03-02T09:00:00", "Check", "", False])
    assert written["v2"]["body"]["payment_method_type"] == "CHECK" and written["v2"]["status"] == 201
    assert app.call("InvoiceService.calculateAmountOwed", invoice) == 120.0  # both rolled back

    missing = compare("InvoiceService.addOrderCommissionOverride", [invoice, 1, 2, 10, 0.0, 4, "", "2026-03-01"])
    unmade = missing["v2"]
    assert unmade["not_run"] == "step 1's answer holds no order item of the product 2"
    assert unmade["path"] == f"/crm/rest/v2/orders/{order['id']}/items/{{step 1: order item of the product 2}}" \
        ":applyCommission"
    assert (unmade["ok"], unmade["status"], missing["xmlrpc"]["ok"]) == (False, None, True)
    assert missing["differences"][0]["v2"].startswith("not run: step 1's answer")
    gone = compare("InvoiceService.deleteInvoice", [999999])
    assert gone["v2_steps"][0]["answer"]["orders"] == [] and "orders.0.id" in gone["v2"]["not_run"]
    assert gone["v2"]["path"] == "/crm/rest/v2/orders/{step 1: orders.0.id (the invoice's order)}"
