"""DiscountService's specials, and how OrderService.placeOrder applies them (``processSpecials``).

Kinds: a free trial on a subscription plan (its first charge waits ``freeTrialDays``), an order-total
discount (a percentage or an amount off the order), a product-total discount (off one product's lines), a
category discount (a percentage off the lines of products in its categories) and a shipping-total discount
(off shipping lines). Specials made through the API take no promo code, so placeOrder applies every one that
fits when ``processSpecials`` is true; each becomes a negative line of its special item type.
"""
from __future__ import annotations

from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession

from . import invoices, products
from .amounts import money

FREE_TRIAL, ORDER_TOTAL, CATEGORY, PRODUCT, SHIPPING = "free_trial", "order_total", "category", "product", "shipping"


def _flag(value: int, what: str) -> int:
    if value not in (0, 1):
        raise InvalidParameter(f"{what} must be 0 or 1")
    return value


def _amount(value: float, percent: int) -> float:
    if value < 0 or (percent and value > 100):
        raise InvalidParameter(f"Invalid discount amount: {value}")
    return float(value)


def _add(s: AppSession, kind: str, name: str, description: str, **values) -> int:
    if not str(name or "").strip():
        raise InvalidParameter("A discount needs a name")
    discount_id = s.next_id("discount")
    s.insert(schema.discount, dict(id=discount_id, kind=kind, name=name, description=description or "",
                                   **{k: values.get(k) for k in ("apply_to_commission", "percent", "amount",
                                                                 "pay_type", "free_trial_days", "hide_price",
                                                                 "subscription_plan_id", "product_id")
                                      if values.get(k) is not None}))
    s.emit("discount.added", "discount", discount_id, kind=kind, name=name)
    return discount_id


def add_free_trial(s: AppSession, name: str, description: str, days: int, hide_price: int, plan_id: int) -> int:
    if days < 1:
        raise InvalidParameter("freeTrialDays must be at least 1")
    products.plan(s, plan_id)
    return _add(s, FREE_TRIAL, name, description, free_trial_days=days, hide_price=_flag(hide_price, "hidePrice"),
                subscription_plan_id=plan_id, apply_to_commission=0)


def add_order_total(s: AppSession, name: str, description: str, apply_to_commission: int, percent: int,
                    amount: float, pay_type: str) -> int:
    if pay_type not in ("Gross", "Net"):
        raise InvalidParameter("payType must be Gross or Net")
    percent = _flag(percent, "percentOrAmt")
    return _add(s, ORDER_TOTAL, name, description, apply_to_commission=_flag(apply_to_commission,
                "applyDiscountToCommission"), percent=percent, amount=_amount(amount, percent), pay_type=pay_type)


def add_category(s: AppSession, name: str, description: str, apply_to_commission: int, amount: float) -> int:
    return _add(s, CATEGORY, name, description, percent=1, amount=_amount(amount, 1),
                apply_to_commission=_flag(apply_to_commission, "applyDiscountToCommission"))


def add_product_total(s: AppSession, name: str, description: str, apply_to_commission: int, product_id: int,
                      percent: int, amount: float) -> int:
    products.require(s, product_id)
    percent = _flag(percent, "percentOrAmt")
    return _add(s, PRODUCT, name, description, product_id=product_id, percent=percent,
                amount=_amount(amount, percent),
                apply_to_commission=_flag(apply_to_commission, "applyDiscountToCommission"))


def add_shipping_total(s: AppSession, name: str, description: str, apply_to_commission: int, percent: int,
                       amount: float) -> int:
    percent = _flag(percent, "percentOrAmt")
    return _add(s, SHIPPING, name, description, percent=percent, amount=_amount(amount, percent),
                apply_to_commission=_flag(apply_to_commission, "applyDiscountToCommission"))


def require(s: AppSession, discount_id: int, kind: str):
    row = s.get(schema.discount, discount_id)
    if row is None or row.kind != kind:
        raise not_found(_KIND_NAMES[kind], discount_id)
    return row


_KIND_NAMES = {FREE_TRIAL: "FreeTrial", ORDER_TOTAL: "OrderTotalDiscount", CATEGORY: "CategoryDiscount",
               PRODUCT: "ProductTotalDiscount", SHIPPING: "ShippingTotalDiscount"}


def add_category_assignment(s: AppSession, discount_id: int, category_id: int) -> int:
    require(s, discount_id, CATEGORY)
    if s.get(schema.product_category, category_id, schema.product_category.c.id) is None:
        raise not_found("ProductCategory", category_id)
    assignment_id = s.next_id("discount_category")
    s.insert(schema.discount_category, dict(id=assignment_id, discount_id=discount_id,
                                            product_category_id=category_id))
    return assignment_id


