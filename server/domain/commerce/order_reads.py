"""Orders as the REST protocols read them: an order (Job) with its invoice's totals, its contact, its lines,
its payment plan and its payments, listed under conditions a page at a time (REST v2's keyset pages,
REST v1's offset windows). One read model for both, so v1 and v2 show the same order the same way.

Every order has one invoice (server.domain.commerce.invoices.create_order makes both); the list joins the
order to it, so an order's ``paid``, totals and modification time are its invoice's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import custom_fields, listing
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_ORDER

from . import invoices, pay_plans

_j, _inv = schema.job, schema.invoice
_oi, _ii = schema.order_item, schema.invoice_item
_ip, _p = schema.invoice_payment, schema.payment


class ContactBrief(NamedTuple):
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    company: str | None
    job_title: str | None


class ProductBrief(NamedTuple):
    id: int
    name: str | None
    sku: str | None
    description: str | None
    shippable: bool
    taxable: bool
    price: float


class ItemRecord(NamedTuple):
    """One line of an order: its OrderItem (``id``) and InvoiceItem (``amount``, ``discount``)."""

    id: int
    order_id: int
    invoice_id: int
    name: str | None
    description: str | None
    notes: str | None
    item_type: int
    quantity: int
    price: float
    cost: float | None
    discount: float
    amount: float
    product: ProductBrief | None
    subscription_plan_id: int | None
    subscription_id: int | None  # the subscription that billed this line (renewals)


class Instalment(NamedTuple):
    due: datetime
    amount_due: float
    amount_paid: float
    paid: bool


class PaymentPlanRecord(NamedTuple):
    custom: bool  # made by addPaymentPlan / a REST payment plan, not the default single instalment
    auto_charge: bool
    credit_card_id: int
    merchant_account_id: int
    days_between_retry: int
    max_retry: int
    initial_amount: float
    initial_date: datetime | None
    start_date: datetime | None
    number_of_payments: int
    days_between: int
    instalments: list[Instalment]


class Shipping(NamedTuple):
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    company: str | None
    phone: str | None
    line1: str | None
    line2: str | None
    locality: str | None
    region: str | None
    zip_code: str | None
    country: str | None


@dataclass
class OrderRecord:
    id: int
    title: str | None
    contact_id: int
    contact: ContactBrief | None
    order_type: str | None  # "Online" / "Offline"
    order_time: datetime | None
    created: datetime | None
    modified: datetime | None
    due_time: datetime | None
    notes: str | None
    product_id: int | None
    subscription_id: int | None
    invoice_id: int | None
    total: float
    total_paid: float
    total_due: float
    paid: bool
    lead_affiliate_id: int
    sale_affiliate_id: int
    promo_code: str | None
    synced: bool
    shipping: Shipping
    items: list[ItemRecord]
    payment_plan: PaymentPlanRecord | None


class InvoicePaymentRecord(NamedTuple):
    id: int
    invoice_id: int
    payment_id: int | None
    amount: float
    pay_time: datetime | None
    pay_status: str | None
    note: str | None
    last_updated: datetime | None
    skip_commission: bool
    pay_type: str | None
    charged: bool  # taken by a card charge through a merchant account (not recorded by hand)


# --- the order list's fields ----------------------------------------------------------------------------

_ORDER_TIME = sa.func.coalesce(_j.c.start_date, _j.c.date_created)
_PAID = sa.case((_inv.c.pay_status == invoices.PAID, sa.true()), else_=sa.false())
ORDER_FIELDS = listing.Fields({
    "id": _j.c.id, "contact_id": _j.c.contact_id, "invoice_id": _inv.c.id, "paid": _PAID,
    "title": _j.c.job_title, "order_type": _j.c.order_type, "order_time": _ORDER_TIME,
    "create_time": _j.c.date_created, "modification_time": _inv.c.last_updated,
    "shipping_locality": _j.c.ship_city, "shipping_region": _j.c.ship_state, "shipping_postal_code": _j.c.ship_zip,
    "shipping_country": _j.c.ship_country,
}, text=frozenset({"title", "order_type", "shipping_locality", "shipping_region", "shipping_postal_code",
                   "shipping_country"}))
# ``product_id``: orders with a line of that product (not a column of the joined rows, so said apart)
PRODUCT = "product_id"


def _order_select(s: AppSession, where: tuple[listing.Condition, ...]) -> tuple[sa.Select, tuple]:
    """The orders joined to their invoice, with ``product_id`` conditions applied; the other conditions."""
    q = (s.select(_j, _j, _inv.c.id.label("inv_id"))
         .join(_inv, sa.and_(_inv.c.app_id == _j.c.app_id, _inv.c.job_id == _j.c.id), isouter=True))
    rest = []
    for c in where:
        if c.field == PRODUCT:
            q = q.where(_j.c.id.in_(sa.select(_oi.c.order_id).where(_oi.c.app_id == s.app.id,
                                                                    _oi.c.product_id == c.value)))
        else:
            rest.append(c)
    return q, tuple(rest)


def page_orders(s: AppSession, q: listing.ListQuery) -> listing.Page[OrderRecord]:
    select, where = _order_select(s, q.where)
    fields = custom_fields.filterable(s, ORDER_FIELDS, FORM_ORDER, _j, where)
    page = listing.page(s, select, fields, listing.ListQuery(where, q.order, q.descending, q.after, q.limit),
                        lambda r: r)
    page.items = orders_of(s, page.items)
    return page


def window_orders(s: AppSession, where: tuple[listing.Condition, ...], order: str, limit: int,
                  offset: int) -> tuple[list[OrderRecord], int]:
    """REST v1's window: ``limit`` orders from ``offset`` in ``order`` (then id), and how many there are."""
    select, where = _order_select(s, where)
    conditions = [listing.condition(ORDER_FIELDS, c) for c in where]
    total = listing.count(s, select, ORDER_FIELDS, where)
    ordering = [ORDER_FIELDS.column(order), _j.c.id] if order != "id" else [_j.c.id]
    rows = s.execute(select.where(*conditions).order_by(*ordering).limit(limit).offset(offset)).all()
    return orders_of(s, rows), total


