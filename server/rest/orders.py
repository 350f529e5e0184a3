"""/orders: list, create with items, get, delete, items, payments (manual and card charges through the sandbox
merchant), the payment plan and the model. An order is a Job with its invoice; every write goes through the
same domain operations as InvoiceService and OrderService, so an order placed with ``OrderService.placeOrder``
reads here, and a payment made here settles the invoice (``invoice.paid``, the purchase goal) as
``InvoiceService.chargeInvoice`` does."""
from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field, field_validator

from server.domain.commerce import cards, invoices, pay_plans, payments
from server.domain.commerce import orders as domain
from server.domain.commerce.products import plans_by_id
from server.domain.session import AppSession
from server.store import schema
from server.tables import FORM_ORDER

from . import custom
from .api import Body, Int, Paging, Reply, Request, Shape, envelope, page, route
from .errors import bad_request, not_found
from .wire import country_code, country_name, in_datetime, out_datetime

J, INV = schema.job, schema.invoice
FORM = FORM_ORDER

# OrderItem.ItemType -> the REST item type (names of InvoiceService's type codes; the REST spelling is
# unrecorded, docs/divergences.md)
ITEM_TYPES = {
    invoices.UNKNOWN: "UNKNOWN", invoices.SHIPPING: "SHIPPING", invoices.TAX: "TAX", invoices.SERVICE: "SERVICE",
    invoices.PRODUCT: "PRODUCT", invoices.UPSELL: "UPSELL", invoices.FINANCE_CHARGE: "FINANCE_CHARGE",
    invoices.SPECIAL: "SPECIAL", invoices.PROGRAM: "PROGRAM", invoices.SUBSCRIPTION: "SUBSCRIPTION",
    invoices.FREE_TRIAL: "SPECIAL_FREE_TRIAL_DAYS", invoices.ORDER_TOTAL_SPECIAL: "SPECIAL_ORDER_TOTAL",
    invoices.PRODUCT_SPECIAL: "SPECIAL_PRODUCT", invoices.CATEGORY_SPECIAL: "SPECIAL_CATEGORY",
    invoices.SHIPPING_SPECIAL: "SPECIAL_SHIPPING",
}
# AddressInformation (REST) <-> the Job's shipping fields
SHIPPING = {"first_name": "ship_first_name", "middle_name": "ship_middle_name", "last_name": "ship_last_name",
            "company": "ship_company", "phone": "ship_phone", "line1": "ship_street1", "line2": "ship_street2",
            "locality": "ship_city", "region": "ship_state", "zip_code": "ship_zip"}


# --- shapes -------------------------------------------------------------------------------------------

def _moment(value):
    in_datetime(value)
    return value


class CreateOrderItem(Body):
    product_id: Int
    quantity: Int = Field(ge=1)
    price: float | str | None = None  # a string in the spec [doc S1]; numbers are accepted too
    description: str | None = None
    product_type: Literal["PRODUCT", "DIGITAL"] | None = None

    @field_validator("price")
    @classmethod
    def _price(cls, value):
        if value is None:
            return None
        try:
            price = float(value)
        except ValueError:
            raise ValueError("price must be a number") from None
        if price < 0:
            raise ValueError("price must be greater than or equal to 0")
        return price


class ShippingAddress(Body):
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    phone: str | None = None
    line1: str | None = None
    line2: str | None = None
    locality: str | None = None
    region: str | None = None
    zip_code: str | None = None
    zip_four: str | None = None
    country_code: str | None = None
    is_invoice_to_company: bool | None = None


class CreateOrder(Body):
    contact_id: Int
    order_date: str
    order_title: str = Field(min_length=1)
    order_type: Literal["Offline", "Online"]
    order_items: list[CreateOrderItem] = Field(min_length=1)
    promo_codes: list[str] | None = None
    lead_affiliate_id: Int | None = None
    sales_affiliate_id: Int | None = None
    shipping_address: ShippingAddress | None = None

    _date = field_validator("order_date")(_moment)


class CreatePayment(Body):
    payment_method_type: Literal["CREDIT_CARD", "CASH", "CHECK", "TOKEN"] | None = None
    payment_amount: float | str | None = None  # a string in the spec [doc S1]
    charge_now: bool | None = None
    credit_card_id: Int | None = None
    payment_gateway_id: Int | str | None = None
    date: str | None = None
    notes: str | None = None
    apply_to_commissions: bool | None = None

    _date = field_validator("date")(_moment)

    @field_validator("payment_amount")
    @classmethod
    def _amount(cls, value):
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise ValueError("payment_amount must be a number") from None


