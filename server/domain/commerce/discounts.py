"""DiscountService's specials, and how OrderService.placeOrder applies them (``processSpecials``).

Kinds: a free trial on a subscription plan (its first charge waits ``freeTrialDays``), an order-total
discount (a percentage or an amount off the order), a product-total discount (off one product's lines), a
category discount (a percentage off the lines of products in its categories) and a shipping-total discount
(off shipping lines). placeOrder applies every special that fits when ``processSpecials`` is true and its
criteria (discount_criteria: REST v2's promo codes, date ranges, products, plans, order totals) are met; a
special without criteria (DiscountService's take none) always fits. Each becomes a negative line of its special
item type.

REST v2 reads specials as typed records (``Discount``, pages by kind) and writes them through ``create``,
``change``, ``delete`` and the criteria functions below, with ``discount.added``/``updated``/``deleted`` events.
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession

from . import discount_criteria, invoices, products
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

def free_trial_days(s: AppSession, plan_id: int, invoice=None) -> int:
    """The longest free trial on the plan whose criteria the order of ``invoice`` meets (starting the plan)."""
    d = schema.discount
    rows = s.execute(s.select(d).where(d.c.kind == FREE_TRIAL, d.c.subscription_plan_id == plan_id)).all()
    rows = _fitting(s, rows, invoice, starting_plan=plan_id)
    return max((r.free_trial_days or 0 for r in rows), default=0)


def _fitting(s: AppSession, rows, invoice, *, starting_plan: int | None = None) -> list:
    """The specials among ``rows`` whose criteria the order of ``invoice`` meets."""
    criteria = discount_criteria.of_discounts(s, [r.id for r in rows])
    if not any(criteria.values()):
        return list(rows)
    order = discount_criteria.order_of(s, invoice) if invoice is not None else \
        discount_criteria.Order(frozenset(), s.now_local())
    if starting_plan is not None:
        order.plan_quantities[starting_plan] = order.plan_quantities.get(starting_plan, 0) + 1
    return [r for r in rows if all(discount_criteria.met(c, order) for c in criteria.get(r.id, []))]


def _off(row, base: float) -> float:
    off = base * row.amount / 100 if row.percent else row.amount
    return money(min(max(off, 0.0), base))


def apply_specials(s: AppSession, invoice) -> None:
    """Add the discount lines every special that fits gives ``invoice`` (product, category, shipping, then
    order total on what is left)."""
    d = schema.discount
    specials = s.execute(s.select(d).where(d.c.kind.in_([PRODUCT, CATEGORY, SHIPPING, ORDER_TOTAL]))
                         .order_by(d.c.id)).all()
    specials = _fitting(s, specials, invoice)
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


# --- typed reads and writes (REST v2) -------------------------------------------------------------------

class Discount(NamedTuple):
    id: int
    kind: str
    name: str
    description: str
    apply_to_commission: bool
    percent: bool  # the amount is a percentage
    amount: float
    pay_type: str | None  # Gross | Net (order totals)
    free_trial_days: int | None
    hide_price: bool
    plan_id: int | None
    product_id: int | None
    category_ids: tuple[int, ...]
    criteria: tuple[discount_criteria.Criterion, ...]


_d, _dcat = schema.discount, schema.discount_category
FIELDS = listing.Fields({"id": _d.c.id, "name": _d.c.name, "description": _d.c.description,
                         "percent": _d.c.percent, "amount": _d.c.amount,
                         "apply_to_commission": _d.c.apply_to_commission, "pay_type": _d.c.pay_type,
                         "free_trial_days": _d.c.free_trial_days, "hide_price": sa.func.coalesce(_d.c.hide_price, 0),
                         "plan_id": _d.c.subscription_plan_id, "product_id": _d.c.product_id},
                        text=frozenset({"name", "description"}))
# the category discounts covering a category, for the filter ``product_category_id==N``
_COVERED = sa.select(_dcat.c.product_category_id).where(_dcat.c.app_id == _d.c.app_id, _dcat.c.discount_id == _d.c.id)


def _records(s: AppSession, rows) -> list[Discount]:
    ids = [r.id for r in rows]
    criteria = discount_criteria.of_discounts(s, ids)
    categories: dict[int, list[int]] = {}
    if ids:
        for r in s.execute(s.select(_dcat).where(_dcat.c.discount_id.in_(ids)).order_by(_dcat.c.id)):
            if r.product_category_id not in categories.setdefault(r.discount_id, []):
                categories[r.discount_id].append(r.product_category_id)
    return [Discount(r.id, r.kind, r.name, r.description or "", bool(r.apply_to_commission), bool(r.percent),
                     float(r.amount or 0.0), r.pay_type, r.free_trial_days, bool(r.hide_price),
                     r.subscription_plan_id, r.product_id, tuple(categories.get(r.id, ())),
                     tuple(criteria.get(r.id, ()))) for r in rows]


def find(s: AppSession, discount_id: int, kind: str) -> Discount | None:
    row = s.get(_d, discount_id)
    return None if row is None or row.kind != kind else _records(s, [row])[0]


def page(s: AppSession, kind: str, q: listing.ListQuery, category_id: int | None = None) -> listing.Page[Discount]:
    """The specials of ``kind`` under ``q``; ``category_id``: only category discounts covering it."""
    select = s.select(_d).where(_d.c.kind == kind)
    if category_id is not None:
        select = select.where(sa.literal(category_id).in_(_COVERED.scalar_subquery()))
    found = listing.page(s, select, FIELDS, q, lambda r: r)
    found.items = _records(s, found.items)
    return found


_COLUMNS = ("name", "description", "apply_to_commission", "percent", "amount", "pay_type", "free_trial_days",
            "hide_price", "subscription_plan_id", "product_id")


def _checked(s: AppSession, kind: str, values: dict) -> dict:
    """A special's column values, checked: a name, an amount (0 to 100 for a percentage), Gross or Net, at least
    0 trial days, an existing product or plan."""
    unknown = set(values) - set(_COLUMNS)
    if unknown:
        raise InvalidParameter(f"Not a discount setting: {', '.join(sorted(unknown))}")
    if "name" in values and not str(values["name"] or "").strip():
        raise InvalidParameter("A discount needs a name")
    if "amount" in values:
        _amount(values["amount"], values.get("percent", 0))
    if values.get("pay_type") not in (None, "Gross", "Net"):
        raise InvalidParameter("payType must be Gross or Net")
    if values.get("free_trial_days") is not None and values["free_trial_days"] < 0:
        raise InvalidParameter("The free trial days must be 0 or more")
    if "product_id" in values and kind == PRODUCT:
        products.require(s, values["product_id"] or 0)
    if "subscription_plan_id" in values and kind == FREE_TRIAL:
        products.plan(s, values["subscription_plan_id"] or 0)
    return values


def create(s: AppSession, kind: str, values: dict, criteria: list[tuple[str, dict]] = (),
           category_ids: list[int] = ()) -> int:
    """A special of ``kind`` (REST v2): its columns, criteria (``(type, values)``) and, for a category discount,
    its categories, as one ``discount.added``."""
    values = _checked(s, kind, values)
    discount_id = _add(s, kind, values.pop("name"), values.pop("description", "") or "", **values)
    for criterion_kind, criterion in criteria:
        discount_criteria.add(s, discount_id, criterion_kind, criterion)
    set_categories(s, discount_id, category_ids)
    return discount_id


def change(s: AppSession, discount_id: int, kind: str, values: dict) -> None:
    row = require(s, discount_id, kind)
    values = _checked(s, kind, {"percent": row.percent, **values} if "amount" in values else values)
    if values:
        s.update(_d, _d.c.id == discount_id, **{k: ("" if k == "description" and v is None else v)
                                                  for k, v in values.items()})
    s.emit("discount.updated", "discount", discount_id, kind=kind, fields=sorted(values))


def delete(s: AppSession, discount_id: int, kind: str) -> None:
    require(s, discount_id, kind)
    discount_criteria.delete_of(s, discount_id)
    s.delete(_dcat, _dcat.c.discount_id == discount_id)
    s.delete(_d, _d.c.id == discount_id)
    s.emit("discount.deleted", "discount", discount_id, kind=kind)


def set_categories(s: AppSession, discount_id: int, category_ids) -> None:
    """A category discount's categories, replaced whole."""
    wanted = list(dict.fromkeys(category_ids))
    for category_id in wanted:
        if s.get(schema.product_category, category_id, schema.product_category.c.id) is None:
            raise not_found("ProductCategory", category_id)
    s.delete(_dcat, _dcat.c.discount_id == discount_id)
    if wanted:
        first = s.next_id("discount_category", len(wanted))
        s.insert(_dcat, [dict(id=first + i, discount_id=discount_id, product_category_id=c)
                         for i, c in enumerate(wanted)])


