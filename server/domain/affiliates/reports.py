"""The APIAffiliateService reports over the ledger: commissions, clawbacks, payouts, running totals and
summaries. Report rows carry no Id (spec §2.9); their keys are the Novak SDK's Commission/Clawback models'.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from server.domain.data.values import to_local
from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.session import AppSession


def _range(s: AppSession, start, end) -> tuple[datetime, datetime]:
    lo, hi = to_local(start, s.clock), to_local(end, s.clock)
    if lo is None or hi is None:
        raise InvalidParameter("filterStartDate and filterEndDate must be dates")
    return lo, hi


def _names(s: AppSession, contact_ids) -> dict[int, tuple[str, str]]:
    ids = sorted({i for i in contact_ids if i})
    if not ids:
        return {}
    c = schema.contact
    q = s.select(c, c.c.id, c.c.first_name, c.c.last_name).where(c.c.id.in_(ids))
    return {r.id: (r.first_name or "", r.last_name or "") for r in s.execute(q)}


def _entries(s: AppSession, affiliate_id: int, kind: str, start, end) -> list:
    lo, hi = _range(s, start, end)
    led = schema.affiliate_ledger
    q = (s.select(led).where(led.c.affiliate_id == affiliate_id, led.c.kind == kind, led.c.date_earned >= lo,
                             led.c.date_earned <= hi).order_by(led.c.date_earned, led.c.id))
    return s.execute(q).all()


def _commission_rows(s: AppSession, entries) -> list[dict]:
    a = schema.affiliate
    sale_ids = sorted({e.sale_affiliate_id for e in entries if e.sale_affiliate_id})
    sellers = {}
    if sale_ids:
        q = s.select(a, a.c.id, a.c.contact_id).where(a.c.id.in_(sale_ids))
        sellers = {r.id: r.contact_id for r in s.execute(q)}
    names = _names(s, [e.contact_id for e in entries] + list(sellers.values()))
    out = []
    for e in entries:
        first, last = names.get(e.contact_id, ("", ""))
        sold_first, sold_last = names.get(sellers.get(e.sale_affiliate_id), ("", ""))
        out.append({"AffiliateId": e.affiliate_id, "ContactId": e.contact_id or 0, "ContactFirstName": first,
                    "ContactLastName": last, "SoldByFirstName": sold_first, "SoldByLastName": sold_last,
                    "Description": e.description or "", "AmtEarned": float(e.amount), "InvoiceId": e.invoice_id or 0,
                    "ProductName": e.product_name or "", "DateEarned": e.date_earned,
                    "SaleAffId": e.sale_affiliate_id or 0})
    return out


def commissions(s: AppSession, affiliate_id: int, start, end) -> list[dict]:
    return _commission_rows(s, _entries(s, affiliate_id, "commission", start, end))


def clawbacks(s: AppSession, affiliate_id: int, start, end) -> list[dict]:
    return _commission_rows(s, _entries(s, affiliate_id, "clawback", start, end))


def payouts(s: AppSession, affiliate_id: int, start, end) -> list[dict]:
    # Payout row keys are unrecorded: Payment-table names (PayDate, PayAmt, PayType, PayNote) are used.
    return [{"AffiliateId": e.affiliate_id, "PayDate": e.date_earned, "PayAmt": float(e.amount),
             "PayType": e.payout_type or "", "PayNote": e.description or ""}
            for e in _entries(s, affiliate_id, "payout", start, end)]


def _ids(value) -> list[int]:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, str) and not v.strip().isdigit()):
            raise InvalidParameter("affiliateIds must be an array of affiliate ids")
        if int(v) not in out:
            out.append(int(v))
    return out


def _sums(s: AppSession, ids: list[int], lo=None, hi=None) -> dict[int, dict[str, float]]:
    led = schema.affiliate_ledger
    q = s.select(led, led.c.affiliate_id, led.c.kind, sa.func.sum(led.c.amount)).where(led.c.affiliate_id.in_(ids))
    if lo is not None:
        q = q.where(led.c.date_earned >= lo, led.c.date_earned <= hi)
    sums = {i: {"commission": 0.0, "clawback": 0.0, "payout": 0.0} for i in ids}
    for affiliate_id, kind, total in s.execute(q.group_by(led.c.affiliate_id, led.c.kind)):
        sums[affiliate_id][kind] = round(float(total or 0.0), 2)
    return sums


def running_totals(s: AppSession, affiliate_ids) -> list[dict]:
    ids = _ids(affiliate_ids)
    sums = _sums(s, ids)
    return [{"AffiliateId": i, "AmountEarned": sums[i]["commission"], "Clawbacks": sums[i]["clawback"],
             "Payments": sums[i]["payout"],
             "RunningBalance": round(sums[i]["commission"] - sums[i]["clawback"] - sums[i]["payout"], 2)}
            for i in ids]


def summary(s: AppSession, affiliate_ids, start, end) -> list[dict]:
    ids = _ids(affiliate_ids)
    lo, hi = _range(s, start, end)
    sums = _sums(s, ids, lo, hi)
    return [{"AffiliateId": i, "AmountEarned": sums[i]["commission"], "Clawbacks": sums[i]["clawback"],
             "Balance": round(sums[i]["commission"] - sums[i]["clawback"], 2)} for i in ids]


def commission_rows(s: AppSession, entries) -> list[dict]:
    """The report rows of ledger entries (getAffiliateCommissions' keys)."""
    return _commission_rows(s, entries)
