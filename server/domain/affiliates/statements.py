"""An affiliate's statement, a page at a time: its commissions and clawbacks, its payments, its totals, and
every affiliate's summary, read from the ledger that sales credit (``ledger``) for the protocols that page
(REST v2). The same entries the APIAffiliateService reports (``reports``) show.

A clawback takes back what a commission gave: in a list of commissions it shows with the amount negated,
and every total here is commissions less clawbacks (payouts are money paid, not money earned).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.store import schema
from server.store.session import AppSession

_led, _a, _c = schema.affiliate_ledger, schema.affiliate, schema.contact


class CommissionRecord(NamedTuple):
    id: int
    amount: float  # negative for a clawback
    earned: datetime
    contact_id: int | None
    contact_first_name: str | None
    contact_last_name: str | None
    invoice_id: int | None
    product_name: str | None
    description: str | None
    sale_affiliate_id: int | None
    sale_affiliate_name: str | None


class PaymentRecord(NamedTuple):
    id: int
    paid: datetime
    amount: float
    pay_type: str | None
    notes: str | None


class Summary(NamedTuple):
    affiliate_id: int
    amount_earned: float
    clawbacks: float
    balance: float


COMMISSION_FIELDS = listing.Fields({"id": _led.c.id, "time_earned": _led.c.date_earned,
                                    "invoice_id": _led.c.invoice_id})
PAYMENT_FIELDS = listing.Fields({"id": _led.c.id, "pay_date": _led.c.date_earned, "create_time": _led.c.date_earned,
                                 "pay_amount": _led.c.amount})


def page_commissions(s: AppSession, affiliate_id: int, q: listing.ListQuery) -> listing.Page[CommissionRecord]:
    select = s.select(_led).where(_led.c.affiliate_id == affiliate_id, _led.c.kind.in_(("commission", "clawback")))
    found = listing.page(s, select, COMMISSION_FIELDS, q, lambda r: r)
    rows = found.items
    sellers = {}
    sale_ids = sorted({r.sale_affiliate_id for r in rows if r.sale_affiliate_id})
    if sale_ids:
        q_sellers = s.select(_a, _a.c.id, _a.c.aff_name).where(_a.c.id.in_(sale_ids))
        sellers = {r.id: r.aff_name for r in s.execute(q_sellers)}
    names = {}
    contact_ids = sorted({r.contact_id for r in rows if r.contact_id})
    if contact_ids:
        q_names = s.select(_c, _c.c.id, _c.c.first_name, _c.c.last_name).where(_c.c.id.in_(contact_ids))
        names = {r.id: (r.first_name, r.last_name) for r in s.execute(q_names)}
    found.items = [CommissionRecord(r.id, -float(r.amount) if r.kind == "clawback" else float(r.amount),
                                    r.date_earned, r.contact_id or None, *names.get(r.contact_id, (None, None)),
                                    r.invoice_id or None, r.product_name, r.description, r.sale_affiliate_id or None,
                                    sellers.get(r.sale_affiliate_id)) for r in rows]
    return found


def page_payments(s: AppSession, affiliate_id: int, q: listing.ListQuery) -> listing.Page[PaymentRecord]:
    select = s.select(_led).where(_led.c.affiliate_id == affiliate_id, _led.c.kind == "payout")
    return listing.page(s, select, PAYMENT_FIELDS, q,
                        lambda r: PaymentRecord(r.id, r.date_earned, float(r.amount), r.payout_type, r.description))


def _sum(kind: str):
    return sa.func.sum(sa.case((_led.c.kind == kind, _led.c.amount), else_=0.0))


def commission_total(s: AppSession, affiliate_id: int) -> float:
    """What the affiliate has earned: its commissions less their clawbacks."""
    q = s.select(_led, _sum("commission") - _sum("clawback")).where(_led.c.affiliate_id == affiliate_id)
    return round(float(s.execute(q).scalar_one() or 0.0), 2)


def page_summaries(s: AppSession, q: listing.ListQuery) -> listing.Page[Summary]:
    """Each affiliate's earnings, clawbacks and balance; the conditions ``since``/``until`` (on
    ``time_earned``) bound the ledger entries counted, the others select affiliates."""
    sums = sa.select(_led.c.affiliate_id, _sum("commission").label("earned"), _sum("clawback").label("clawed")) \
        .where(_led.c.app_id == s.app.id)
    where = []
    for c in q.where:
        if c.field == "time_earned":
            sums = sums.where(listing.condition(COMMISSION_FIELDS, c))
        else:
            where.append(c)
    sums = sums.group_by(_led.c.affiliate_id).subquery()
    earned, clawed = sa.func.coalesce(sums.c.earned, 0.0), sa.func.coalesce(sums.c.clawed, 0.0)
    fields = listing.Fields({"affiliate_id": _a.c.id, "amount_earned": earned, "clawbacks": clawed,
                             "balance": earned - clawed}, key="affiliate_id")
    select = s.select(_a, _a.c.id, earned.label("earned"), clawed.label("clawed")) \
        .outerjoin(sums, sums.c.affiliate_id == _a.c.id)
    return listing.page(s, select, fields, replace(q, where=tuple(where)),
                        lambda r: Summary(r.id, round(float(r.earned), 2), round(float(r.clawed), 2),
                                          round(float(r.earned) - float(r.clawed), 2)))