def add_criterion(s: AppSession, discount_id: int, kind: str, criterion_kind: str, values: dict) -> int:
    require(s, discount_id, kind)
    criterion_id = discount_criteria.add(s, discount_id, criterion_kind, values)
    s.emit("discount.updated", "discount", discount_id, kind=kind, fields=["criteria"])
    return criterion_id


def delete_criterion(s: AppSession, discount_id: int, kind: str, criterion_id: int) -> bool:
    """Take a criterion off a special; False when the special has no such criterion."""
    found = find(s, discount_id, kind)
    if found is None or all(c.id != criterion_id for c in found.criteria):
        return False
    discount_criteria.delete(s, criterion_id)
    s.emit("discount.updated", "discount", discount_id, kind=kind, fields=["criteria"])
    return True


def replace_criteria(s: AppSession, discount_id: int, kind: str, given: list[tuple[int | None, str | None, dict]]) \
        -> None:
    """A special's criteria replaced whole by ``given`` (``(criterion id or None, type or None, values)``): a
    listed id is that criterion changed (its type kept unless given), no id a new one; the rest are removed."""
    found = find(s, discount_id, kind)
    if found is None:
        raise not_found(_KIND_NAMES[kind], discount_id)
    current = {c.id: c for c in found.criteria}
    keep = set()
    for criterion_id, criterion_kind, values in given:
        if criterion_id is None:
            discount_criteria.add(s, discount_id, criterion_kind, values)
            continue
        if criterion_id not in current:
            raise InvalidParameter(f"The discount has no criterion {criterion_id}")
        keep.add(criterion_id)
        discount_criteria.change(s, current[criterion_id], criterion_kind or current[criterion_id].type, values)
    for criterion_id in set(current) - keep:
        discount_criteria.delete(s, criterion_id)