def get_order(s: AppSession, order_id: int) -> OrderRecord | None:
    row = s.get(_j, order_id)
    return None if row is None else orders_of(s, [row])[0]


def orders_by_id(s: AppSession, order_ids) -> dict[int, OrderRecord]:
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    return {o.id: o for o in orders_of(s, s.execute(s.select(_j).where(_j.c.id.in_(ids))).all())}


# --- assembling records ---------------------------------------------------------------------------------

def orders_of(s: AppSession, jobs) -> list[OrderRecord]:
    """Records for Job rows, their invoices, contacts, lines and plans read in a few statements."""
    jobs = list(jobs)
    by_job = _invoices(s, [j.id for j in jobs])
    items = _items(s, [i.id for i in by_job.values()])
    plans = payment_plans(s, [i.id for i in by_job.values()])
    contacts = contacts_by_id(s, [j.contact_id for j in jobs])
    out = []
    for j in jobs:
        inv = by_job.get(j.id)
        out.append(OrderRecord(
            id=j.id, title=j.job_title, contact_id=j.contact_id, contact=contacts.get(j.contact_id),
            order_type=j.order_type, order_time=j.start_date or j.date_created, created=j.date_created,
            modified=inv.last_updated if inv is not None else j.date_created, due_time=j.due_date,
            notes=j.job_notes, product_id=j.product_id, subscription_id=j.job_recurring_id,
            invoice_id=inv.id if inv is not None else None,
            total=float(inv.invoice_total or 0.0) if inv is not None else 0.0,
            total_paid=float(inv.total_paid or 0.0) if inv is not None else 0.0,
            total_due=float(inv.total_due or 0.0) if inv is not None else 0.0,
            paid=inv is not None and inv.pay_status == invoices.PAID,
            lead_affiliate_id=int(inv.lead_affiliate_id or 0) if inv is not None else 0,
            sale_affiliate_id=int(inv.affiliate_id or 0) if inv is not None else 0,
            promo_code=inv.promo_code if inv is not None else None,
            synced=bool(inv.synced) if inv is not None else False,
            shipping=Shipping(j.ship_first_name, j.ship_middle_name, j.ship_last_name, j.ship_company, j.ship_phone,
                              j.ship_street1, j.ship_street2, j.ship_city, j.ship_state, j.ship_zip, j.ship_country),
            items=items.get(inv.id, []) if inv is not None else [],
            payment_plan=plans.get(inv.id) if inv is not None else None))
    return out


