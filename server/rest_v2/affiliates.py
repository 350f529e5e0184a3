"""Affiliates (referral partners): the affiliates, joining and leaving commission programs, and what the
ledger says of each (commissions, payments, referrals, totals, summaries). The programs themselves, their
resources and the redirect links are in ``affiliate_programs``.

Affiliates are the Affiliate rows DataService reads and writes (server.domain.affiliates.partners, through
DataService's writer); the money is the affiliate ledger that paid invoices credit, the same entries
APIAffiliateService reports. v2 wire rules of this family: ``status`` is ``ACTIVE`` / ``INACTIVE``
(``Affiliate.Status`` 1 / 0; a new affiliate is INACTIVE unless the body says otherwise: the contract's
default); a code has no white space, starts with a letter, and has at least 4 characters on create and 2 on
update (the contract's words), and is unique ignoring case (409); a commission list holds the clawbacks too,
with the amount negated, and its totals are of the page returned.
"""
from __future__ import annotations

import re

from server.domain.affiliates import partners, programs, referrals, statements
from server.domain.session import AppSession
from server.tables import FORM_AFFILIATE

from .api import Request, operation
from .custom_filters import with_custom_fields
from .errors import conflict, existing, invalid_field
from .filters import Choice, Id, Ids, Number, Since, Text, Until
from .paging import Listing
from .wire import in_id, out_id, out_time

AFFILIATES = Listing(
    filters={"id": Number(), "name": Text(), "contact_id": Id(), "referral_contact_id": Id(),
             "status": Choice((partners.ACTIVE, partners.INACTIVE)), "code": Text()},
    # the store keeps no creation time of an affiliate; ids are given in creation order
    order_by={"id": "id", "date_created": "id", "name": "name", "status": "status", "code": "code"},
)
_TIME = {"since_time": Since("time_earned"), "until_time": Until("time_earned")}
COMMISSIONS = Listing(filters=_TIME, order_by={"invoice_id": "invoice_id", "time_earned": "time_earned"})
PAYMENTS = Listing(filters={"since_time": Since("pay_date"), "until_time": Until("pay_date")},
                   order_by={"create_time": "create_time", "pay_date": "pay_date", "pay_amount": "pay_amount"})
REFERRALS = Listing(filters={"source": Text()}, order_by={"id": "id", "referral_time": "referral_time"})
SUMMARIES = Listing(filters={"affiliate_ids": Ids("affiliate_id"), **_TIME},
                    order_by={"affiliate_id": "affiliate_id", "amount_earned": "amount_earned", "balance": "balance",
                              "clawbacks": "clawbacks"},
                    default_order=("affiliate_id", False), key="affiliate_id")
REFERRAL_TYPES = {0: "COOKIE", 1: "MANUAL", 2: "PERMANENT"}
PAY_TYPES = ("CASH", "CHECK", "CREDIT_CARD", "CREDIT_CARD_MANUAL", "MONEY_ORDER", "ADJUSTMENT", "CREDIT", "REFUND")
_FIELDS = ("contact_id", "code", "name", "status", "parent_affiliate_id", "notify_on_sale", "notify_on_lead",
           "track_leads_days", "password", "custom_fields")


# --- answers ------------------------------------------------------------------------------------------

def affiliate_json(a: partners.AffiliateRecord) -> dict:
    return {"id": out_id(a.id), "code": a.code, "name": a.name, "status": a.status, "contact_id": out_id(a.contact_id),
            "parent_affiliate_id": out_id(a.parent_id), "notify_on_sale": a.notify_sale,
            "notify_on_lead": a.notify_lead, "track_leads_days": a.track_leads_days,
            "custom_fields": [{"id": out_id(field_id), "content": value} for field_id, value in a.custom.items()]}


def require(s: AppSession, affiliate_id: int) -> partners.AffiliateRecord:
    return existing(partners.get(s, affiliate_id), "Affiliate", affiliate_id)


def _pay_type(text: str | None) -> str | None:
    word = re.sub(r"\W+", "_", (text or "").strip()).upper()
    return word if word in PAY_TYPES else None


