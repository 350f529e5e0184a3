"""Orders (the API's Job) and their invoices: line items, totals, tax, deletion.

One order has one invoice; a subscription renewal is an order too (``Job.JobRecurringId``). Every line is an
OrderItem and its InvoiceItem. The invoice's totals (InvoiceTotal, TotalPaid, TotalDue, PayStatus,
ProductSold) are recomputed from its lines and payments after every change, by ``refresh``; its payment plan
follows (server.domain.commerce.pay_plans).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from server.domain.data import custom_fields
from server.domain.data.values import coerce
from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_ORDER, FieldType

from . import billing, pay_plans
from .amounts import money
from .products import category_ids

# addOrderItem's type codes, as OrderItem.ItemType (spec §2.5), and their names there.
UNKNOWN, SHIPPING, TAX, SERVICE, PRODUCT, UPSELL, FINANCE_CHARGE, SPECIAL, PROGRAM, SUBSCRIPTION = range(10)
FREE_TRIAL, ORDER_TOTAL_SPECIAL, PRODUCT_SPECIAL, CATEGORY_SPECIAL, SHIPPING_SPECIAL = 10, 11, 12, 13, 14
ITEM_TYPES = {
    UNKNOWN: "Unknown", SHIPPING: "Shipping", TAX: "Tax", SERVICE: "Service & misc", PRODUCT: "Product",
    UPSELL: "Upsell product", FINANCE_CHARGE: "Finance charge", SPECIAL: "Special", PROGRAM: "Program",
    SUBSCRIPTION: "Subscription plan", FREE_TRIAL: "Special: free trial days",
    ORDER_TOTAL_SPECIAL: "Special: order total", PRODUCT_SPECIAL: "Special: product",
    CATEGORY_SPECIAL: "Special: category", SHIPPING_SPECIAL: "Special: shipping",
}

UNPAID, PAID = 0, 1  # Invoice.PayStatus

def local_date(s: AppSession, value, where: str) -> datetime:
    moment = coerce(value, FieldType.DATETIME, s.clock, where)
    if moment is None:
        raise InvalidParameter(f"Invalid value for {where}: a date is required")
    return moment


def require_contact(s: AppSession, contact_id: int):
    c = schema.contact
    row = s.execute(s.select(c, c.c.id, c.c.kind, c.c.first_name, c.c.last_name, c.c.state, c.c.email)
                    .where(c.c.id == contact_id)).first()
    if row is None or row.kind != "contact":
        raise not_found("Contact", contact_id)
    return row


def require_invoice(s: AppSession, invoice_id: int):
    row = s.get(schema.invoice, invoice_id)
    if row is None:
        raise not_found("Invoice", invoice_id)
    return row


# --- orders and their invoices --------------------------------------------------------------------------

def create_order(s: AppSession, contact_id: int, title: str, order_date: datetime | None = None, *,
                 lead_affiliate_id: int = 0, sale_affiliate_id: int = 0, order_type: str = "Offline",
                 recurring_id: int | None = None, promo_codes=(), notes: str | None = None,
                 job_values: dict | None = None) -> tuple[int, int]:
    """A new order (Job) and its empty, unpaid invoice; returns ``(order id, invoice id)``."""
    require_contact(s, contact_id)
    now = s.now_local()
    date = order_date or now
    job_id, invoice_id = s.next_id("job"), s.next_id("invoice")
    job = dict(job_values or {})
    job.update(id=job_id, contact_id=contact_id, date_created=date, job_recurring_id=recurring_id, last_updated=now)
    job.setdefault("job_title", title)
    job.setdefault("start_date", date)
    job.setdefault("due_date", date)
    job.setdefault("order_type", order_type)
    job.setdefault("order_status", 0)
    if notes is not None:
        job.setdefault("job_notes", notes)
    s.insert(schema.job, job)
    s.insert(schema.invoice, dict(
        id=invoice_id, contact_id=contact_id, job_id=job_id, date_created=date, invoice_total=0.0,
        total_paid=0.0, total_due=0.0, pay_status=UNPAID, credit_status=0, refund_status=0, pay_plan_status=0,
        affiliate_id=sale_affiliate_id or 0, lead_affiliate_id=lead_affiliate_id or 0,
        promo_code=",".join(promo_codes) or None, invoice_type=order_type, description=job["job_title"],
        product_sold="", synced=0, last_updated=now))
    pay_plans.create_default(s, invoice_id, date)
    s.emit("order.added", "job", job_id, contact_id=contact_id, invoice_id=invoice_id,
           subscription_id=recurring_id)
    s.emit("invoice.added", "invoice", invoice_id, contact_id=contact_id, order_id=job_id)
    return job_id, invoice_id


def add_item(s: AppSession, invoice, *, product_id: int, item_type: int, price: float, qty: int,
             description: str, notes: str = "", name: str | None = None, subscription_plan_id: int | None = None,
             cost: float | None = None) -> int:
    """One line on ``invoice`` (a row): its OrderItem and InvoiceItem; returns the InvoiceItem id."""
    now = s.now_local()
    order_item_id, invoice_item_id = s.next_id("order_item"), s.next_id("invoice_item")
    s.insert(schema.order_item, dict(
        id=order_item_id, order_id=invoice.job_id, product_id=product_id, subscription_plan_id=subscription_plan_id,
        item_name=name or description, qty=qty, cpu=cost, ppu=money(price), item_description=description,
        item_type=item_type, notes=notes))
    s.insert(schema.invoice_item, dict(
        id=invoice_item_id, invoice_id=invoice.id, order_item_id=order_item_id, invoice_amt=money(price * qty),
        discount=0.0, date_created=now, description=description, commission_status=0, last_updated=now))
    return invoice_item_id


def lines(s: AppSession, invoice_id: int) -> list:
    """The invoice's lines: its InvoiceItems with their OrderItem's product, plan, type and quantity."""
    ii, oi = schema.invoice_item, schema.order_item
    q = (sa.select(ii.c.id, ii.c.invoice_amt, ii.c.description, oi.c.id.label("order_item_id"), oi.c.product_id,
                   oi.c.subscription_plan_id, oi.c.item_type, oi.c.qty, oi.c.ppu, oi.c.item_name)
         .select_from(ii.join(oi, sa.and_(oi.c.app_id == ii.c.app_id, oi.c.id == ii.c.order_item_id)))
         .where(ii.c.app_id == s.app.id, ii.c.invoice_id == invoice_id).order_by(ii.c.id))
    return s.execute(q).all()


def product_ids_of(rows) -> list[int]:
    out: list[int] = []
    for r in rows:
        if r.product_id and r.product_id not in out:
            out.append(r.product_id)
    return out


def refresh(s: AppSession, invoice_id: int) -> tuple[bool, bool]:
    """Recompute the invoice's totals and status from its lines and payments; returns
    ``(was paid, is paid)`` so that the caller can tell the moment it became paid."""
    inv = s.get(schema.invoice, invoice_id)
    rows = lines(s, invoice_id)
    total = money(sum(r.invoice_amt or 0 for r in rows))
    ip = schema.invoice_payment
    paid = money(s.execute(s.select(ip, sa.func.coalesce(sa.func.sum(ip.c.amt), 0.0))
                           .where(ip.c.invoice_id == invoice_id)).scalar_one())
    due = max(money(total - paid), 0.0)
    was_paid = inv.pay_status == PAID
    # A free order (total 0) stays paid once it was marked so; otherwise paid means money covers the total.
    is_paid = due <= 0 and (paid > 0 or (total <= 0 and was_paid))
    products = product_ids_of(rows)
    s.update(schema.invoice, schema.invoice.c.id == invoice_id, invoice_total=total, total_paid=paid,
             total_due=due, pay_status=PAID if is_paid else UNPAID,
             product_sold=",".join(map(str, products)), last_updated=s.now_local())
    if products:
        s.update(schema.job, schema.job.c.id == inv.job_id, schema.job.c.product_id.is_(None),
                 product_id=products[0], last_updated=s.now_local())
    pay_plans.sync(s, invoice_id, total, paid)
    return was_paid, is_paid


def mark_free_order_paid(s: AppSession, invoice_id: int) -> bool:
    """An order whose total is 0 (free products, free trials) is paid as placed; True if it became so."""
    inv = s.get(schema.invoice, invoice_id)
    if inv.pay_status == PAID or inv.invoice_total > 0:
        return False
    s.update(schema.invoice, schema.invoice.c.id == invoice_id, pay_status=PAID)
    return True


def amount_owed(s: AppSession, invoice_id: int) -> float:
    return float(require_invoice(s, invoice_id).total_due or 0.0)


def purchase(s: AppSession, invoice) -> dict:
    """What a purchase event says about ``invoice``: its products, their categories, its total."""
    products = product_ids_of(lines(s, invoice.id))
    return {"product_ids": products, "category_ids": category_ids(s, products),
            "amount": float(invoice.invoice_total or 0.0)}


# --- tax ------------------------------------------------------------------------------------------------

def add_tax_rate(s: AppSession, name: str, rate: float, state: str | None = None) -> int:
    rate_id = s.next_id("tax_rate")
    s.insert(schema.tax_rate, dict(id=rate_id, name=name, rate=float(rate), state=state))
    return rate_id


def tax_rates_for(s: AppSession, contact) -> list:
    t = schema.tax_rate
    state = (contact.state or "").strip().upper()
    rows = s.execute(s.select(t).order_by(t.c.id)).all()
    return [r for r in rows if r.state is None or r.state.strip().upper() == state]


def recalculate_tax(s: AppSession, invoice_id: int) -> bool:
    """Replace the invoice's tax lines: each tax rate of the contact's state on its taxable lines."""
    inv = require_invoice(s, invoice_id)
    delete_lines(s, [r for r in lines(s, invoice_id) if r.item_type == TAX])
    rows = lines(s, invoice_id)
    taxable = _taxable_products(s, rows)
    base = money(sum(r.invoice_amt for r in rows if r.item_type in (PRODUCT, UPSELL, SUBSCRIPTION)
                     and r.product_id in taxable))
    if base > 0:
        for rate in tax_rates_for(s, require_contact(s, inv.contact_id)):
            amount = money(base * rate.rate / 100)
            if amount > 0:
                add_item(s, inv, product_id=0, item_type=TAX, price=amount, qty=1,
                         description=f"{rate.name} ({rate.rate:g}%)")
    refresh(s, invoice_id)
    s.emit("invoice.updated", "invoice", invoice_id, contact_id=inv.contact_id, order_id=inv.job_id,
           change="tax")
    return True


def _taxable_products(s: AppSession, rows) -> set[int]:
    ids = {r.product_id for r in rows if r.product_id}
    if not ids:
        return set()
    p = schema.product
    return {r.id for r in s.execute(s.select(p, p.c.id).where(p.c.id.in_(ids), p.c.taxable == 1))}


def delete_lines(s: AppSession, rows) -> None:
    if rows:
        s.delete(schema.invoice_item, schema.invoice_item.c.id.in_([r.id for r in rows]))
        s.delete(schema.order_item, schema.order_item.c.id.in_([r.order_item_id for r in rows]))


# --- deleting -------------------------------------------------------------------------------------------

def delete_invoice(s: AppSession, invoice_id: int) -> bool:
    """Delete the invoice with its lines, payments, payment plan and its order (nothing is refunded: the
    API cannot refund)."""
    inv = require_invoice(s, invoice_id)
    ip, p, cc = schema.invoice_payment, schema.payment, schema.ccharge
    payments = s.execute(s.select(p, p.c.id, p.c.charge_id).where(p.c.invoice_id == invoice_id)).all()
    charge_ids = [r.charge_id for r in payments if r.charge_id]
    if charge_ids:
        s.delete(cc, cc.c.id.in_(charge_ids))
    s.delete(ip, ip.c.invoice_id == invoice_id)
    s.delete(p, p.c.invoice_id == invoice_id)
    rows = lines(s, invoice_id)
    jri = schema.job_recurring_instance
    if rows:
        s.delete(jri, jri.c.invoice_item_id.in_([r.id for r in rows]))
    delete_lines(s, rows)
    item_ids = pay_plans.delete_for_invoice(s, invoice_id)
    billing.cancel(s, "instalment", item_ids)
    billing.cancel(s, "retry", [invoice_id])
    co = schema.commission_override
    s.delete(co, co.c.invoice_id == invoice_id)
    s.delete(schema.invoice, schema.invoice.c.id == invoice_id)
    for r in payments:
        s.emit("payment.deleted", "payment", r.id, contact_id=inv.contact_id, invoice_id=invoice_id,
               order_id=inv.job_id)
    s.emit("invoice.deleted", "invoice", invoice_id, contact_id=inv.contact_id, order_id=inv.job_id)
    others = s.execute(s.select(schema.invoice, schema.invoice.c.id)
                       .where(schema.invoice.c.job_id == inv.job_id)).first()
    if others is None and s.get(schema.job, inv.job_id, schema.job.c.id) is not None:
        oi = schema.order_item
        s.delete(oi, oi.c.order_id == inv.job_id)
        custom_fields.delete_values(s, inv.job_id, FORM_ORDER)
        s.delete(schema.job, schema.job.c.id == inv.job_id)
        s.emit("order.deleted", "job", inv.job_id, contact_id=inv.contact_id, invoice_id=invoice_id)
    return True
