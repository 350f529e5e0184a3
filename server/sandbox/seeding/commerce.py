"""Seeding sandbox_data/commerce.json: merchant accounts, tax, product categories and products (with
inventory and a subscription plan), shipping options, cards on file, past orders and their payments, a past
subscription, the sales pipeline and a couple of opportunities. Everything goes through the domain, so the
tables agree with each other as if the API had made them; records refer to each other by name or email."""
from __future__ import annotations

from server.domain.commerce import billing, cards, invoices, merchant, payments, products, shipping, subscriptions
from server.domain.crm import opportunities
from server.domain.data import records
from server.store import schema
from server.store.session import AppSession


def _contact(s: AppSession, email: str) -> int:
    rows = records.query(s, "Contact", 1, 0, {"Email": email}, ["Id"])
    if not rows:
        raise ValueError(f"commerce.json: no contact with email {email!r}")
    return rows[0]["Id"]


def _user(s: AppSession, email: str) -> int:
    rows = records.query(s, "User", 1, 0, {"Email": email}, ["Id"])
    if not rows:
        raise ValueError(f"commerce.json: no user with email {email!r}")
    return rows[0]["Id"]


def _date(s: AppSession, text: str):
    return invoices.local_date(s, text, "commerce.json")


def seed_commerce(s: AppSession, data: dict) -> dict:
    counts: dict[str, int] = {}

    def count(what: str) -> None:
        counts[what] = counts.get(what, 0) + 1

    for account in data.get("merchant_accounts", []):
        merchant.add_account(s, account["name"], account.get("mode", "test_cards"),
                             default=account.get("default", False))
    for rate in data.get("tax_rates", []):
        invoices.add_tax_rate(s, rate["name"], rate["rate"], rate.get("state"))

    categories: dict[str, int] = {}
    for category in data.get("product_categories", []):
        values = {k: v for k, v in category.items() if k != "parent"}
        if category.get("parent"):
            values["ParentId"] = categories[category["parent"]]
        categories[category["CategoryDisplayName"]] = records.add(s, "ProductCategory", values)

    product_ids: dict[str, int] = {}
    for product in data.get("products", []):
        extra = {k: product[k] for k in ("categories", "inventory", "subscription_plans") if k in product}
        values = {k: v for k, v in product.items() if k not in extra}
        product_id = product_ids[product["ProductName"]] = records.add(s, "Product", values)
        count("products")
        for name in extra.get("categories", []):
            records.add(s, "ProductCategoryAssign", {"ProductId": product_id, "ProductCategoryId": categories[name]})
        if extra.get("inventory") is not None:
            products.change_inventory(s, product_id, int(extra["inventory"]), reason="seed")
        for plan in extra.get("subscription_plans", []):
            records.add(s, "SubscriptionPlan", dict(plan, ProductId=product_id))

    for option in data.get("shipping_options", []):
        settings = dict(option.get("settings", {}))
        if "products" in settings:
            settings["products"] = [{"productId": product_ids[p["product"]], "price": p["price"]}
                                    for p in settings["products"]]
        shipping.add(s, option["name"], option["type"], description=option.get("description", ""),
                     active=option.get("active", True), international=option.get("international", False),
                     order_based=option.get("order_based", False), settings=settings, ranges=option.get("ranges"))

    card_ids: dict[str, int] = {}
    for card in data.get("credit_cards", []):
        values = {k: v for k, v in card.items() if k != "contact"}
        card_ids[card["CardNumber"]] = cards.add(s, dict(values, ContactId=_contact(s, card["contact"])))
        count("credit_cards")

    for order in data.get("orders", []):
        contact_id = _contact(s, order["contact"])
        when = _date(s, order["date"])
        names = [product_ids[i["product"]] for i in order["items"]]
        first = order["items"][0]["product"]
        _, invoice_id = invoices.create_order(s, contact_id, first if len(names) == 1 else f"{first} and more",
                                              when, order_type="Online")
        invoice = s.get(schema.invoice, invoice_id)
        for item in order["items"]:
            product = s.get(schema.product, product_ids[item["product"]])
            invoices.add_item(s, invoice, product_id=product.id, item_type=invoices.PRODUCT,
                              price=product.product_price, qty=item["qty"], description=product.product_name,
                              name=product.product_name)
            products.sold(s, product.id, item["qty"])
        if any(s.get(schema.product, pid).taxable for pid in names):
            invoices.recalculate_tax(s, invoice_id)
        invoices.refresh(s, invoice_id)
        for payment in order.get("payments", []):
            at = _date(s, payment["date"])
            if payment.get("card"):
                payments.charge_invoice(s, invoice_id, payment.get("notes", ""), card_ids[payment["card"]], 0, False,
                                        at=at)
            else:
                amount = invoices.amount_owed(s, invoice_id) if payment.get("full") else payment["amount"]
                payments.add_manual_payment(s, invoice_id, amount, at, payment["type"], payment.get("notes", ""),
                                            False)
        count("orders")

    for sub in data.get("subscriptions", []):
        _seed_subscription(s, sub, product_ids, card_ids)
        count("subscriptions")

    stage_ids = {st["StageName"]: opportunities.add_stage(s, st["StageName"], st["StageOrder"], st["TargetNumDays"])
                 for st in data.get("stages", [])}
    for opp in data.get("opportunities", []):
        stages = opp.get("stages", [])
        fields = {k: v for k, v in opp.items() if k not in ("contact", "user", "stages", "OpportunityTitle")}
        opportunity_id = opportunities.create(s, _contact(s, opp["contact"]), opp["OpportunityTitle"],
                                              stage_id=stage_ids[stages[0]] if stages else None,
                                              user_id=_user(s, opp["user"]) if opp.get("user") else None, **fields)
        for stage in stages[1:]:
            opportunities.move(s, opportunity_id, stage_ids[stage])
        count("opportunities")
    return counts


def _seed_subscription(s: AppSession, sub: dict, product_ids: dict[str, int], card_ids: dict[str, int]) -> None:
    """A subscription billed ``renewals`` times from ``start`` (each renewal charged then), then stopped."""
    plan = s.execute(s.select(schema.subscription_plan)
                     .where(schema.subscription_plan.c.product_id == product_ids[sub["plan_product"]])).first()
    contact_id = _contact(s, sub["contact"])
    start = _date(s, sub["start"])
    card_id = card_ids[sub["card"]]
    subscription_id = subscriptions.add(s, contact_id, plan.id, credit_card_id=card_id, start=start, next_bill=start)
    row = s.get(schema.recurring_order, subscription_id)
    name = products.plan_name(s, plan)
    moment = start
    for _ in range(sub.get("renewals", 0)):
        _, invoice_id = invoices.create_order(s, contact_id, name, moment, order_type="Online",
                                              recurring_id=subscription_id)
        end = subscriptions.bill_cycles(s, row, s.get(schema.invoice, invoice_id), [moment], at=moment)
        invoices.refresh(s, invoice_id)
        payments.charge_invoice(s, invoice_id, "Subscription renewal", card_id, 0, False, at=moment)
        last, moment = moment, end
    ro = schema.recurring_order
    s.update(ro, ro.c.id == subscription_id, next_bill_date=moment, last_bill_date=last,
             status=subscriptions.INACTIVE, end_date=_date(s, sub["stopped"]), reason_stopped=sub.get("reason"))
    billing.cancel(s, "subscription", [subscription_id])
