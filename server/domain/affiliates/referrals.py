"""Referrals: an affiliate's link sets the contact's referring affiliate; a first referral pays its LeadAmt.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.account import settings
from server.domain.data import listing
from server.store import schema
from server.store.session import AppSession

from .ledger import credit
from .programs import affiliate_row, is_active


def record_referral(s: AppSession, contact_id: int, affiliate_id: int, *, ip: str | None = None,
                    source: str = "", info: str = "", kind: int = 0) -> int | None:
    """The contact was referred by the affiliate (a visit through its link, then a form or an order).
    Type 0: set by the affiliate's tracking cookie. A first referral pays the affiliate's LeadAmt."""
    aff = affiliate_row(s, affiliate_id)
    if aff is None or not is_active(aff):
        return None
    ref = schema.referral
    if s.execute(s.select(ref, ref.c.id).where(ref.c.contact_id == contact_id,
                                               ref.c.affiliate_id == affiliate_id)).first() is not None:
        return None
    now = s.now_local()
    days = aff.lead_cookie_for or 0
    referral_id = s.next_id("referral")
    s.insert(ref, dict(id=referral_id, contact_id=contact_id, affiliate_id=affiliate_id, date_set=now,
                       date_expires=now + timedelta(days=days) if days > 0 else None, ip_address=ip or "",
                       source=source, info=info, type=kind))
    s.emit("referral.added", "referral", referral_id, contact_id=contact_id, affiliate_id=affiliate_id)
    if aff.lead_amt:
        credit(s, aff, float(aff.lead_amt), "lead", contact_id=contact_id, description="Lead commission")
    return referral_id


def referring_affiliate(s: AppSession, contact_id: int | None) -> int | None:
    """The affiliate the contact's unexpired referrals credit: the first or the last, by the app's
    ``Affiliate/chooseaffiliate`` setting."""
    if not contact_id:
        return None
    ref = schema.referral
    now = s.now_local()
    first = settings.app_setting(s, "Affiliate", "chooseaffiliate").strip().lower() != "last"
    q = (s.select(ref, ref.c.affiliate_id)
         .where(ref.c.contact_id == contact_id, sa.or_(ref.c.date_expires.is_(None), ref.c.date_expires >= now))
         .order_by(*((ref.c.date_set.asc(), ref.c.id.asc()) if first else (ref.c.date_set.desc(), ref.c.id.desc())))
         .limit(1))
    row = s.execute(q).first()
    return row.affiliate_id if row else None


# --- typed reads for the protocols that page (REST v2) ------------------------------------------------

class ReferralRecord(NamedTuple):
    id: int
    contact_id: int | None
    affiliate_id: int | None
    date_set: datetime | None  # the app's local wall time, as every stored time
    date_expires: datetime | None
    ip_address: str | None
    source: str | None
    info: str | None
    type: int | None


_ref = schema.referral
REFERRAL_FIELDS = listing.Fields({"id": _ref.c.id, "contact_id": _ref.c.contact_id,
                                  "affiliate_id": _ref.c.affiliate_id, "date_set": _ref.c.date_set,
                                  "source": _ref.c.source, "info": _ref.c.info, "type": _ref.c.type},
                                 text=frozenset({"source", "info"}))


def _referral_record(row) -> ReferralRecord:
    return ReferralRecord(row.id, row.contact_id, row.affiliate_id, row.date_set, row.date_expires, row.ip_address,
                          row.source, row.info, row.type)


def get_referral(s: AppSession, referral_id: int) -> ReferralRecord | None:
    row = s.get(_ref, referral_id)
    return None if row is None else _referral_record(row)


def page_referrals(s: AppSession, q: listing.ListQuery) -> listing.Page[ReferralRecord]:
    return listing.page(s, s.select(_ref), REFERRAL_FIELDS, q, _referral_record)


# an affiliate's referrals, as REST v2's listAffiliateReferrals orders and filters them
AFFILIATE_REFERRAL_FIELDS = listing.Fields({"id": _ref.c.id, "referral_time": _ref.c.date_set,
                                            "source": _ref.c.source}, text=frozenset({"source"}))


def page_affiliate_referrals(s: AppSession, affiliate_id: int, q: listing.ListQuery) -> listing.Page[ReferralRecord]:
    return listing.page(s, s.select(_ref).where(_ref.c.affiliate_id == affiliate_id), AFFILIATE_REFERRAL_FIELDS, q,
                        _referral_record)
