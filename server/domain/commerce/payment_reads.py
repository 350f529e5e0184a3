"""Payments as the REST protocols read them (v1's transactions, v2's sales payments and transactions): a
Payment row with its invoice's order and, for a card charge, the charge (CCharge), its card and its merchant
account. A declined charge leaves no payment (server.domain.commerce.payments), so every record here is money
taken.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.store import schema
from server.store.session import AppSession

_p, _inv, _cc, _ip = schema.payment, schema.invoice, schema.ccharge, schema.invoice_payment
_ma, _card = schema.merchant_account, schema.credit_card


class PaymentRecord(NamedTuple):
    id: int
    pay_time: datetime | None
    amount: float
    pay_type: str | None
    contact_id: int | None
    note: str | None
    invoice_id: int | None
    order_id: int | None
    refund_id: int
    synced: bool
    commissioned: bool  # an affiliate is credited for it (not skipped on its InvoicePayment)
    updated: datetime | None
    charge_id: int | None  # a card charge through a merchant account; None for a payment recorded by hand
    merchant_account_id: int | None
    merchant_name: str | None
    ref_num: str | None
    approval_code: str | None
    card_id: int | None
    card_type: str | None
    card_last4: str | None
    card_expiration_month: str | None
    card_expiration_year: str | None


_MERCHANT = sa.cast(_cc.c.merchant_id, sa.Integer)
PAYMENT_FIELDS = listing.Fields({
    "id": _p.c.id, "amount": _p.c.pay_amt, "contact_id": _p.c.contact_id, "order_id": _inv.c.job_id,
    "invoice_id": _p.c.invoice_id, "pay_time": _p.c.pay_date, "merchant_account_id": _MERCHANT,
    "charged": sa.case((_p.c.charge_id > 0, 1), else_=0),
})


def _select(s: AppSession) -> sa.Select:
    return (s.select(_p, _p, _inv.c.job_id, _ip.c.skip_commission, _ip.c.last_updated, _cc.c.merchant_id,
                     _cc.c.ref_num, _cc.c.appr_code, _cc.c.cc_id, _ma.c.name.label("merchant_name"), _card.c.card_type,
                     _card.c.last4, _card.c.expiration_month, _card.c.expiration_year)
            .join(_inv, sa.and_(_inv.c.app_id == _p.c.app_id, _inv.c.id == _p.c.invoice_id), isouter=True)
            .join(_ip, sa.and_(_ip.c.app_id == _p.c.app_id, _ip.c.payment_id == _p.c.id), isouter=True)
            .join(_cc, sa.and_(_cc.c.app_id == _p.c.app_id, _cc.c.id == _p.c.charge_id), isouter=True)
            .join(_ma, sa.and_(_ma.c.app_id == _p.c.app_id, _ma.c.id == _MERCHANT), isouter=True)
            .join(_card, sa.and_(_card.c.app_id == _p.c.app_id, _card.c.id == _cc.c.cc_id), isouter=True))


def _record(r) -> PaymentRecord:
    charged = bool(r.charge_id)
    return PaymentRecord(
        r.id, r.pay_date, float(r.pay_amt or 0.0), r.pay_type, r.contact_id, r.pay_note, r.invoice_id, r.job_id,
        int(r.refund_id or 0), bool(r.synced), not r.skip_commission, r.last_updated,
        r.charge_id if charged else None, int(r.merchant_id) if charged and r.merchant_id else None,
        r.merchant_name if charged else None, r.ref_num, r.appr_code, r.cc_id, r.card_type, r.last4,
        r.expiration_month, r.expiration_year)


def page_payments(s: AppSession, q: listing.ListQuery) -> listing.Page[PaymentRecord]:
    return listing.page(s, _select(s), PAYMENT_FIELDS, q, _record)


def window_payments(s: AppSession, where: tuple[listing.Condition, ...], limit: int,
                    offset: int) -> tuple[list[PaymentRecord], int]:
    """REST v1's window: ``limit`` payments from ``offset`` in id order, and how many there are."""
    select = _select(s)
    rows = s.execute(select.where(*(listing.condition(PAYMENT_FIELDS, c) for c in where))
                     .order_by(_p.c.id).limit(limit).offset(offset)).all()
    return [_record(r) for r in rows], listing.count(s, select, PAYMENT_FIELDS, where)


def get_payment(s: AppSession, payment_id: int) -> PaymentRecord | None:
    row = s.execute(_select(s).where(_p.c.id == payment_id)).first()
    return None if row is None else _record(row)
