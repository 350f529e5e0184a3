"""Payments on invoices: manual payments, card charges through a merchant account, and what a payment
that settles an invoice sets off (the purchase event ``invoice.paid``). No refunds: the API cannot make
them (seed 003 FAQ: "It is currently not possible to issue a refund via the API").
"""
from __future__ import annotations

from datetime import datetime

from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession

from . import cards, invoices, merchant, pay_plans
from .amounts import money

CHARGE, MANUAL = "charge", "manual"  # invoice.paid's payment_type


def _record(s: AppSession, inv, amount: float, when: datetime, pay_type: str, note: str, *, kind: str,
            bypass_commissions: bool, charge_id: int = 0) -> int:
    payment_id = s.next_id("payment")
    s.insert(schema.payment, dict(
        id=payment_id, pay_date=when, user_id=s.user_id or 0, pay_amt=amount, pay_type=pay_type,
        contact_id=inv.contact_id, pay_note=note or "", invoice_id=inv.id, refund_id=0, charge_id=charge_id,
        synced=0))
    s.insert(schema.invoice_payment, dict(
        id=s.next_id("invoice_payment"), invoice_id=inv.id, amt=amount, pay_date=when, pay_status="Paid",
        payment_id=payment_id, skip_commission=1 if bypass_commissions else 0, last_updated=s.now_local()))
    s.emit("payment.added", "payment", payment_id, contact_id=inv.contact_id, invoice_id=inv.id,
           order_id=inv.job_id, amount=amount, pay_type=pay_type)
    was_paid, is_paid = invoices.refresh(s, inv.id)
    if is_paid and not was_paid:
        settled(s, inv.id, kind, bypass_commissions=bypass_commissions)
    return payment_id


def settled(s: AppSession, invoice_id: int, payment_type: str, *, bypass_commissions: bool = False) -> None:
    """The invoice just became fully paid: the purchase event fires (its listeners pay the subscription cycles
    through, credit commissions, achieve purchase goals). With commissions bypassed, the event names no
    affiliate (nothing is owed to one)."""
    inv = s.get(schema.invoice, invoice_id)
    info = invoices.purchase(s, inv)
    s.emit("invoice.paid", "invoice", invoice_id, contact_id=inv.contact_id, invoice_id=invoice_id,
           order_id=inv.job_id, product_ids=info["product_ids"], category_ids=info["category_ids"],
           amount=info["amount"], payment_type=payment_type,
           lead_affiliate_id=0 if bypass_commissions else int(inv.lead_affiliate_id or 0),
           sale_affiliate_id=0 if bypass_commissions else int(inv.affiliate_id or 0))


def add_manual_payment(s: AppSession, invoice_id: int, amount: float, date, pay_type: str, description: str,
                       bypass_commissions: bool) -> bool:
    inv = invoices.require_invoice(s, invoice_id)
    amount = money(amount)
    if amount <= 0:
        raise InvalidParameter("The payment amount must be more than 0 (refunds cannot be made through the API)")
    when = invoices.local_date(s, date, "paymentDate")
    _record(s, inv, amount, when, pay_type or "Credit Card (Manual)", description, kind=MANUAL,
            bypass_commissions=bypass_commissions)
    return True


def _result(successful: bool, code: str, ref: str, message: str) -> dict:
    return {"Successful": successful, "Code": code, "RefNum": ref, "Message": message}


def charge_invoice(s: AppSession, invoice_id: int, notes: str, card_id: int, merchant_id: int,
                   bypass_commissions: bool, *, amount: float | None = None, at: datetime | None = None) -> dict:
    """Charge the card what is currently due on the invoice (the instalments due by now when it has a
    payment plan), through the merchant account; the chargeInvoice struct (RefNum is a string). ``at``
    backdates the charge (the seed's past orders)."""
    inv = invoices.require_invoice(s, invoice_id)
    now = at or s.now_local()
    if amount is None:
        amount = pay_plans.due_by(s, invoice_id, now) if inv.pay_plan_status else float(inv.total_due or 0)
    amount = money(min(amount, float(inv.total_due or 0)))
    if amount <= 0:
        return _result(False, merchant.SKIPPED, "0", "No balance due on the invoice")
    card = s.get(schema.credit_card, card_id)
    account = merchant.account(s, merchant_id)
    if card is None:
        answer = (merchant.ERROR, f"Credit card not found for Id:{card_id}")
    elif card.status in (cards.DELETED, cards.INACTIVE):
        answer = (merchant.ERROR, "Credit card is inactive")
    elif card.contact_id != inv.contact_id:
        answer = (merchant.ERROR, "The credit card does not belong to the invoice's contact")
    else:
        reason = merchant.authorize(account, card, now)
        answer = (reason.code, reason.message)
    code, message = answer
    if code != merchant.APPROVED:
        info = invoices.purchase(s, inv)
        s.emit("invoice.payment_failed", "invoice", invoice_id, contact_id=inv.contact_id, invoice_id=invoice_id,
               order_id=inv.job_id, product_ids=info["product_ids"], amount=amount, message=message)
        return _result(False, code, "0", message)
    ref, approval = merchant.next_ref(s)
    charge_id = s.next_id("ccharge")
    payment_id = _record(s, inv, amount, now, "Credit Card", notes, kind=CHARGE,
                         bypass_commissions=bypass_commissions, charge_id=charge_id)
    s.insert(schema.ccharge, dict(id=charge_id, cc_id=card.id, payment_id=str(payment_id),
                                  merchant_id=str(account.id), order_num=str(inv.job_id), ref_num=ref,
                                  appr_code=approval, amt=amount))
    return _result(True, code, ref, message)