class PaymentGateway(Body):
    merchant_account_id: Int | None = None
    use_default: bool | None = None


class PaymentPlanBody(Body):
    days_between_payments: Int = Field(ge=0)
    number_of_payments: Int = Field(ge=0)
    plan_start_date: str
    initial_payment_amount: float | None = Field(default=None, ge=0)
    initial_payment_date: str | None = None
    auto_charge: bool | None = None
    credit_card_id: Int | None = None
    payment_gateway: PaymentGateway | None = None

    _dates = field_validator("plan_start_date", "initial_payment_date")(_moment)


class OrderShape(Shape):
    id: int
    title: str | None = None
    status: str | None = None
    contact: dict | None = None
    order_date: str | None = None
    total: float | None = None
    total_due: float | None = None
    total_paid: float | None = None
    order_items: list[dict] = []


class OrderList(Shape):
    orders: list[OrderShape]
    count: int
    next: str | None = None
    previous: str | None = None


class OrderItemShape(Shape):
    id: int
    name: str | None = None
    quantity: int | None = None
    price: float | None = None
    product: dict | None = None


class PaymentResult(Shape):
    id: int
    invoice_id: int
    transaction_id: int | None = None
    payment_amount: float
    payment_status: str


class PaymentPlanShape(Shape):
    auto_charge: bool | None = None
    credit_card_id: int | None = None
    days_between_payments: int | None = None
    initial_payment_amount: float | None = None
    initial_payment_date: str | None = None
    number_of_payments: int | None = None
    payment_gateway: dict | None = None
    plan_start_date: str | None = None


class ListOrders(Paging):
    contact_id: Int | None = None
    product_id: Int | None = None
    paid: bool | None = None
    order: Literal["order_date", "update_date"] | None = None
    since: str | None = None
    until: str | None = None

    _dates = field_validator("since", "until")(_moment)


# --- reading ------------------------------------------------------------------------------------------

def _invoices(s: AppSession, job_ids: list[int]) -> dict[int, object]:
    """The (first) invoice of each order."""
    out: dict[int, object] = {}
    if job_ids:
        for row in s.execute(s.select(INV).where(INV.c.job_id.in_(job_ids)).order_by(INV.c.id)):
            out.setdefault(row.job_id, row)
    return out


def _lines(s: AppSession, invoice_ids: list[int]) -> dict[int, list]:
    if not invoice_ids:
        return {}
    ii, oi = schema.invoice_item, schema.order_item
    q = (sa.select(ii.c.invoice_id, ii.c.invoice_amt, ii.c.discount, oi)
         .select_from(ii.join(oi, sa.and_(oi.c.app_id == ii.c.app_id, oi.c.id == ii.c.order_item_id)))
         .where(ii.c.app_id == s.app.id, ii.c.invoice_id.in_(invoice_ids)).order_by(ii.c.id))
    out: dict[int, list] = {}
    for row in s.execute(q):
        out.setdefault(row.invoice_id, []).append(row)
    return out


def _products(s: AppSession, ids) -> dict[int, dict]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    p = schema.product
    return {r.id: {"id": r.id, "name": r.product_name, "sku": r.sku, "description": r.short_description,
                   "shippable": bool(r.shippable), "taxable": bool(r.taxable)}
            for r in s.execute(s.select(p).where(p.c.id.in_(ids)))}


def _plans(s: AppSession, ids) -> dict[int, dict]:
    from . import products

    return {p.id: products.plan_json(p, 0, single=False)
            for p in plans_by_id(s, sorted({i for i in ids if i})).values()}


def contacts_of(s: AppSession, ids) -> dict[int, dict]:
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    c = schema.contact
    q = s.select(c, c.c.id, c.c.email, c.c.first_name, c.c.last_name, c.c.company, c.c.job_title).where(
        c.c.id.in_(ids))
    return {r.id: {"id": r.id, "email": r.email, "first_name": r.first_name, "last_name": r.last_name,
                   "company_name": r.company, "job_title": r.job_title} for r in s.execute(q)}


def item_json(row, products: dict, plans: dict) -> dict:
    return {"id": row.id, "name": row.item_name, "description": row.item_description, "notes": row.notes,
            "type": ITEM_TYPES.get(row.item_type, "UNKNOWN"), "price": float(row.ppu or 0.0),
            "cost": float(row.cpu) if row.cpu is not None else None, "discount": float(row.discount or 0.0),
            "quantity": row.qty, "product": products.get(row.product_id),
            "jobRecurringId": None, "specialAmount": None, "specialId": None, "specialPctOrAmt": None,
            "subscriptionPlan": plans.get(row.subscription_plan_id)}  # camelCase on the wire [doc S1]