def _invoices(s: AppSession, job_ids: list[int]) -> dict[int, object]:
    """The (first) invoice of each order."""
    out: dict[int, object] = {}
    if job_ids:
        for row in s.execute(s.select(_inv).where(_inv.c.job_id.in_(job_ids)).order_by(_inv.c.id)):
            out.setdefault(row.job_id, row)
    return out


def _items(s: AppSession, invoice_ids: list[int]) -> dict[int, list[ItemRecord]]:
    if not invoice_ids:
        return {}
    jri = schema.job_recurring_instance
    q = (sa.select(_ii.c.id.label("invoice_item_id"), _ii.c.invoice_id, _ii.c.invoice_amt, _ii.c.discount, _oi,
                   jri.c.recurring_id)
         .select_from(_ii.join(_oi, sa.and_(_oi.c.app_id == _ii.c.app_id, _oi.c.id == _ii.c.order_item_id))
                      .join(jri, sa.and_(jri.c.app_id == _ii.c.app_id, jri.c.invoice_item_id == _ii.c.id),
                            isouter=True))
         .where(_ii.c.app_id == s.app.id, _ii.c.invoice_id.in_(invoice_ids)).order_by(_ii.c.id))
    rows = s.execute(q).all()
    products = products_by_id(s, [r.product_id for r in rows])
    out: dict[int, list[ItemRecord]] = {}
    for r in rows:
        out.setdefault(r.invoice_id, []).append(ItemRecord(
            r.id, r.order_id, r.invoice_id, r.item_name, r.item_description, r.notes, r.item_type or 0, r.qty or 0,
            float(r.ppu or 0.0), float(r.cpu) if r.cpu is not None else None, float(r.discount or 0.0),
            float(r.invoice_amt or 0.0), products.get(r.product_id), r.subscription_plan_id or None,
            r.recurring_id))
    return out


def item_of(s: AppSession, order_id: int, item_id: int) -> ItemRecord | None:
    """The line ``item_id`` (an OrderItem id) of order ``order_id``, or None."""
    inv = _invoices(s, [order_id]).get(order_id)
    if inv is None:
        return None
    return next((i for i in _items(s, [inv.id]).get(inv.id, []) if i.id == item_id), None)


def products_by_id(s: AppSession, ids) -> dict[int, ProductBrief]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    p = schema.product
    return {r.id: ProductBrief(r.id, r.product_name, r.sku, r.short_description, bool(r.shippable), bool(r.taxable),
                              float(r.product_price or 0.0))
            for r in s.execute(s.select(p).where(p.c.id.in_(ids)))}


def contacts_by_id(s: AppSession, ids) -> dict[int, ContactBrief]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    c = schema.contact
    q = s.select(c, c.c.id, c.c.email, c.c.first_name, c.c.last_name, c.c.company, c.c.job_title).where(
        c.c.id.in_(ids))
    return {r.id: ContactBrief(r.id, r.email, r.first_name, r.last_name, r.company, r.job_title)
            for r in s.execute(q)}


def payment_plan(s: AppSession, invoice_id: int) -> PaymentPlanRecord | None:
    return payment_plans(s, [invoice_id]).get(invoice_id)