def update_payment(s: AppSession, payment_id: int, *, note: str | None = None, when: datetime | None = None,
                   amount: float | None = None) -> None:
    """Change a payment's note, and for a payment recorded by hand (not a card charge) its date and amount:
    the invoice's totals follow, and ``invoice.paid`` fires if it becomes paid."""
    p, ip = schema.payment, schema.invoice_payment
    payment = s.get(p, payment_id)
    if payment is None:
        raise not_found("Payment", payment_id)
    if (when is not None or amount is not None) and payment.charge_id:
        raise InvalidParameter("Only a manually recorded payment's date and amount can be changed")
    values, applied = {}, {}
    if note is not None:
        values["pay_note"] = note
    if when is not None:
        values["pay_date"] = applied["pay_date"] = when
    if amount is not None:
        amount = money(amount)
        if amount <= 0:
            raise InvalidParameter("The payment amount must be more than 0")
        values["pay_amt"] = applied["amt"] = amount
    if values:
        s.update(p, p.c.id == payment_id, **values)
    if applied:
        s.update(ip, ip.c.payment_id == payment_id, last_updated=s.now_local(), **applied)
    s.emit("payment.updated", "payment", payment_id, contact_id=payment.contact_id, invoice_id=payment.invoice_id,
           order_id=_order_of(s, payment.invoice_id), fields=sorted(values))
    if amount is not None and payment.invoice_id:
        was_paid, is_paid = invoices.refresh(s, payment.invoice_id)
        if is_paid and not was_paid:
            settled(s, payment.invoice_id, MANUAL)


# The 11 keys of the vendor's getPayments sample, every one present (empty PayNote included).
_PAYMENT_KEYS = (("Id", "id"), ("PayDate", "pay_date"), ("UserId", "user_id"), ("PayAmt", "pay_amt"),
                 ("PayType", "pay_type"), ("ContactId", "contact_id"), ("PayNote", "pay_note"),
                 ("InvoiceId", "invoice_id"), ("RefundId", "refund_id"), ("ChargeId", "charge_id"),
                 ("Synced", "synced"))


def payments_of(s: AppSession, invoice_id: int) -> list[dict]:
    p = schema.payment
    rows = s.execute(s.select(p).where(p.c.invoice_id == invoice_id).order_by(p.c.id)).all()
    out = []
    for r in rows:
        record = {}
        for key, column in _PAYMENT_KEYS:
            value = getattr(r, column)
            if key == "PayAmt":
                value = float(value or 0.0)
            elif key in ("PayType", "PayNote"):
                value = value or ""
            elif key != "PayDate":
                value = int(value or 0)
            record[key] = value
        out.append(record)
    return out


def set_synced(s: AppSession, payment_id: int, synced: bool) -> bool:
    payment = s.get(schema.payment, payment_id, schema.payment.c.contact_id, schema.payment.c.invoice_id)
    if payment is None:
        raise not_found("Payment", payment_id)
    s.update(schema.payment, schema.payment.c.id == payment_id, synced=1 if synced else 0)
    s.emit("payment.updated", "payment", payment_id, contact_id=payment.contact_id, invoice_id=payment.invoice_id,
           order_id=_order_of(s, payment.invoice_id),
           synced=bool(synced))
    return True


def _order_of(s: AppSession, invoice_id: int | None) -> int | None:
    row = s.get(schema.invoice, invoice_id, schema.invoice.c.job_id) if invoice_id else None
    return row.job_id if row else None