# --- the request's values -----------------------------------------------------------------------------

def _code(body: dict, shortest: int) -> str:
    code = body.get("code") or ""
    if len(code) < shortest or re.search(r"\s", code) or not code[0].isalpha():
        raise invalid_field("code", f"a code starts with a letter, has no white space and at least {shortest} "
                                    "characters")
    return code


def _values(r: Request, changed: set[str], besides: int | None = None) -> dict:
    """DataService values (Affiliate) for the properties ``changed``."""
    body, values = r.body, {}
    if "code" in changed:
        code = _code(body, 2 if besides else 4)
        if partners.code_taken(r.s, code, besides=besides):
            raise conflict(f"An affiliate with the code '{code}' already exists")
        values["AffCode"] = code
    if "contact_id" in changed:
        contact_id = in_id(body.get("contact_id") or "", "contact_id")
        name = partners.person_name(r.s, contact_id)
        if name is None:
            raise invalid_field("contact_id", f"no contact has the id {body.get('contact_id')}")
        values["ContactId"] = contact_id
        if besides is None and not body.get("name"):
            values["AffName"] = name
    if "name" in changed and (body.get("name") or besides is not None):
        values["AffName"] = body.get("name") or ""
    if "status" in changed:
        values["Status"] = 1 if body.get("status") == partners.ACTIVE else 0
    if "parent_affiliate_id" in changed:
        parent = body.get("parent_affiliate_id")
        parent_id = in_id(parent, "parent_affiliate_id") if parent else 0
        if parent_id and (parent_id == besides or partners.get(r.s, parent_id) is None):
            raise invalid_field("parent_affiliate_id", f"no other affiliate has the id {parent}")
        values["ParentId"] = parent_id
    for prop, field in (("notify_on_sale", "NotifySale"), ("notify_on_lead", "NotifyLead")):
        if prop in changed:
            values[field] = 1 if body.get(prop) else 0
    if "track_leads_days" in changed:
        days = body.get("track_leads_days") or 0
        if days < 0:
            raise invalid_field("track_leads_days", "must be 0 or more")
        values["LeadCookieFor"] = days
    if "password" in changed:
        values["Password"] = body.get("password") or ""
    if "custom_fields" in changed:
        names = partners.custom_names(r.s)
        for i, item in enumerate(body.get("custom_fields") or []):
            field_id = in_id(item.get("id"), f"custom_fields.{i}.id")
            if field_id not in names:
                raise invalid_field(f"custom_fields.{i}.id", f"no affiliate custom field has the id {item.get('id')}")
            values[names[field_id]] = item.get("content")
    return values


def _program_id(r: Request) -> int:
    given = r.body.get("affiliate_program_id")
    if not given:
        raise invalid_field("affiliate_program_id", "a commission program id is required")
    program_id = in_id(given, "affiliate_program_id")
    if programs.get_program(r.s, program_id) is None:
        raise invalid_field("affiliate_program_id", f"no commission program has the id {given}")
    return program_id


# --- affiliates ---------------------------------------------------------------------------------------

@operation("listAffiliate")
def list_affiliates(r: Request) -> dict:
    listed = with_custom_fields(r, AFFILIATES, FORM_AFFILIATE, full_times=False)  # its example: a bare date
    page = partners.page(r.s, r.list_query(listed))
    return r.page("affiliates", [affiliate_json(a) for a in page.items], page)


@operation("addAffiliate")
def add_affiliate(r: Request) -> dict:
    values = _values(r, set(_FIELDS) & set(r.body))
    for field in ("Status", "NotifyLead", "NotifySale", "LeadCookieFor", "ParentId"):
        values.setdefault(field, 0)
    return affiliate_json(require(r.s, partners.add(r.s, values)))


@operation("getAffiliate")
def get_affiliate(r: Request, id: int) -> dict:  # noqa: A002 - the contract's name for the path parameter
    return affiliate_json(require(r.s, id))