def payment_plans(s: AppSession, invoice_ids) -> dict[int, PaymentPlanRecord]:
    """Each invoice's (latest) payment plan and its instalments, in two statements."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    pp, it = schema.pay_plan, schema.pay_plan_item
    plans: dict[int, object] = {}
    for row in s.execute(s.select(pp).where(pp.c.invoice_id.in_(ids)).order_by(pp.c.id.desc())):
        plans.setdefault(row.invoice_id, row)
    items: dict[int, list] = {}
    plan_ids = [p.id for p in plans.values()]
    if plan_ids:
        for row in s.execute(s.select(it).where(it.c.pay_plan_id.in_(plan_ids)).order_by(it.c.date_due, it.c.id)):
            items.setdefault(row.pay_plan_id, []).append(row)
    return {invoice_id: _plan_record(plan, items.get(plan.id, [])) for invoice_id, plan in plans.items()}


def _plan_record(plan, items: list) -> PaymentPlanRecord:
    custom = plan.type == pay_plans.CUSTOM_PLAN
    initial = float(plan.first_pay_amt or 0.0) if custom else 0.0
    instalments = items[1:] if initial > 0 else items
    between = (instalments[1].date_due - instalments[0].date_due).days if len(instalments) > 1 else 0
    return PaymentPlanRecord(
        custom, bool(plan.auto_charge), plan.credit_card_id or 0, plan.merchant_account_id or 0,
        plan.days_between_retry or 0, plan.max_retry or 0, initial, plan.init_date, plan.start_date,
        len(instalments), between,
        [Instalment(i.date_due, float(i.amt_due or 0.0), float(i.amt_paid or 0.0), i.status == pay_plans.ITEM_PAID)
         for i in items])


# --- an order's payments (InvoicePayment rows) ----------------------------------------------------------

INVOICE_PAYMENT_FIELDS = listing.Fields({
    "id": _ip.c.id, "invoice_id": _ip.c.invoice_id, "payment_id": _ip.c.payment_id, "amount": _ip.c.amt,
    "pay_time": _ip.c.pay_date, "pay_status": _ip.c.pay_status, "skip_commission": _ip.c.skip_commission,
    "last_updated_time": _ip.c.last_updated,
    "commission_skipped": sa.case((_ip.c.skip_commission == 1, sa.true()), else_=sa.false()),  # a filter's flag
}, text=frozenset({"pay_status"}))


def _invoice_payment_select(s: AppSession, invoice_id: int) -> sa.Select:
    return (s.select(_ip, _ip, _p.c.pay_note, _p.c.pay_type, _p.c.charge_id)
            .join(_p, sa.and_(_p.c.app_id == _ip.c.app_id, _p.c.id == _ip.c.payment_id), isouter=True)
            .where(_ip.c.invoice_id == invoice_id))


def _invoice_payment(r) -> InvoicePaymentRecord:
    return InvoicePaymentRecord(r.id, r.invoice_id, r.payment_id, float(r.amt or 0.0), r.pay_date, r.pay_status,
                                r.pay_note, r.last_updated, bool(r.skip_commission), r.pay_type, bool(r.charge_id))


def invoice_payments(s: AppSession, invoice_id: int) -> list[InvoicePaymentRecord]:
    rows = s.execute(_invoice_payment_select(s, invoice_id).order_by(_ip.c.id)).all()
    return [_invoice_payment(r) for r in rows]


def page_invoice_payments(s: AppSession, invoice_id: int,
                          q: listing.ListQuery) -> listing.Page[InvoicePaymentRecord]:
    return listing.page(s, _invoice_payment_select(s, invoice_id), INVOICE_PAYMENT_FIELDS, q, _invoice_payment)


def invoice_payment_of(s: AppSession, invoice_id: int, payment_id: int) -> InvoicePaymentRecord | None:
    """The InvoicePayment of Payment ``payment_id`` on the invoice, or None."""
    row = s.execute(_invoice_payment_select(s, invoice_id).where(_ip.c.payment_id == payment_id).limit(1)).first()
    return None if row is None else _invoice_payment(row)


def last_payment_id(s: AppSession, invoice_id: int) -> int:
    """The newest Payment on the invoice (0 if none): what a write just recorded is after it."""
    return s.execute(s.select(_p, sa.func.max(_p.c.id)).where(_p.c.invoice_id == invoice_id)).scalar_one() or 0