def _payment_plan(s: AppSession, invoice) -> dict | None:
    plan = pay_plans.plan_of(s, invoice.id) if invoice is not None else None
    if plan is None:
        return None
    items = pay_plans.items_of(s, plan.id)
    initial = float(plan.first_pay_amt or 0.0) if plan.type == pay_plans.CUSTOM_PLAN else 0.0
    instalments = items[1:] if initial > 0 else items
    between = (instalments[1].date_due - instalments[0].date_due).days if len(instalments) > 1 else 0
    clock = s.clock
    return {"auto_charge": bool(plan.auto_charge), "credit_card_id": plan.credit_card_id or 0,
            "days_between_payments": between, "initial_payment_amount": initial,
            "initial_payment_date": out_datetime(plan.init_date, clock),
            "number_of_payments": len(instalments),
            "payment_gateway": {"merchant_account_id": plan.merchant_account_id or 0,
                                "use_default": not plan.merchant_account_id},
            "plan_start_date": out_datetime(plan.start_date, clock)}


def render(s: AppSession, jobs) -> list[dict]:
    jobs = list(jobs)
    by_job = _invoices(s, [j.id for j in jobs])
    lines = _lines(s, [i.id for i in by_job.values()])
    all_lines = [row for rows in lines.values() for row in rows]
    products, plans = _products(s, [r.product_id for r in all_lines]), _plans(s, [r.subscription_plan_id
                                                                                   for r in all_lines])
    contacts = contacts_of(s, [j.contact_id for j in jobs])
    clock = s.clock
    out = []
    for j in jobs:
        inv = by_job.get(j.id)
        paid = inv is not None and inv.pay_status == invoices.PAID
        country = j.ship_country
        out.append({
            "id": j.id, "title": j.job_title, "status": "PAID" if paid else "DRAFT",
            "order_type": j.order_type, "source_type": "API",
            "contact": contacts.get(j.contact_id), "contact_id": j.contact_id,
            "order_date": out_datetime(j.start_date or j.date_created, clock),
            "creation_date": out_datetime(j.date_created, clock),
            "modification_date": out_datetime(inv.last_updated if inv is not None else j.date_created, clock),
            "total": float(inv.invoice_total or 0.0) if inv is not None else 0.0,
            "total_due": float(inv.total_due or 0.0) if inv is not None else 0.0,
            "total_paid": float(inv.total_paid or 0.0) if inv is not None else 0.0,
            "refund_total": 0.0,  # the API cannot refund (seed 003 FAQ)
            "allow_payment": not paid, "allow_paypal": False, "recurring": j.job_recurring_id is not None,
            "invoice_number": inv.id if inv is not None else None,
            "lead_affiliate_id": int(inv.lead_affiliate_id or 0) if inv is not None else 0,
            "sales_affiliate_id": int(inv.affiliate_id or 0) if inv is not None else 0,
            "terms": None, "notes": j.job_notes, "product_id": j.product_id,
            "order_items": [item_json(r, products, plans) for r in lines.get(inv.id, [])] if inv is not None else [],
            "payment_plan": _payment_plan(s, inv),
            "shipping_information": {**{prop: getattr(j, col) for prop, col in SHIPPING.items()},
                                     "zip_four": None, "country_code": country_code(country) or country,
                                     "is_invoice_to_company": False},
        })
    return out


def require(s: AppSession, order_id: int):
    row = s.get(J, order_id)
    if row is None:
        raise not_found("Order")
    return row


def load(s: AppSession, order_id: int) -> dict:
    return render(s, [require(s, order_id)])[0]


def invoice_of(s: AppSession, order_id: int):
    require(s, order_id)
    invoice_id = domain.invoice_of_order(s, order_id)
    if not invoice_id:
        raise not_found("Order")
    return s.get(INV, invoice_id)


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/orders", summary="List orders", tag="E-Commerce", query=ListOrders, response=OrderList)
def list_orders(r: Request):
    q: ListOrders = r.query
    s = r.s
    limit, offset = page(q)
    order_date = sa.func.coalesce(J.c.start_date, J.c.date_created)
    where = []
    if q.contact_id is not None:
        where.append(J.c.contact_id == q.contact_id)
    if q.since:
        where.append(order_date >= s.clock.to_local(in_datetime(q.since)))
    if q.until:
        where.append(order_date <= s.clock.to_local(in_datetime(q.until)))
    inv_join = J.join(INV, sa.and_(INV.c.app_id == J.c.app_id, INV.c.job_id == J.c.id), isouter=True)
    if q.paid is not None:
        paid = INV.c.pay_status == invoices.PAID
        where.append(paid if q.paid else sa.or_(INV.c.pay_status.is_(None), ~paid))
    if q.product_id is not None:
        oi = schema.order_item
        where.append(J.c.id.in_(sa.select(oi.c.order_id).where(oi.c.app_id == s.app.id,
                                                               oi.c.product_id == q.product_id)))
    base = sa.select(J).select_from(inv_join).where(J.c.app_id == s.app.id, *where)
    total = s.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    ordering = [INV.c.last_updated, J.c.id] if q.order == "update_date" else [order_date, J.c.id]
    if q.order is None:
        ordering = [J.c.id]
    rows = s.execute(base.order_by(*ordering).limit(limit).offset(offset)).all()
    carry = {"contact_id": q.contact_id, "product_id": q.product_id, "paid": q.paid, "order": q.order,
             "since": q.since, "until": q.until}
    return envelope(r, "orders", render(s, rows), total, limit, offset, path="/orders", carry=carry)


