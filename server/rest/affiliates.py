"""/affiliates: list, get, create, the model, commissions, programs, redirect links, summaries, and an
affiliate's clawbacks and payments. Affiliates are Affiliate rows written through DataService's writer; the
money comes from the affiliate ledger that sales credit (server.domain.affiliates.ledger), the same entries
APIAffiliateService reports."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from server.domain.affiliates import ledger, links, partners, programs, reports
from server.domain.data.listing import Condition
from server.domain.session import AppSession
from server.tables import FORM_AFFILIATE

from . import custom
from .api import Body, Int, Paging, Query, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request, not_found
from .wire import DateTimeText, in_datetime, out_datetime

FORM = FORM_AFFILIATE
STATUSES = {partners.ACTIVE: "Active", partners.INACTIVE: "Inactive"}  # Affiliate.Status (REST's words unrecorded)



class CreateAffiliate(Body):
    """CreateAffiliate [doc S1]."""

    code: str = Field(min_length=1)
    contact_id: Int
    password: str = Field(min_length=1)
    name: str | None = None
    notify_on_lead: StrictBool | None = None
    notify_on_sale: StrictBool | None = None
    parent_id: Int | None = None
    status: Literal["Active", "Inactive", "active", "inactive", "ACTIVE", "INACTIVE"] | None = None
    track_leads_for: Int | None = Field(default=None, ge=0)


class AffiliateShape(Shape):
    id: int
    code: str | None = None
    contact_id: int | None = None
    name: str | None = None
    notify_on_lead: bool | None = None
    notify_on_sale: bool | None = None
    parent_id: int | None = None
    status: str | None = None
    track_leads_for: int | None = None


AffiliateList = list_shape("AffiliateList", "affiliates", AffiliateShape)


class ListAffiliates(Paging):
    name: str | None = None
    code: str | None = None
    parent_id: Int | None = None
    contact_id: Int | None = None
    program_id: Int | None = None
    status: str | None = None
    order: Literal["id", "name", "code", "contact_id", "parent_id", "status"] | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None


class LedgerQuery(Paging):
    since: DateTimeText | None = None
    until: DateTimeText | None = None
    order: str | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None


class CommissionQuery(LedgerQuery):
    affiliate_id: Int | None = None
    affiliateId: Int | None = None  # the 2022 spec's spelling


class ProgramQuery(Paging):
    affiliate_id: Int | None = None
    order: str | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None


class SummaryQuery(Query):
    affiliate_ids: list[Int] | None = None
    order: str | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None


class Listing(Shape):
    count: int
    next: str | None = None
    previous: str | None = None


class CommissionList(Listing):
    commissions: list[dict]


class ProgramList(Listing):
    programs: list[dict]


class RedirectList(Listing):
    redirects: list[dict]


class SummaryList(Shape):
    summaries: list[dict]
    count: int


class ClawbackList(Listing):
    clawbacks: list[dict]


class PaymentList(Listing):
    payments: list[dict]


def affiliate_json(a: partners.AffiliateRecord) -> dict:
    return {"id": a.id, "code": a.code, "contact_id": a.contact_id, "name": a.name, "notify_on_lead": a.notify_lead,
            "notify_on_sale": a.notify_sale, "parent_id": a.parent_id or 0, "status": STATUSES[a.status],
            "track_leads_for": a.track_leads_days}


def require(s: AppSession, affiliate_id: int) -> partners.AffiliateRecord:
    found = partners.get(s, affiliate_id)
    if found is None:
        raise not_found("Affiliate")
    return found


def _range(s: AppSession, q: LedgerQuery):
    clock = s.clock
    return (clock.to_local(in_datetime(q.since)) if q.since else None,
            clock.to_local(in_datetime(q.until)) if q.until else None)


@route("GET", "/affiliates", summary="List affiliates", tag="Affiliate", query=ListAffiliates,
       response=AffiliateList)
def list_affiliates(r: Request):
    q: ListAffiliates = r.query
    s = r.s
    limit, offset = page(q)
    where = [Condition(field, "eq", value.strip()) for field, value in (("name", q.name), ("code", q.code)) if value]
    where += [Condition(field, "eq", value) for field, value in (("parent_id", q.parent_id),
              ("contact_id", q.contact_id), ("program_id", q.program_id)) if value is not None]
    if q.status:
        active = q.status.strip().lower() == "active"
        where.append(Condition("status", "eq", partners.ACTIVE if active else partners.INACTIVE))
    found, total = partners.window(s, tuple(where), q.order or "id", q.order_direction == "DESCENDING", limit,
                                   offset)
    carry = {"name": q.name, "code": q.code, "parent_id": q.parent_id, "contact_id": q.contact_id,
             "program_id": q.program_id, "status": q.status, "order": q.order, "order_direction": q.order_direction}
    return envelope(r, "affiliates", [affiliate_json(a) for a in found], total, limit, offset, path="/affiliates",
                    carry=carry)


@route("POST", "/affiliates", summary="Create an affiliate", tag="Affiliate", body=CreateAffiliate,
       response=AffiliateShape, status=201)
def create_affiliate(r: Request):
    body: CreateAffiliate = r.body
    s = r.s
    name = partners.person_name(s, body.contact_id)
    if name is None:
        raise bad_request(f"Invalid contact id: {body.contact_id}")
    if body.parent_id:
        require(s, body.parent_id)
    if partners.code_taken(s, body.code):
        raise bad_request(f"An affiliate with code {body.code} already exists")
    data = {"ContactId": body.contact_id, "AffCode": body.code, "Password": body.password,
            "AffName": body.name or name, "ParentId": body.parent_id or 0,
            "NotifyLead": 1 if body.notify_on_lead else 0, "NotifySale": 1 if body.notify_on_sale else 0,
            "LeadCookieFor": body.track_leads_for or 0,
            "Status": 0 if (body.status or "Active").lower() == "inactive" else 1}
    return affiliate_json(require(s, partners.add(s, data)))


@route("GET", "/affiliates/model", summary="The affiliate model", tag="Affiliate", response=custom.ObjectModel)
def affiliate_model(r: Request):
    return custom.model(r.s, FORM, [])


def _commission_json(row: dict, s: AppSession) -> dict:
    return {"affiliate_id": row["AffiliateId"], "amount_earned": row["AmtEarned"], "contact_id": row["ContactId"],
            "contact_first_name": row["ContactFirstName"], "contact_last_name": row["ContactLastName"],
            "date_earned": out_datetime(row["DateEarned"], s.clock), "description": row["Description"],
            "invoice_id": row["InvoiceId"], "product_name": row["ProductName"],
            "sales_affiliate_id": row["SaleAffId"], "sold_by_first_name": row["SoldByFirstName"],
            "sold_by_last_name": row["SoldByLastName"]}


@route("GET", "/affiliates/commissions", summary="List commissions", tag="Affiliate", query=CommissionQuery,
       response=CommissionList)
def list_commissions(r: Request):
    q: CommissionQuery = r.query
    s = r.s
    limit, offset = page(q)
    since, until = _range(s, q)
    affiliate_id = q.affiliate_id if q.affiliate_id is not None else q.affiliateId
    entries, total = ledger.entries(s, "commission", affiliate_id=affiliate_id, since=since, until=until,
                                    newest_first=q.order_direction == "DESCENDING", limit=limit, offset=offset)
    items = [_commission_json(row, s) for row in reports.commission_rows(s, entries)]
    carry = {"affiliate_id": affiliate_id, "since": q.since, "until": q.until, "order": q.order,
             "order_direction": q.order_direction}
    return envelope(r, "commissions", items, total, limit, offset, path="/affiliates/commissions",
                    top_level=False, carry=carry)


@route("GET", "/affiliates/programs", summary="List commission programs", tag="Affiliate", query=ProgramQuery,
       response=ProgramList)
def list_programs(r: Request):
    q: ProgramQuery = r.query
    s = r.s
    limit, offset = page(q)
    if q.affiliate_id is not None:
        require(s, q.affiliate_id)
        found = programs.programs_for(s, q.affiliate_id)
    else:
        found = programs.programs(s)
    if q.order_direction == "DESCENDING":
        found = list(reversed(found))
    items = [{"affiliate_id": q.affiliate_id, "id": p["Id"], "name": p["Name"], "notes": p["Notes"],
              "priority": p["Priority"]} for p in found[offset:offset + limit]]
    return envelope(r, "programs", items, len(found), limit, offset, path="/affiliates/programs",
                    top_level=False, carry={"affiliate_id": q.affiliate_id})


def _ids(text) -> list[int]:
    return [int(p) for p in str(text or "").split(",") if p.strip().isdigit()]


@route("GET", "/affiliates/redirectlinks", summary="List affiliate redirect links", tag="Affiliate",
       query=ProgramQuery, response=RedirectList)
def list_redirect_links(r: Request):
    q: ProgramQuery = r.query
    s = r.s
    limit, offset = page(q)
    if q.affiliate_id is not None:
        require(s, q.affiliate_id)
        found = [{"affiliate_id": q.affiliate_id, "id": x["Id"], "local_url_code": x["LocalUrlCode"],
                  "name": x["Name"], "program_ids": _ids(x["ProgramIds"]), "redirect_url": x["RedirectUrl"]}
                 for x in programs.redirect_links(s, q.affiliate_id)]
    else:
        found = [{"affiliate_id": x.affiliate_id or 0, "id": x.id, "local_url_code": x.code, "name": x.name,
                  "program_ids": x.program_ids, "redirect_url": x.redirect_url} for x in links.every(s)]
    if q.order_direction == "DESCENDING":
        found.reverse()
    return envelope(r, "redirects", found[offset:offset + limit], len(found), limit, offset,
                    path="/affiliates/redirectlinks", top_level=False, carry={"affiliate_id": q.affiliate_id})


@route("GET", "/affiliates/summaries", summary="Affiliates' earnings, clawbacks and balances", tag="Affiliate",
       query=SummaryQuery, response=SummaryList)
def list_summaries(r: Request):
    q: SummaryQuery = r.query
    s = r.s
    ids = list(q.affiliate_ids or []) or partners.existing(s)
    known = set(partners.existing(s, ids)) if ids else set()
    totals = reports.running_totals(s, [i for i in ids if i in known]) if known else []
    items = [{"affiliate_id": t["AffiliateId"], "amount_earned": t["AmountEarned"], "clawbacks": t["Clawbacks"],
              "balance": t["RunningBalance"]} for t in totals]
    if q.order_direction == "DESCENDING":
        items.reverse()
    return {"summaries": items, "count": len(items)}  # no next/previous in AffiliateSummaryList [doc S1]


@route("GET", "/affiliates/{id}", summary="Get an affiliate", tag="Affiliate", response=AffiliateShape)
def get_affiliate(r: Request, id: int):
    return affiliate_json(require(r.s, id))


@route("GET", "/affiliates/{affiliateId}/clawbacks", summary="An affiliate's clawbacks", tag="Affiliate",
       query=LedgerQuery, response=ClawbackList)
def list_clawbacks(r: Request, affiliateId: int):
    q: LedgerQuery = r.query
    s = r.s
    require(s, affiliateId)
    limit, offset = page(q)
    since, until = _range(s, q)
    entries, total = ledger.entries(s, "clawback", affiliate_id=affiliateId, since=since, until=until,
                                   newest_first=q.order_direction == "DESCENDING", limit=limit, offset=offset)
    items = [{"amount": row["AmtEarned"], "contact_id": row["ContactId"],
              "date_earned": out_datetime(row["DateEarned"], s.clock), "description": row["Description"],
              "family_name": row["ContactLastName"], "given_name": row["ContactFirstName"],
              "invoice_id": row["InvoiceId"], "product_name": row["ProductName"],
              "sale_affiliate_id": row["SaleAffId"], "sold_by_family_name": row["SoldByLastName"],
              "sold_by_given_name": row["SoldByFirstName"], "subscription_plan_name": None}
             for row in reports.commission_rows(s, entries)]
    return envelope(r, "clawbacks", items, total, limit, offset, path=f"/affiliates/{affiliateId}/clawbacks",
                    top_level=False, carry={"since": q.since, "until": q.until})


@route("GET", "/affiliates/{affiliateId}/payments", summary="An affiliate's payments", tag="Affiliate",
       query=LedgerQuery, response=PaymentList)
def list_affiliate_payments(r: Request, affiliateId: int):
    q: LedgerQuery = r.query
    s = r.s
    require(s, affiliateId)
    limit, offset = page(q)
    since, until = _range(s, q)
    entries, total = ledger.entries(s, "payout", affiliate_id=affiliateId, since=since, until=until,
                                   newest_first=q.order_direction == "DESCENDING", limit=limit, offset=offset)
    items = [{"amount": float(e.amount), "date": out_datetime(e.date_earned, s.clock), "id": e.id,
              "notes": e.description or "", "type": e.payout_type or ""} for e in entries]
    return envelope(r, "payments", items, total, limit, offset, path=f"/affiliates/{affiliateId}/payments",
                    top_level=False, carry={"since": q.since, "until": q.until})
