"""Affiliates (referral partners): their programs, resources and redirect links, the referrals their links
set, the commissions they earn from sales, and the APIAffiliateService reports over them.

Commissions come from sales: a listener on ``invoice.paid`` (payload: spec common brief) credits the sale
affiliate with its SalePercent of the amount (or its flat SaleAmt) and the lead affiliate with its
LeadPercent; a sale with neither affiliate is credited to the contact's referring affiliate, the first or
the last one as the app's ``Affiliate/chooseaffiliate`` setting says. LeadAmt is a flat bounty paid when a
referral is made. Clawbacks take back a deleted (or refunded) invoice's commissions. Payouts are seeded.
Report rows carry no Id (spec §2.9); their keys are the Novak SDK's Commission/Clawback models'.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from server.store import schema
from server.store.session import AppSession, Event, on_event
from server.tables import REGISTRY

from . import records, settings
from .errors import InvalidParameter
from .values import to_local

AFFILIATE = REGISTRY.get("Affiliate")
_HIDDEN = {"Password"}  # never shown by the program service
_CONTACT_FIELDS = ("FirstName", "LastName", "Email", "Company", "Phone1", "StreetAddress1", "StreetAddress2",
                   "City", "State", "PostalCode", "Country", "Website")


# --- programs, resources, links ----------------------------------------------------------------------

def add_program(s: AppSession, name: str, notes: str = "", priority: int = 0) -> int:
    program_id = s.next_id("affiliate_program")
    s.insert(schema.affiliate_program, dict(id=program_id, name=name, notes=notes, priority=priority))
    s.emit("affiliate_program.added", "affiliate_program", program_id, name=name)
    return program_id


def join_program(s: AppSession, affiliate_id: int, program_id: int) -> None:
    m = schema.affiliate_program_member
    if s.execute(s.select(m).where(m.c.program_id == program_id, m.c.affiliate_id == affiliate_id)).first():
        return
    s.insert(m, dict(program_id=program_id, affiliate_id=affiliate_id))
    s.emit("affiliate.program_joined", "affiliate", affiliate_id, program_id=program_id)


def _program_row(r) -> dict:
    return {"Id": r.id, "Name": r.name, "Notes": r.notes or "", "Priority": r.priority or 0}


def programs(s: AppSession) -> list[dict]:
    p = schema.affiliate_program
    return [_program_row(r) for r in s.execute(s.select(p).order_by(p.c.priority, p.c.id))]


def programs_for(s: AppSession, affiliate_id: int) -> list[dict]:
    p, m = schema.affiliate_program, schema.affiliate_program_member
    q = (s.select(p).join(m, s.scoped(m, sa.and_(m.c.program_id == p.c.id)))
         .where(m.c.affiliate_id == affiliate_id).order_by(p.c.priority, p.c.id))
    return [_program_row(r) for r in s.execute(q)]


def affiliates_of_program(s: AppSession, program_id: int) -> list[dict]:
    """The program's affiliates with their contact's data, each with its affiliate and contact custom
    fields (contact fields that an affiliate field already names are left out)."""
    m = schema.affiliate_program_member
    ids = [r.affiliate_id for r in s.execute(s.select(m, m.c.affiliate_id).where(m.c.program_id == program_id)
                                              .order_by(m.c.affiliate_id))]
    if not ids:
        return []
    from . import custom_fields

    aff_fields = [f for f in AFFILIATE.fields if f not in _HIDDEN]
    aff_customs = [f.api_name for f in custom_fields.definitions(s, -3).values()]
    rows = records.query(s, "Affiliate", 1000, 0, {"Id": ids}, aff_fields + aff_customs)
    contact_ids = sorted({r["ContactId"] for r in rows if r.get("ContactId")})
    contact_customs = [f.api_name for f in custom_fields.definitions(s, -1).values()]
    people = {}
    if contact_ids:
        for c in records.query(s, "Contact", 1000, 0, {"Id": contact_ids},
                               ["Id", *_CONTACT_FIELDS, *contact_customs]):
            people[c.pop("Id")] = c
    out = []
    for r in rows:
        merged = dict(r)
        for k, v in people.get(r.get("ContactId"), {}).items():
            merged.setdefault(k, v)
        out.append(merged)
    return out


def resources_of_program(s: AppSession, program_id: int) -> list[dict]:
    fields = list(REGISTRY.get("AffResource").fields)
    rows = records.query(s, "AffResource", 1000, 0, {"Id": "%"}, fields, "ResourceOrder", True)
    return [r for r in rows if str(program_id) in _id_list(r.get("ProgramIds"))]


def _id_list(text) -> list[str]:
    return [p.strip() for p in str(text or "").split(",") if p.strip()]


def add_redirect(s: AppSession, name: str, local_url_code: str, redirect_url: str, *, affiliate_id: int = 0,
                 program_ids: list[int] | None = None) -> int:
    redirect_id = s.next_id("affiliate_redirect")
    s.insert(schema.affiliate_redirect, dict(
        id=redirect_id, name=name, local_url_code=local_url_code, redirect_url=redirect_url,
        affiliate_id=affiliate_id, program_ids=",".join(map(str, program_ids or [])) or None))
    s.emit("affiliate_redirect.added", "affiliate_redirect", redirect_id, name=name)
    return redirect_id


def _affiliate(s: AppSession, affiliate_id: int):
    return s.get(schema.affiliate, affiliate_id)


def redirect_links(s: AppSession, affiliate_id: int) -> list[dict]:
    """AffiliateService.getRedirectLinksForAffiliate: the links offered to the affiliate (its own, and
    those of every affiliate), each with the address to hand out (``AffiliateUrl``, the sandbox's)."""
    from . import public_urls

    aff = _affiliate(s, affiliate_id)
    if aff is None:
        return []
    r = schema.affiliate_redirect
    q = s.select(r).where(r.c.affiliate_id.in_([0, affiliate_id])).order_by(r.c.id)
    mine = {str(p["Id"]) for p in programs_for(s, affiliate_id)}
    out = []
    for row in s.execute(q):
        wanted = _id_list(row.program_ids)
        if wanted and not mine.intersection(wanted):
            continue
        out.append({"Id": row.id, "AffiliateId": affiliate_id, "Name": row.name, "LocalUrlCode": row.local_url_code,
                    "RedirectUrl": row.redirect_url, "ProgramIds": row.program_ids or "",
                    "AffiliateUrl": public_urls.redirect_link(s, row.local_url_code, aff.aff_code or "")})
    return out


def follow_link(s: AppSession, local_url_code: str, aff_code: str):
    """``(redirect_url, affiliate row)`` of a redirect link, or None when the code or affiliate is unknown."""
    r, a = schema.affiliate_redirect, schema.affiliate
    link = s.execute(s.select(r).where(sa.func.lower(r.c.local_url_code) == local_url_code.strip().lower())
                     .order_by(r.c.id).limit(1)).first()
    aff = s.execute(s.select(a).where(sa.func.lower(a.c.aff_code) == aff_code.strip().lower())
                    .order_by(a.c.id).limit(1)).first()
    if link is None or aff is None or link.affiliate_id not in (0, aff.id) or not _active(aff):
        return None
    s.emit("affiliate.link_clicked", "affiliate", aff.id, redirect_id=link.id, code=link.local_url_code)
    return link.redirect_url, aff


def _active(aff) -> bool:
    return aff.status is None or aff.status != 0  # Status 0: inactive (1 active, as the app shows it)


# --- referrals ---------------------------------------------------------------------------------------

def record_referral(s: AppSession, contact_id: int, affiliate_id: int, *, ip: str | None = None,
                    source: str = "", info: str = "", kind: int = 0) -> int | None:
    """The contact was referred by the affiliate (a visit through its link, then a form or an order).
    Type 0: set by the affiliate's tracking cookie. A first referral pays the affiliate's LeadAmt."""
    aff = _affiliate(s, affiliate_id)
    if aff is None or not _active(aff):
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
        _credit(s, aff, float(aff.lead_amt), "lead", contact_id=contact_id, description="Lead commission")
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


# --- commissions -------------------------------------------------------------------------------------

def _credit(s: AppSession, aff, amount: float, commission_type: str, *, contact_id=None, invoice_id=None,
            product_id=None, product_name=None, description="", sale_affiliate_id=None, when=None) -> int:
    entry_id = s.next_id("affiliate_ledger")
    s.insert(schema.affiliate_ledger, dict(
        id=entry_id, affiliate_id=aff.id, kind="commission", amount=round(amount, 2),
        date_earned=when or s.now_local(),
        contact_id=contact_id, invoice_id=invoice_id, product_id=product_id, product_name=product_name,
        description=description, sale_affiliate_id=sale_affiliate_id, commission_type=commission_type))
    s.emit("commission.earned", "affiliate", aff.id, contact_id=contact_id, invoice_id=invoice_id,
           amount=round(amount, 2), commission_type=commission_type)
    return entry_id


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
    made = []
    plans = []
    if sale_id is not None:
        plans.append((sale_id, "sale"))
    if lead_id is not None:
        plans.append((lead_id, "lead"))
    for affiliate_id, commission_type in plans:
        aff = _affiliate(s, affiliate_id)
        if aff is None or not _active(aff):
            continue
        if commission_type == "sale":
            earned = amount * float(aff.sale_percent or 0) / 100.0 if aff.sale_percent else float(aff.sale_amt or 0)
        else:
            earned = amount * float(aff.lead_percent or 0) / 100.0
        if earned <= 0:
            continue
        made.append(_credit(s, aff, earned, commission_type, contact_id=contact_id, invoice_id=invoice_id,
                            product_id=product_id, product_name=product_name,
                            description=f"{commission_type.title()} commission on invoice {invoice_id}",
                            sale_affiliate_id=sale_id, when=_sale_date(s, invoice_id)))
    return made


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


def add_payout(s: AppSession, affiliate_id: int, amount: float, *, when: datetime | None = None,
               pay_type: str = "Check", notes: str = "") -> int:
    entry_id = s.next_id("affiliate_ledger")
    s.insert(schema.affiliate_ledger, dict(id=entry_id, affiliate_id=affiliate_id, kind="payout",
                                           amount=round(float(amount), 2), date_earned=when or s.now_local(),
                                           description=notes, payout_type=pay_type))
    s.emit("affiliate.paid_out", "affiliate", affiliate_id, amount=round(float(amount), 2))
    return entry_id


@on_event
def _listen(s: AppSession, event: Event) -> None:
    if event.type == "invoice.paid":
        on_invoice_paid(s, event.payload)
    elif event.type in ("invoice.deleted", "invoice.refunded"):
        invoice_id = event.payload.get("invoice_id", event.entity_id)
        if invoice_id is not None:
            claw_back(s, int(invoice_id), "Refunded" if event.type == "invoice.refunded" else "Invoice deleted")


# --- reports (APIAffiliateService) -------------------------------------------------------------------

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


# --- the ledger for REST (/affiliates/commissions, /{id}/clawbacks, /{id}/payments) ---------------------

def ledger(s: AppSession, kind: str, *, affiliate_id: int | None = None, since=None, until=None,
           newest_first: bool = False, limit: int = 1000, offset: int = 0) -> tuple[list, int]:
    """``(entries, total)`` of one kind (commission, clawback, payout), optionally of one affiliate and
    between two app-local moments, by date earned."""
    led = schema.affiliate_ledger
    where = [led.c.kind == kind]
    if affiliate_id is not None:
        where.append(led.c.affiliate_id == affiliate_id)
    if since is not None:
        where.append(led.c.date_earned >= since)
    if until is not None:
        where.append(led.c.date_earned <= until)
    total = s.execute(s.select(led, sa.func.count()).where(*where)).scalar_one()
    order = (led.c.date_earned.desc(), led.c.id.desc()) if newest_first else (led.c.date_earned, led.c.id)
    rows = s.execute(s.select(led).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return rows, total


def commission_rows(s: AppSession, entries) -> list[dict]:
    """The report rows of ledger entries (getAffiliateCommissions' keys)."""
    return _commission_rows(s, entries)
