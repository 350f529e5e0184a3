"""/transactions and /orders/{id}/transactions: the payments taken (card charges through a merchant account,
and manual payments), as REST's ``EcommerceReportingTransaction``. A transaction is a Payment row, so one
made by ``InvoiceService.chargeInvoice`` or ``addManualPayment`` reads here too."""
from __future__ import annotations

import sqlalchemy as sa
from pydantic import field_validator

from server.domain.account import settings
from server.domain.session import AppSession
from server.store import schema

from . import orders
from .api import Int, Paging, Request, Shape, envelope, page, route
from .errors import not_found
from .wire import in_datetime, out_datetime

PAY, CC = schema.payment, schema.ccharge


class ListTransactions(Paging):
    contact_id: Int | None = None
    since: str | None = None
    until: str | None = None

    @field_validator("since", "until")
    @classmethod
    def _moment(cls, value):
        in_datetime(value)
        return value


class TransactionShape(Shape):
    id: int
    amount: float | None = None
    currency: str | None = None
    status: str | None = None
    type: str | None = None
    test: bool | None = None
    gateway: str | None = None
    gateway_account_name: str | None = None
    collection_method: str | None = None
    contact_id: int | None = None
    order_ids: str | None = None
    orders: list[dict] = []
    transaction_date: str | None = None
    paymentDate: str | None = None
    errors: str | None = None


class TransactionList(Shape):
    transactions: list[TransactionShape]
    count: int
    next: str | None = None
    previous: str | None = None


def render(s: AppSession, rows) -> list[dict]:
    rows = list(rows)
    inv = schema.invoice
    invoice_ids = sorted({r.invoice_id for r in rows if r.invoice_id})
    job_of = {}
    if invoice_ids:
        job_of = {r.id: r.job_id for r in s.execute(s.select(inv, inv.c.id, inv.c.job_id).where(
            inv.c.id.in_(invoice_ids)))}
    job_ids = sorted(set(job_of.values()))
    rendered = {o["id"]: o for o in orders.render(s, s.execute(s.select(orders.J).where(
        orders.J.c.id.in_(job_ids))).all())} if job_ids else {}
    charge_ids = [r.charge_id for r in rows if r.charge_id]
    charges = {}
    if charge_ids:
        ma = schema.merchant_account
        accounts = {str(a.id): a.name for a in s.execute(s.select(ma))}
        charges = {c.id: accounts.get(c.merchant_id) for c in s.execute(s.select(CC).where(CC.c.id.in_(charge_ids)))}
    currency = settings.profile(s).get("currency_code") or "USD"
    clock = s.clock
    out = []
    for r in rows:
        job_id = job_of.get(r.invoice_id)
        charged = bool(r.charge_id)
        when = out_datetime(r.pay_date, clock)
        out.append({
            "id": r.id, "amount": float(r.pay_amt or 0.0), "currency": currency, "status": "Approved",
            "type": "Sale", "test": charged,  # the sandbox merchant is a test gateway
            "gateway": "Sandbox" if charged else "Manual",
            "gateway_account_name": charges.get(r.charge_id) if charged else None,
            "collection_method": "Credit Card" if charged else (r.pay_type or "Other"),
            "contact_id": r.contact_id, "order_ids": str(job_id) if job_id else "",
            "orders": [rendered[job_id]] if job_id in rendered else [], "transaction_date": when,
            "paymentDate": when,  # camelCase on the wire [doc S1]
            "errors": None,
        })
    return out


def _list(r: Request, where: list, path: str, *, top_level: bool):
    q: ListTransactions = r.query
    s = r.s
    limit, offset = page(q)
    if q.contact_id is not None:
        where.append(PAY.c.contact_id == q.contact_id)
    if q.since:
        where.append(PAY.c.pay_date >= s.clock.to_local(in_datetime(q.since)))
    if q.until:
        where.append(PAY.c.pay_date <= s.clock.to_local(in_datetime(q.until)))
    total = s.execute(s.select(PAY, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(s.select(PAY).where(*where).order_by(PAY.c.id).limit(limit).offset(offset)).all()
    carry = {"contact_id": q.contact_id, "since": q.since, "until": q.until}
    return envelope(r, "transactions", render(s, rows), total, limit, offset, path=path, top_level=top_level,
                    carry=carry)


@route("GET", "/transactions", summary="List transactions", tag="E-Commerce", query=ListTransactions,
       response=TransactionList)
def list_transactions(r: Request):
    return _list(r, [], "/transactions", top_level=True)


@route("GET", "/transactions/{transactionId}", summary="Get a transaction", tag="E-Commerce",
       response=TransactionShape)
def get_transaction(r: Request, transactionId: int):
    row = r.s.get(PAY, transactionId)
    if row is None:
        raise not_found("Transaction")
    return render(r.s, [row])[0]


@route("GET", "/orders/{orderId}/transactions", summary="An order's transactions", tag="E-Commerce",
       query=ListTransactions, response=TransactionList)
def list_order_transactions(r: Request, orderId: int):
    orders.require(r.s, orderId)
    inv = schema.invoice
    invoice_ids = sa.select(inv.c.id).where(inv.c.app_id == r.s.app.id, inv.c.job_id == orderId)
    return _list(r, [PAY.c.invoice_id.in_(invoice_ids)], f"/orders/{orderId}/transactions", top_level=False)