@route("POST", "/orders", summary="Create an order", tag="E-Commerce", body=CreateOrder, response=OrderShape,
       status=201)
def create_order(r: Request):
    body: CreateOrder = r.body
    s = r.s
    if s.get(schema.contact, body.contact_id) is None:
        raise bad_request(f"Invalid contact id: {body.contact_id}")
    shipping = {}
    if body.shipping_address is not None:
        a = body.shipping_address
        shipping = {col: getattr(a, prop) for prop, col in SHIPPING.items() if getattr(a, prop) is not None}
        if a.country_code:
            shipping["ship_country"] = country_name(a.country_code) or a.country_code
    items = [{"product_id": i.product_id, "quantity": i.quantity, "price": i.price, "description": i.description}
             for i in body.order_items]
    for item in items:
        if s.get(schema.product, item["product_id"], schema.product.c.id) is None:
            raise bad_request(f"Invalid product id: {item['product_id']}")
    job_id, _ = domain.create_order(
        s, body.contact_id, body.order_title, s.clock.to_local(in_datetime(body.order_date)), body.order_type, items,
        promo_codes=body.promo_codes or (), lead_affiliate_id=body.lead_affiliate_id or 0,
        sale_affiliate_id=body.sales_affiliate_id or 0, shipping=shipping)
    return load(s, job_id)


@route("GET", "/orders/model", summary="The order model", tag="E-Commerce", response=custom.ObjectModel)
def order_model(r: Request):
    return custom.model(r.s, FORM, [])


@route("GET", "/orders/{orderId}", summary="Get an order", tag="E-Commerce", response=OrderShape)
def get_order(r: Request, orderId: int):
    return load(r.s, orderId)


@route("DELETE", "/orders/{orderId}", summary="Delete an order (one without payments)", tag="E-Commerce",
       status=204)
def delete_order(r: Request, orderId: int):
    require(r.s, orderId)
    domain.delete_order(r.s, orderId)


@route("POST", "/orders/{orderId}/items", summary="Add an item to an order", tag="E-Commerce",
       body=CreateOrderItem, response=OrderItemShape, status=201)
def create_order_item(r: Request, orderId: int):
    s = r.s
    inv = invoice_of(s, orderId)
    body: CreateOrderItem = r.body
    product = s.get(schema.product, body.product_id)
    if product is None:
        raise bad_request(f"Invalid product id: {body.product_id}")
    price = product.product_price or 0.0 if body.price is None else body.price
    domain.add_order_item(s, inv.id, body.product_id, invoices.PRODUCT, price, body.quantity,
                          body.description or "", "")
    oi = schema.order_item
    item_id = s.execute(s.select(oi, sa.func.max(oi.c.id)).where(oi.c.order_id == orderId)).scalar_one()
    row = next(x for x in _lines(s, [inv.id]).get(inv.id, []) if x.id == item_id)
    return item_json(row, _products(s, [row.product_id]), {})


@route("DELETE", "/orders/{orderId}/items/{orderItemId}", summary="Remove an item from an order",
       tag="E-Commerce", status=204)
def delete_order_item(r: Request, orderId: int, orderItemId: int):
    invoice_of(r.s, orderId)
    oi = schema.order_item
    row = r.s.get(oi, orderItemId, oi.c.order_id)
    if row is None or row.order_id != orderId:
        raise not_found("OrderItem")
    domain.remove_order_item(r.s, orderId, orderItemId)


@route("PUT", "/orders/{orderId}/paymentPlan", summary="Replace an order's payment plan", tag="E-Commerce",
       body=PaymentPlanBody, response=PaymentPlanShape)
