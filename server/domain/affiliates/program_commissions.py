"""A commission program's rates: its default, and per product or subscription plan (REST v2's
``defaultCommissionPrograms``, ``productCommissionPrograms``, ``subscriptionCommissionPrograms``).

Each setting has a payout type (UPFRONT: earned when the sale is made; PAYMENT_RECEIVED: when it is paid)
and the rates of three levels: ``level_1`` (the affiliate that made the sale), ``level_2`` (its parent) and
``unused`` (the contract names it and says no more), each a sale percentage, a sale amount, a lead
percentage and a lead amount. A program has at most one default, and one setting per product or plan.
"""
from __future__ import annotations

from typing import NamedTuple

from server.store import schema
from server.store.session import AppSession

DEFAULT, PRODUCT, SUBSCRIPTION = "default", "product", "subscription"
LEVELS = ("level_1", "level_2", "unused")
RATES = ("sale_percent", "sale_amount", "lead_percent", "lead_amount")
PAYOUT_TYPES = ("UPFRONT", "PAYMENT_RECEIVED")

_pc = schema.affiliate_program_commission


class Setting(NamedTuple):
    kind: str  # default | product | subscription
    product_id: int | None
    plan_id: int | None
    payout_type: str
    rates: dict[str, dict[str, float]]  # level -> rate name -> value (only those set)
    name: str | None  # the product's or plan's name
    price: float | None  # the product's price or the plan's


def _named(s: AppSession, row) -> Setting:
    name = price = None
    if row.product_id:
        product = s.get(schema.product, row.product_id)
        if product is not None:
            name, price = product.product_name, product.product_price
    if row.plan_id:
        plan = s.get(schema.subscription_plan, row.plan_id)
        if plan is not None:
            price = plan.plan_price
            name = plan.program_name or name or f"Subscription plan {plan.id}"
    return Setting(row.kind, row.product_id, row.plan_id, row.payout_type, dict(row.rates or {}), name,
                   None if price is None else float(price))


def of_program(s: AppSession, program_id: int) -> list[Setting]:
    """The program's settings: the default first, then products and plans, in the order they were set."""
    rows = s.execute(s.select(_pc).where(_pc.c.program_id == program_id).order_by(_pc.c.id)).all()
    order = {DEFAULT: 0, PRODUCT: 1, SUBSCRIPTION: 2}
    return [_named(s, r) for r in sorted(rows, key=lambda r: order[r.kind])]


def _where(program_id: int, kind: str, product_id: int | None, plan_id: int | None) -> list:
    where = [_pc.c.program_id == program_id, _pc.c.kind == kind]
    if kind == PRODUCT:
        where.append(_pc.c.product_id == product_id)
    if kind == SUBSCRIPTION:
        where.append(_pc.c.plan_id == plan_id)
    return where


def find(s: AppSession, program_id: int, kind: str, *, product_id: int | None = None,
         plan_id: int | None = None) -> Setting | None:
    row = s.execute(s.select(_pc).where(*_where(program_id, kind, product_id, plan_id)).limit(1)).first()
    return None if row is None else _named(s, row)


def put(s: AppSession, program_id: int, kind: str, payout_type: str, rates: dict, *, product_id: int | None = None,
        plan_id: int | None = None) -> None:
    """Set (add or replace) one setting of the program."""
    values = dict(payout_type=payout_type, rates=rates)
    if not s.update(_pc, *_where(program_id, kind, product_id, plan_id), **values).rowcount:
        s.insert(_pc, dict(values, id=s.next_id("affiliate_program_commission"), program_id=program_id, kind=kind,
                           product_id=product_id, plan_id=plan_id))
    s.emit("affiliate_program.commission_set", "affiliate_program", program_id, kind=kind, product_id=product_id,
           plan_id=plan_id, payout_type=payout_type, rates=rates)


def remove(s: AppSession, program_id: int, kind: str, *, product_id: int | None = None,
           plan_id: int | None = None) -> bool:
    if not s.delete(_pc, *_where(program_id, kind, product_id, plan_id)).rowcount:
        return False
    s.emit("affiliate_program.commission_removed", "affiliate_program", program_id, kind=kind,
           product_id=product_id, plan_id=plan_id)
    return True


def remove_all(s: AppSession, program_id: int) -> None:
    s.delete(_pc, _pc.c.program_id == program_id)


def product_exists(s: AppSession, product_id: int) -> bool:
    return s.get(schema.product, product_id, schema.product.c.id) is not None


def plan_exists(s: AppSession, plan_id: int) -> bool:
    return s.get(schema.subscription_plan, plan_id, schema.subscription_plan.c.id) is not None


def rates_for(s: AppSession, affiliate_id: int, product_id: int | None,
              plan_id: int | None = None) -> dict[str, dict[str, float]] | None:
    """The rates a sale by the affiliate earns from its programs: a subscription renewal's plan commission in
    the first of its programs (by priority) that has one, else the product's, else the first default
    commission; None when its programs set none (the affiliate's own rates apply)."""
    p, m = schema.affiliate_program, schema.affiliate_program_member
    q = (s.select(_pc).join(p, s.scoped(p, p.c.id == _pc.c.program_id))
         .join(m, s.scoped(m, m.c.program_id == _pc.c.program_id))
         .where(m.c.affiliate_id == affiliate_id)
         .order_by(p.c.priority, p.c.id))
    rows = s.execute(q).all()
    chosen = (next((r for r in rows if r.kind == SUBSCRIPTION and plan_id is not None and r.plan_id == plan_id),
                   None)
              or next((r for r in rows if r.kind == PRODUCT and product_id is not None and r.product_id == product_id),
                      None)
              or next((r for r in rows if r.kind == DEFAULT), None))
    return None if chosen is None else dict(chosen.rates or {})


def plan_of_order(s: AppSession, order_id: int | None) -> int | None:
    """The subscription plan an order bills, when it is a subscription's renewal; else None."""
    if not order_id:
        return None
    job = s.get(schema.job, order_id, schema.job.c.job_recurring_id)
    if job is None or not job.job_recurring_id:
        return None
    sub = s.get(schema.recurring_order, job.job_recurring_id, schema.recurring_order.c.subscription_plan_id)
    return sub.subscription_plan_id if sub is not None and sub.subscription_plan_id else None
