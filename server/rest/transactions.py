"""/transactions and /orders/{id}/transactions: the payments taken (card charges through a merchant account,
and manual payments), as REST's ``EcommerceReportingTransaction``. A transaction is a Payment row, so one
made by ``InvoiceService.chargeInvoice`` or ``addManualPayment`` reads here too."""
from __future__ import annotations

from server.domain.account import settings
from server.domain.commerce import order_reads, payment_reads
from server.domain.data.listing import Condition
from server.domain.session import AppSession

from . import orders
from .api import Int, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import not_found
from .wire import DateTimeText, in_datetime, out_datetime


class ListTransactions(Paging):
    contact_id: Int | None = None
    since: DateTimeText | None = None
    until: DateTimeText | None = None


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


TransactionList = list_shape("TransactionList", "transactions", TransactionShape)


def render(s: AppSession, found: list[payment_reads.PaymentRecord]) -> list[dict]:
    rendered = {o["id"]: o for o in orders.render(s, list(order_reads.orders_by_id(
        s, [p.order_id for p in found if p.order_id]).values()))}
    currency = settings.profile(s).get("currency_code") or "USD"
    clock = s.clock
    out = []
    for p in found:
        charged = p.charge_id is not None
        when = out_datetime(p.pay_time, clock)
        out.append({
            "id": p.id, "amount": p.amount, "currency": currency, "status": "Approved",
            "type": "Sale", "test": charged,  # the sandbox merchant is a test gateway
            "gateway": "Sandbox" if charged else "Manual",
            "gateway_account_name": p.merchant_name if charged else None,
            "collection_method": "Credit Card" if charged else (p.pay_type or "Other"),
            "contact_id": p.contact_id, "order_ids": str(p.order_id) if p.order_id else "",
            "orders": [rendered[p.order_id]] if p.order_id in rendered else [], "transaction_date": when,
            "paymentDate": when,  # camelCase on the wire [doc S1]
            "errors": None,
        })
    return out


def _list(r: Request, where: list, path: str, *, top_level: bool):
    q: ListTransactions = r.query
    s = r.s
    limit, offset = page(q)
    if q.contact_id is not None:
        where.append(Condition("contact_id", "eq", q.contact_id))
    if q.since:
        where.append(Condition("pay_time", "ge", s.clock.to_local(in_datetime(q.since))))
    if q.until:
        where.append(Condition("pay_time", "le", s.clock.to_local(in_datetime(q.until))))
    found, total = payment_reads.window_payments(s, tuple(where), limit, offset)
    carry = {"contact_id": q.contact_id, "since": q.since, "until": q.until}
    return envelope(r, "transactions", render(s, found), total, limit, offset, path=path, top_level=top_level,
                    carry=carry)


@route("GET", "/transactions", summary="List transactions", tag="E-Commerce", query=ListTransactions,
       response=TransactionList)
def list_transactions(r: Request):
    return _list(r, [], "/transactions", top_level=True)


@route("GET", "/transactions/{transactionId}", summary="Get a transaction", tag="E-Commerce",
       response=TransactionShape)
def get_transaction(r: Request, transactionId: int):
    found = payment_reads.get_payment(r.s, transactionId)
    if found is None:
        raise not_found("Transaction")
    return render(r.s, [found])[0]


@route("GET", "/orders/{orderId}/transactions", summary="An order's transactions", tag="E-Commerce",
       query=ListTransactions, response=TransactionList)
def list_order_transactions(r: Request, orderId: int):
    orders.require(r.s, orderId)
    return _list(r, [Condition("order_id", "eq", orderId)], f"/orders/{orderId}/transactions", top_level=False)