@operation("updateAffiliate")
def update_affiliate(r: Request, id: int) -> dict:  # noqa: A002
    require(r.s, id)
    partners.update(r.s, id, _values(r, r.changed(_FIELDS), besides=id))
    return affiliate_json(require(r.s, id))


@operation("deleteAffiliate")
def delete_affiliate(r: Request, id: int) -> None:  # noqa: A002
    require(r.s, id)
    partners.delete(r.s, id)


@operation("addAffiliateToProgram")
def add_affiliate_to_program(r: Request, id: int) -> None:  # noqa: A002
    require(r.s, id)
    programs.join_program(r.s, id, _program_id(r))


@operation("removeAffiliateFromProgram")
def remove_affiliate_from_program(r: Request, id: int) -> None:  # noqa: A002
    require(r.s, id)
    programs.leave_program(r.s, id, _program_id(r))


# --- what the ledger says -----------------------------------------------------------------------------

@operation("getAffiliateCommissions")
def get_affiliate_commissions(r: Request, affiliate_id: int) -> dict:
    require(r.s, affiliate_id)
    page = statements.page_commissions(r.s, affiliate_id, r.list_query(COMMISSIONS))
    items = [{"description": c.description, "amount_earned": c.amount, "contact_first_name": c.contact_first_name,
              "contact_last_name": c.contact_last_name, "invoice_id": out_id(c.invoice_id),
              "time_earned": out_time(c.earned, r.s.clock), "contact_id": out_id(c.contact_id),
              "sales_affiliate_id": out_id(c.sale_affiliate_id), "sales_affiliate_name": c.sale_affiliate_name,
              "product_name": c.product_name} for c in page.items]
    earned = round(sum(c.amount for c in page.items if c.amount > 0), 2)
    clawbacks = round(-sum(c.amount for c in page.items if c.amount < 0), 2)
    return r.page("affiliate_commissions", items, page, amount_earned=earned, clawbacks=clawbacks,
                  commission_total=round(earned - clawbacks, 2))


@operation("getAffiliateCommissionTotal")
def get_affiliate_commission_total(r: Request, affiliate_id: int) -> dict:
    require(r.s, affiliate_id)
    # no ledger page exists in a sandbox: view_ledger_url is left out
    return {"affiliate_commission_total": statements.commission_total(r.s, affiliate_id)}


@operation("listAffiliatePayments")
def list_affiliate_payments(r: Request, affiliate_id: int) -> dict:
    require(r.s, affiliate_id)
    page = statements.page_payments(r.s, affiliate_id, r.list_query(PAYMENTS))
    items = [{"id": out_id(p.id), "pay_date": out_time(p.paid, r.s.clock), "pay_notes": p.notes or "",
              "pay_amount": p.amount, "pay_type": _pay_type(p.pay_type), "create_time": out_time(p.paid, r.s.clock)}
             for p in page.items]
    return r.page("affiliate_payments", items, page)


@operation("getReferralsByAffiliateId")
def get_referrals(r: Request, affiliate_id: int) -> dict:
    require(r.s, affiliate_id)
    page = referrals.page_affiliate_referrals(r.s, affiliate_id, r.list_query(REFERRALS))
    items = [{"id": out_id(x.id), "description": x.info or "", "source": x.source or "",
              "contact_id": out_id(x.contact_id), "referral_partner_id": out_id(x.affiliate_id),
              "referral_time": out_time(x.date_set, r.s.clock), "expiration_time": out_time(x.date_expires, r.s.clock),
              "ip_address": x.ip_address or "", "referral_type": REFERRAL_TYPES.get(x.type or 0)} for x in page.items]
    return r.page("referrals", items, page)


@operation("listSummaries")
def list_summaries(r: Request) -> dict:
    page = statements.page_summaries(r.s, r.list_query(SUMMARIES))
    # the contract's AffiliateSummaryRecord is camelCase, with a numeric id (unlike the rest of v2)
    items = [{"affiliateId": x.affiliate_id, "amountEarned": x.amount_earned, "clawbacks": x.clawbacks,
              "balance": x.balance} for x in page.items]
    return r.page("affiliate_summaries", items, page)