def replace_payment_plan(r: Request, orderId: int):
    s = r.s
    inv = invoice_of(s, orderId)
    body: PaymentPlanBody = r.body
    start = s.clock.to_local(in_datetime(body.plan_start_date))
    initial_date = s.clock.to_local(in_datetime(body.initial_payment_date)) if body.initial_payment_date else start
    gateway = body.payment_gateway
    merchant_id = gateway.merchant_account_id or 0 if gateway and not gateway.use_default else 0
    if body.auto_charge and not body.credit_card_id:
        raise bad_request("credit_card_id is required when auto_charge is true")
    domain.set_payment_plan(s, inv.id, auto_charge=bool(body.auto_charge), card_id=body.credit_card_id or 0,
                            merchant_account_id=merchant_id, days_between_retry=0, max_retry=0,
                            initial_amount=body.initial_payment_amount or 0.0, initial_date=initial_date,
                            start_date=start, payments_count=body.number_of_payments,
                            days_between=body.days_between_payments)
    return _payment_plan(s, s.get(INV, inv.id))


def invoice_payments(s: AppSession, invoice_id: int) -> list[dict]:
    ip, p = schema.invoice_payment, schema.payment
    q = (sa.select(ip, p.c.pay_note).select_from(ip.join(p, sa.and_(p.c.app_id == ip.c.app_id,
                                                                    p.c.id == ip.c.payment_id), isouter=True))
         .where(ip.c.app_id == s.app.id, ip.c.invoice_id == invoice_id).order_by(ip.c.id))
    clock = s.clock
    return [{"id": row.id, "invoice_id": row.invoice_id, "payment_id": row.payment_id, "amount": float(row.amt or 0),
             "pay_date": out_datetime(row.pay_date, clock), "pay_status": row.pay_status, "note": row.pay_note or "",
             "last_updated": out_datetime(row.last_updated, clock), "refund_invoice_payment_id": 0,
             "skip_commission": bool(row.skip_commission)} for row in s.execute(q)]


@route("GET", "/orders/{orderId}/payments", summary="An order's payments", tag="E-Commerce",
       response={"type": "array", "items": {"type": "object"}})
def list_order_payments(r: Request, orderId: int):
    return invoice_payments(r.s, invoice_of(r.s, orderId).id)  # a bare array [doc S1]


_MANUAL_TYPES = {"CASH": "Cash", "CHECK": "Check", "CREDIT_CARD": "Credit Card (Manual)"}


@route("POST", "/orders/{orderId}/payments", summary="Pay an order: a manual payment or a card charge",
       tag="E-Commerce", body=CreatePayment, response=PaymentResult, status=201)
def create_order_payment(r: Request, orderId: int):
    s = r.s
    inv = invoice_of(s, orderId)
    body: CreatePayment = r.body
    method = body.payment_method_type or "CREDIT_CARD"
    if method == "TOKEN":
        raise bad_request("TOKEN payments are not supported by the sandbox merchant; use CREDIT_CARD")
    amount = body.payment_amount if body.payment_amount is not None else float(inv.total_due or 0.0)
    if amount <= 0:
        raise bad_request("payment_amount must be greater than 0 (and the order must have an amount due)")
    bypass = body.apply_to_commissions is False
    p = schema.payment
    before = s.execute(s.select(p, sa.func.max(p.c.id)).where(p.c.invoice_id == inv.id)).scalar_one() or 0
    if method == "CREDIT_CARD" and body.charge_now:
        card_id = body.credit_card_id or cards.latest(s, inv.contact_id)
        if not card_id:
            raise bad_request("credit_card_id is required to charge a card")
        try:
            merchant_id = int(body.payment_gateway_id or 0)
        except ValueError:
            raise bad_request(f"Invalid payment_gateway_id: {body.payment_gateway_id}") from None
        if amount > float(inv.total_due or 0.0):
            raise bad_request("payment_amount is more than the amount due")
        result = payments.charge_invoice(s, inv.id, body.notes or "", card_id, merchant_id, bypass, amount=amount)
        if not result["Successful"]:
            # the decline is committed (invoice.payment_failed: the failed-purchase goal) and answered as a 400
            return Reply({"message": result["Message"]}, 400)
    else:
        when = s.clock.to_local(in_datetime(body.date)) if body.date else s.now_local()
        payments.add_manual_payment(s, inv.id, amount, when, _MANUAL_TYPES[method], body.notes or "", bypass)
    row = s.execute(s.select(p).where(p.c.invoice_id == inv.id, p.c.id > before).order_by(p.c.id.desc())).first()
    return {"id": row.id, "invoice_id": inv.id, "transaction_id": row.id, "payment_amount": float(row.pay_amt),
            "payment_status": "Paid"}