def category_assignments(s: AppSession, discount_id: int) -> list[dict]:
    require(s, discount_id, CATEGORY)
    dc = schema.discount_category
    rows = s.execute(s.select(dc).where(dc.c.discount_id == discount_id).order_by(dc.c.id)).all()
    # vendor sample keys {id, specialItemId, productCategoryId}, values as strings
    return [{"id": str(r.id), "specialItemId": str(r.discount_id), "productCategoryId": str(r.product_category_id)}
            for r in rows]


def describe(row) -> dict:
    """The get* struct of a discount: the vendor samples' keys, every value a string."""
    common = {"name": row.name, "description": row.description or ""}
    commission = str(row.apply_to_commission or 0)
    if row.kind == FREE_TRIAL:
        return {**common, "freeTrialDays": str(row.free_trial_days), "hidePrice": str(row.hide_price or 0),
                "subscriptionPlanId": str(row.subscription_plan_id), "applyDiscountToCommission": commission}
    if row.kind == ORDER_TOTAL:
        return {**common, "amount": str(float(row.amount)), "pctOrAmt": str(row.percent),
                "payType": row.pay_type or "Gross", "applyDiscountToCommission": commission}
    if row.kind == PRODUCT:
        return {**common, "productId": str(row.product_id), "applyDiscountToCommission": commission}
    if row.kind == SHIPPING:
        return {**common, "amount": str(float(row.amount)), "pctOrAmt": str(row.percent),
                "applyDiscountToCommission": commission}
    return {**common, "applyDiscountToCommission": commission}


def get(s: AppSession, discount_id: int, kind: str) -> dict:
    return describe(require(s, discount_id, kind))


# --- applying specials to an order ----------------------------------------------------------------------

def free_trial_days(s: AppSession, plan_id: int) -> int:
    d = schema.discount
    rows = s.execute(s.select(d).where(d.c.kind == FREE_TRIAL, d.c.subscription_plan_id == plan_id)).all()
    return max((r.free_trial_days or 0 for r in rows), default=0)


def _off(row, base: float) -> float:
    off = base * row.amount / 100 if row.percent else row.amount
    return money(min(max(off, 0.0), base))


def apply_specials(s: AppSession, invoice) -> None:
    """Add the discount lines every special that fits gives ``invoice`` (product, category, shipping, then
    order total on what is left)."""
    d = schema.discount
    specials = s.execute(s.select(d).where(d.c.kind.in_([PRODUCT, CATEGORY, SHIPPING, ORDER_TOTAL]))
                         .order_by(d.c.id)).all()
    if not specials:
        return
    rows = invoices.lines(s, invoice.id)
    by_product: dict[int, float] = {}
    for r in rows:
        if r.item_type in (invoices.PRODUCT, invoices.UPSELL) and r.product_id:
            by_product[r.product_id] = by_product.get(r.product_id, 0.0) + (r.invoice_amt or 0.0)
    shipping = sum(r.invoice_amt or 0.0 for r in rows if r.item_type == invoices.SHIPPING)
    dc, pca = schema.discount_category, schema.product_category_assign

    def line(row, item_type: int, off: float) -> None:
        if off > 0:
            invoices.add_item(s, invoice, product_id=0, item_type=item_type, price=-off, qty=1,
                              description=row.name, notes=row.description or "")

    for row in specials:
        if row.kind == PRODUCT and row.product_id in by_product:
            line(row, invoices.PRODUCT_SPECIAL, _off(row, by_product[row.product_id]))
        elif row.kind == CATEGORY:
            categories = [r.product_category_id for r in s.execute(
                s.select(dc, dc.c.product_category_id).where(dc.c.discount_id == row.id))]
            if categories and by_product:
                in_category = {r.product_id for r in s.execute(
                    s.select(pca, pca.c.product_id).where(pca.c.product_category_id.in_(categories),
                                                          pca.c.product_id.in_(list(by_product))))}
                line(row, invoices.CATEGORY_SPECIAL, _off(row, sum(by_product[p] for p in in_category)))
        elif row.kind == SHIPPING and shipping > 0:
            line(row, invoices.SHIPPING_SPECIAL, _off(row, shipping))
    subtotal = sum(r.invoice_amt or 0.0 for r in invoices.lines(s, invoice.id))
    for row in specials:
        if row.kind == ORDER_TOTAL and subtotal > 0:
            off = _off(row, subtotal)
            line(row, invoices.ORDER_TOTAL_SPECIAL, off)
            subtotal -= off
