"""Commissions: what affiliates earn from sales and lose when a sale is undone.

Commissions come from sales: a listener on ``invoice.paid`` (payload: spec common brief) credits the sale
affiliate with its SalePercent of the amount (or its flat SaleAmt) and the lead affiliate with its
LeadPercent; a sale with neither affiliate is credited to the contact's referring affiliate, the first or
the last one as the app's ``Affiliate/chooseaffiliate`` setting says. LeadAmt is a flat bounty paid when a
referral is made. Where the affiliate's commission programs set rates (program_commissions: a subscription
renewal's plan, else the product's, else a default), those apply instead of its own, and their level 2 rates
credit its parent affiliate too.
Clawbacks take back a deleted (or refunded) invoice's commissions. Payouts are seeded.
"""
from __future__ import annotations

from server.domain.data import records
from server.store import schema
from server.store.session import AppSession, Event
from server.tables import REGISTRY

from . import program_commissions
from .ledger import credit
from .programs import affiliate_row, is_active
from .referrals import referring_affiliate


def _product_names(s: AppSession, product_ids) -> str:
    """The products' names, read through the Product table when this sandbox serves it."""
    ids = [i for i in (product_ids or []) if isinstance(i, int)]
    if not ids or REGISTRY.get("Product") is None:
        return ""
    rows = records.query(s, "Product", 1000, 0, {"Id": ids}, ["Id", "ProductName"])
    names = {r["Id"]: r.get("ProductName", "") for r in rows}
    return ", ".join(names[i] for i in ids if names.get(i))


def on_invoice_paid(s: AppSession, payload: dict) -> list[int]:
    """Credit the commissions of a fully paid invoice; returns the ledger entries made."""
    if payload.get("bypass_commissions"):
        return []
    invoice_id = payload.get("invoice_id")
    amount = float(payload.get("amount") or 0.0)
    contact_id = payload.get("contact_id")
    sale_id = payload.get("sale_affiliate_id") or None
    lead_id = payload.get("lead_affiliate_id") or None
    if sale_id is None and lead_id is None:
        sale_id = lead_id = referring_affiliate(s, contact_id)
    if amount <= 0 or (sale_id is None and lead_id is None):
        return []
    if invoice_id is not None:
        led = schema.affiliate_ledger
        if s.execute(s.select(led, led.c.id).where(led.c.invoice_id == invoice_id, led.c.kind == "commission")
                     .limit(1)).first() is not None:
            return []  # already credited
    product_ids = payload.get("product_ids") or []
    product_name = _product_names(s, product_ids)
    product_id = product_ids[0] if len(product_ids) == 1 else None
    plan_id = program_commissions.plan_of_order(s, payload.get("order_id"))
    made = []
    plans = []
    if sale_id is not None:
        plans.append((sale_id, "sale"))
    if lead_id is not None:
        plans.append((lead_id, "lead"))
    for affiliate_id, commission_type in plans:
        aff = affiliate_row(s, affiliate_id)
        if aff is None or not is_active(aff):
            continue
        rates = program_commissions.rates_for(s, aff.id, product_id, plan_id)
        earned = _earned(amount, commission_type, rates.get("level_1", {}) if rates is not None else _own_rates(aff))
        if earned > 0:
            made.append(credit(s, aff, earned, commission_type, contact_id=contact_id, invoice_id=invoice_id,
                                product_id=product_id, product_name=product_name,
                                description=f"{commission_type.title()} commission on invoice {invoice_id}",
                                sale_affiliate_id=sale_id, when=_sale_date(s, invoice_id)))
        parent = affiliate_row(s, aff.parent_id) if rates and rates.get("level_2") and aff.parent_id else None
        second = _earned(amount, commission_type, rates["level_2"]) if parent is not None and is_active(parent) else 0
        if second > 0:
            made.append(credit(s, parent, second, commission_type, contact_id=contact_id, invoice_id=invoice_id,
                                product_id=product_id, product_name=product_name,
                                description=f"Level 2 {commission_type} commission on invoice {invoice_id}",
                                sale_affiliate_id=sale_id, when=_sale_date(s, invoice_id)))
    return made


def _own_rates(aff) -> dict[str, float]:
    """The affiliate's own rates (the Affiliate row), in a program commission's names. A lead's commission on a
    sale is LeadPercent only: LeadAmt is the bounty paid when the referral is made (referrals.py)."""
    return {"sale_percent": float(aff.sale_percent or 0), "sale_amount": float(aff.sale_amt or 0),
            "lead_percent": float(aff.lead_percent or 0)}


def _earned(amount: float, commission_type: str, rates: dict[str, float]) -> float:
    """A percentage of the sale where one is set, else the flat amount."""
    percent, flat = rates.get(f"{commission_type}_percent"), rates.get(f"{commission_type}_amount")
    return amount * float(percent) / 100.0 if percent else float(flat or 0)


def _sale_date(s: AppSession, invoice_id: int | None):
    """When the invoice was paid (its last payment): the commission is earned at the sale, not when it is
    credited (a seeded or back-dated payment keeps its date)."""
    if invoice_id is None or REGISTRY.get("InvoicePayment") is None:
        return None
    rows = records.query(s, "InvoicePayment", 1000, 0, {"InvoiceId": invoice_id}, ["PayDate"])
    dates = [r["PayDate"] for r in rows if r.get("PayDate")]
    return max(dates) if dates else None


def claw_back(s: AppSession, invoice_id: int, reason: str) -> list[int]:
    """Take back every commission of ``invoice_id`` (not yet clawed back)."""
    led = schema.affiliate_ledger
    rows = s.execute(s.select(led).where(led.c.invoice_id == invoice_id).order_by(led.c.id)).all()
    owed: dict[tuple, float] = {}
    for r in rows:
        k = (r.affiliate_id, r.commission_type)
        owed[k] = owed.get(k, 0.0) + (r.amount if r.kind == "commission" else -r.amount if r.kind == "clawback" else 0)
    made = []
    template = {(r.affiliate_id, r.commission_type): r for r in rows if r.kind == "commission"}
    for (affiliate_id, commission_type), amount in owed.items():
        if amount <= 0.004:
            continue
        src = template[(affiliate_id, commission_type)]
        entry_id = s.next_id("affiliate_ledger")
        s.insert(led, dict(id=entry_id, affiliate_id=affiliate_id, kind="clawback", amount=round(amount, 2),
                           date_earned=s.now_local(), contact_id=src.contact_id, invoice_id=invoice_id,
                           product_id=src.product_id, product_name=src.product_name, description=reason,
                           sale_affiliate_id=src.sale_affiliate_id, commission_type=commission_type))
        s.emit("commission.clawed_back", "affiliate", affiliate_id, contact_id=src.contact_id,
               invoice_id=invoice_id, amount=round(amount, 2))
        made.append(entry_id)
    return made


def on_paid(s: AppSession, event: Event) -> None:
    """On ``invoice.paid``: the commissions the sale earns."""
    on_invoice_paid(s, event.payload)


def on_undone(s: AppSession, event: Event) -> None:
    """On ``invoice.deleted`` and ``invoice.refunded``: the commissions it earned are clawed back."""
    invoice_id = event.payload.get("invoice_id", event.entity_id)
    if invoice_id is not None:
        claw_back(s, int(invoice_id), "Refunded" if event.type == "invoice.refunded" else "Invoice deleted")
