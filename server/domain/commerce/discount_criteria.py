"""When a special applies: its criteria (REST v2's discount criteria), every one of which an order must meet.

- ``PROMO_CODE``: the order carries the code (``placeOrder``'s ``promoCodes``, REST's ``promo_codes``; case is
  ignored).
- ``DATE_RANGE``: the order is placed from ``range_start`` to ``range_end`` (either may be open), in the app's
  clock.
- ``PRODUCT``: the order has the product, in a quantity from ``quantity_min`` to ``quantity_max`` (either may be
  open).
- ``SUBSCRIPTION_PLAN``: the order starts the plan, at least ``quantity`` times (1 by default).
- ``ORDER_TOTAL``: the order's products and subscriptions come to more (``GREATER_THAN``) or less
  (``LESS_THAN``) than ``total_amount``.

A special without criteria applies to every order that fits it (DiscountService's specials take none).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.session import AppSession

from . import invoices, products

DATE_RANGE, PROMO_CODE, PRODUCT, PLAN, ORDER_TOTAL = "DATE_RANGE", "PROMO_CODE", "PRODUCT", "SUBSCRIPTION_PLAN", \
    "ORDER_TOTAL"
TYPES = (DATE_RANGE, PROMO_CODE, PRODUCT, PLAN, ORDER_TOTAL)
OPERATORS = ("LESS_THAN", "GREATER_THAN")
VALUES = ("code", "range_start", "range_end", "product_id", "quantity_min", "quantity_max", "plan_id", "quantity",
          "total_amount", "operator")


class Criterion(NamedTuple):
    id: int
    discount_id: int
    type: str
    code: str | None
    range_start: datetime | None  # the app's local wall time
    range_end: datetime | None
    product_id: int | None
    quantity_min: int | None
    quantity_max: int | None
    plan_id: int | None
    quantity: int | None
    total_amount: float | None
    operator: str | None


_dc = schema.discount_criterion


def _record(r) -> Criterion:
    return Criterion(r.id, r.discount_id, r.type, *(getattr(r, v) for v in VALUES))


def of_discounts(s: AppSession, discount_ids) -> dict[int, list[Criterion]]:
    ids = list(discount_ids)
    out: dict[int, list[Criterion]] = {}
    if ids:
        for r in s.execute(s.select(_dc).where(_dc.c.discount_id.in_(ids)).order_by(_dc.c.id)):
            out.setdefault(r.discount_id, []).append(_record(r))
    return out


def check(s: AppSession, kind: str, values: dict) -> dict:
    """A criterion's values, checked for its type; what the type does not use is dropped."""
    if kind not in TYPES:
        raise InvalidParameter(f"Invalid criteria type: {kind} ({', '.join(TYPES)})")
    out = dict.fromkeys(VALUES)
    if kind == PROMO_CODE:
        code = str(values.get("code") or "").strip()
        if not code:
            raise InvalidParameter("A PROMO_CODE criterion needs a code")
        out["code"] = code
    elif kind == DATE_RANGE:
        start, end = values.get("range_start"), values.get("range_end")
        if start is None and end is None:
            raise InvalidParameter("A DATE_RANGE criterion needs a start or an end")
        if start is not None and end is not None and end < start:
            raise InvalidParameter("A DATE_RANGE criterion ends before it starts")
        out.update(range_start=start, range_end=end)
    elif kind == PRODUCT:
        products.require(s, values.get("product_id") or 0)
        low, high = values.get("quantity_min"), values.get("quantity_max")
        if (low is not None and low < 0) or (high is not None and high < 0) or \
                (low is not None and high is not None and high < low):
            raise InvalidParameter(f"Invalid product quantities: {low} to {high}")
        out.update(product_id=values["product_id"], quantity_min=low, quantity_max=high)
    elif kind == PLAN:
        products.plan(s, values.get("plan_id") or 0)
        quantity = values.get("quantity")
        if quantity is not None and quantity < 1:
            raise InvalidParameter(f"Invalid subscription quantity: {quantity} (at least 1)")
        out.update(plan_id=values["plan_id"], quantity=quantity)
    else:
        amount, operator = values.get("total_amount"), values.get("operator")
        if amount is None or amount < 0:
            raise InvalidParameter("An ORDER_TOTAL criterion needs a total amount of 0 or more")
        if operator not in OPERATORS:
            raise InvalidParameter("An ORDER_TOTAL criterion needs an operator (LESS_THAN or GREATER_THAN)")
        out.update(total_amount=float(amount), operator=operator)
    return out


def add(s: AppSession, discount_id: int, kind: str, values: dict) -> int:
    criterion_id = s.next_id("discount_criterion")
    s.insert(_dc, dict(id=criterion_id, discount_id=discount_id, type=kind, **check(s, kind, values)))
    return criterion_id


def change(s: AppSession, criterion: Criterion, kind: str, values: dict) -> None:
    s.update(_dc, _dc.c.id == criterion.id, type=kind, **check(s, kind, values))


def delete(s: AppSession, criterion_id: int) -> None:
    s.delete(_dc, _dc.c.id == criterion_id)


def delete_of(s: AppSession, discount_id: int) -> None:
    s.delete(_dc, _dc.c.discount_id == discount_id)


# --- matching an order ----------------------------------------------------------------------------------

@dataclass
class Order:
    """What criteria look at in an order: its promo codes, when, the quantity of each product and plan, and
    the total of its products and subscriptions."""

    codes: frozenset[str]
    now: datetime
    product_quantities: dict[int, int] = field(default_factory=dict)
    plan_quantities: dict[int, int] = field(default_factory=dict)
    total: float = 0.0


def order_of(s: AppSession, invoice) -> Order:
    codes = frozenset(c.strip().lower() for c in (invoice.promo_code or "").split(",") if c.strip())
    order = Order(codes, s.now_local())
    for r in invoices.lines(s, invoice.id):
        if r.item_type in (invoices.PRODUCT, invoices.UPSELL) and r.product_id:
            order.product_quantities[r.product_id] = order.product_quantities.get(r.product_id, 0) + (r.qty or 0)
        if r.subscription_plan_id and r.item_type in (invoices.SUBSCRIPTION, invoices.FREE_TRIAL):
            order.plan_quantities[r.subscription_plan_id] = order.plan_quantities.get(r.subscription_plan_id, 0) \
                + (r.qty or 1)
        if r.item_type in (invoices.PRODUCT, invoices.UPSELL, invoices.SUBSCRIPTION):
            order.total += r.invoice_amt or 0.0
    return order


def met(c: Criterion, order: Order) -> bool:
    if c.type == PROMO_CODE:
        return (c.code or "").strip().lower() in order.codes
    if c.type == DATE_RANGE:
        return (c.range_start is None or order.now >= c.range_start) and \
            (c.range_end is None or order.now <= c.range_end)
    if c.type == PRODUCT:
        qty = order.product_quantities.get(c.product_id, 0)
        return qty > 0 and (c.quantity_min is None or qty >= c.quantity_min) and \
            (c.quantity_max is None or qty <= c.quantity_max)
    if c.type == PLAN:
        return order.plan_quantities.get(c.plan_id, 0) >= (c.quantity or 1)
    if c.type == ORDER_TOTAL:
        return order.total > c.total_amount if c.operator == "GREATER_THAN" else order.total < c.total_amount
    return False
