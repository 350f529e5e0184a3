"""Referrals (the contract's ``Referral`` operations): the Referral rows of DataService
(server.domain.affiliates.referrals), written through ``records.add('Referral')`` so ``referral.added`` fires.
``referral_partner_id`` is ``AffiliateId``, ``description`` ``Info``, ``referral_time`` ``DateSet``; the
referral types are Referral.Type's codes. A created referral pays no commission (DataService's add does not).
"""
from __future__ import annotations

from server.domain.affiliates import referrals
from server.domain.crm import contacts as domain
from server.domain.data import records
from server.domain.data.listing import Condition
from server.domain.session import AppSession

from .api import Request, operation
from .errors import invalid_field
from .filters import Kind, Number, Text
from .paging import Listing
from .wire import in_id, in_time, out_id, out_time

REFERRAL_TYPES = {0: "COOKIE", 1: "PERMANENT", 2: "MANUAL"}  # Referral.Type (0: set by the affiliate's cookie)
REFERRAL_CODES = {name: code for code, name in REFERRAL_TYPES.items()}


class ReferralType(Kind):
    """``type==COOKIE``: the wire's referral type, matched against the stored Referral.Type code."""

    def parse(self, name, target, clause, clock):
        code = REFERRAL_CODES.get(clause.value)
        if code is None:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not one of {', '.join(REFERRAL_CODES)}")
        return [Condition(target, "eq", code)]


REFERRALS = Listing(
    filters={"referral_partner_id": Number("affiliate_id"), "contact_id": Number(), "source": Text(),
             "description": Text("info"), "type": ReferralType()},
    order_by={"id": "id", "referral_time": "date_set"},
)


def referral_json(s: AppSession, ref: referrals.ReferralRecord) -> dict:
    return {"id": out_id(ref.id), "contact_id": out_id(ref.contact_id), "referral_partner_id": out_id(ref.affiliate_id),
            "description": ref.info or None, "source": ref.source or None, "ip_address": ref.ip_address or None,
            "referral_time": out_time(ref.date_set, s.clock), "expiration_time": out_time(ref.date_expires, s.clock),
            "referral_type": REFERRAL_TYPES.get(ref.type)}


@operation("listReferrals")
def list_referrals(r: Request) -> dict:
    page = referrals.page_referrals(r.s, r.list_query(REFERRALS))
    return r.page("referrals", [referral_json(r.s, x) for x in page.items], page)


@operation("createReferral")
def create_referral(r: Request) -> dict:
    body, s = r.body, r.s
    contact_id = in_id(body["contact_id"], "contact_id")
    if not domain.is_contact(s, contact_id):
        raise invalid_field("contact_id", f"no contact has the id {body['contact_id']}")
    data = {"ContactId": contact_id, "Info": body.get("description"), "Source": body.get("source"),
            "IPAddress": body.get("ip_address"),
            "DateSet": in_time(body["referral_time"], s.clock, "referral_time") if body.get("referral_time")
            else s.now_local(),
            "DateExpires": in_time(body["expiration_time"], s.clock, "expiration_time")
            if body.get("expiration_time") else None,
            "Type": REFERRAL_CODES[body.get("referral_type", "MANUAL")]}
    if body.get("referral_partner_id"):
        affiliate_id = in_id(body["referral_partner_id"], "referral_partner_id")
        if not records.exists(s, records.table_named("Affiliate"), affiliate_id):
            raise invalid_field("referral_partner_id", f"no referral partner has the id {body['referral_partner_id']}")
        data["AffiliateId"] = affiliate_id
    return referral_json(s, referrals.get_referral(s, records.add(s, "Referral", data)))
