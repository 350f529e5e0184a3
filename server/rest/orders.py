"""/orders: list, create with items, get, delete, items, payments (manual and card charges through the sandbox
merchant), the payment plan and the model. An order is a Job with its invoice; every write goes through the
same domain operations as InvoiceService and OrderService, so an order placed with ``OrderService.placeOrder``
reads here, and a payment made here settles the invoice (``invoice.paid``, the purchase goal) as
``InvoiceService.chargeInvoice`` does."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, field_validator

from server.domain.commerce import cards, invoices, payments
from server.domain.commerce import order_reads as reads
from server.domain.commerce import orders as domain
from server.domain.commerce import products as commerce_products
from server.domain.data.listing import Condition
from server.domain.session import AppSession
from server.tables import FORM_ORDER

from . import custom, products
from .api import Body, Int, NonNegative, Paging, Reply, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request, not_found
from .wire import Amount, DateTimeText, country_code, country_name, in_datetime, out_datetime

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
# AddressInformation (REST): the order's shipping fields (server.domain.commerce.order_reads.Shipping)
SHIPPING = ("first_name", "middle_name", "last_name", "company", "phone", "line1", "line2", "locality", "region",
            "zip_code")


# --- shapes -------------------------------------------------------------------------------------------


class CreateOrderItem(Body):
    product_id: Int
    quantity: Int = Field(ge=1)
    price: Amount | None = None  # a string in the spec [doc S1]; numbers are accepted too
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
    is_invoice_to_company: StrictBool | None = None


class CreateOrder(Body):
    contact_id: Int
    order_date: DateTimeText
    order_title: str = Field(min_length=1)
    order_type: Literal["Offline", "Online"]
    order_items: list[CreateOrderItem] = Field(min_length=1)
    promo_codes: list[str] | None = None
    lead_affiliate_id: Int | None = None
    sales_affiliate_id: Int | None = None
    shipping_address: ShippingAddress | None = None


class CreatePayment(Body):
    payment_method_type: Literal["CREDIT_CARD", "CASH", "CHECK", "TOKEN"] | None = None
    payment_amount: Amount | None = None  # a string in the spec [doc S1]
    charge_now: StrictBool | None = None
    credit_card_id: Int | None = None
    payment_gateway_id: Int | str | None = None
    date: DateTimeText | None = None
    notes: str | None = None
    apply_to_commissions: StrictBool | None = None

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
    use_default: StrictBool | None = None


class PaymentPlanBody(Body):
    days_between_payments: Int = Field(ge=0)
    number_of_payments: Int = Field(ge=0)
    plan_start_date: DateTimeText
    initial_payment_amount: NonNegative | None = None
    initial_payment_date: DateTimeText | None = None
    auto_charge: StrictBool | None = None
    credit_card_id: Int | None = None
    payment_gateway: PaymentGateway | None = None


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


OrderList = list_shape("OrderList", "orders", OrderShape)


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
    since: DateTimeText | None = None
    until: DateTimeText | None = None


# --- reading (server.domain.commerce.order_reads) -----------------------------------------------------

def _product_json(p: reads.ProductBrief | None) -> dict | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "sku": p.sku, "description": p.description, "shippable": p.shippable,
            "taxable": p.taxable}


def contact_json(c: reads.ContactBrief | None) -> dict | None:
    if c is None:
        return None
    return {"id": c.id, "email": c.email, "first_name": c.first_name, "last_name": c.last_name,
            "company_name": c.company, "job_title": c.job_title}


def _plans(s: AppSession, items) -> dict[int, dict]:
    found = commerce_products.plans_by_id(s, [i.subscription_plan_id for i in items])
    return {plan_id: products.plan_json(plan, 0, single=False) for plan_id, plan in found.items()}


def item_json(item: reads.ItemRecord, plans: dict) -> dict:
    return {"id": item.id, "name": item.name, "description": item.description, "notes": item.notes,
            "type": ITEM_TYPES.get(item.item_type, "UNKNOWN"), "price": item.price, "cost": item.cost,
            "discount": item.discount, "quantity": item.quantity, "product": _product_json(item.product),
            "jobRecurringId": None, "specialAmount": None, "specialId": None, "specialPctOrAmt": None,
            "subscriptionPlan": plans.get(item.subscription_plan_id)}  # camelCase on the wire [doc S1]


def _payment_plan(s: AppSession, plan: reads.PaymentPlanRecord | None) -> dict | None:
    if plan is None:
        return None
    clock = s.clock
    return {"auto_charge": plan.auto_charge, "credit_card_id": plan.credit_card_id,
            "days_between_payments": plan.days_between, "initial_payment_amount": plan.initial_amount,
            "initial_payment_date": out_datetime(plan.initial_date, clock),
            "number_of_payments": plan.number_of_payments,
            "payment_gateway": {"merchant_account_id": plan.merchant_account_id,
                                "use_default": not plan.merchant_account_id},
            "plan_start_date": out_datetime(plan.start_date, clock)}


def render(s: AppSession, orders: list[reads.OrderRecord]) -> list[dict]:
    plans = _plans(s, [i for o in orders for i in o.items])
    clock = s.clock
    out = []
    for o in orders:
        has_invoice = o.invoice_id is not None
        ship = o.shipping
        out.append({
            "id": o.id, "title": o.title, "status": "PAID" if o.paid else "DRAFT",
            "order_type": o.order_type, "source_type": "API",
            "contact": contact_json(o.contact), "contact_id": o.contact_id,
            "order_date": out_datetime(o.order_time, clock), "creation_date": out_datetime(o.created, clock),
            "modification_date": out_datetime(o.modified, clock),
            "total": o.total, "total_due": o.total_due, "total_paid": o.total_paid,
            "refund_total": 0.0,  # the API cannot refund (seed 003 FAQ)
            "allow_payment": not o.paid, "allow_paypal": False, "recurring": o.subscription_id is not None,
            "invoice_number": o.invoice_id, "lead_affiliate_id": o.lead_affiliate_id,
            "sales_affiliate_id": o.sale_affiliate_id, "terms": None, "notes": o.notes, "product_id": o.product_id,
            "order_items": [item_json(i, plans) for i in o.items],
            "payment_plan": _payment_plan(s, o.payment_plan) if has_invoice else None,
            "shipping_information": {**{prop: getattr(ship, prop) for prop in SHIPPING},
                                     "zip_four": None, "country_code": country_code(ship.country) or ship.country,
                                     "is_invoice_to_company": False},
        })
    return out


def require(s: AppSession, order_id: int) -> reads.OrderRecord:
    found = reads.get_order(s, order_id)
    if found is None:
        raise not_found("Order")
    return found


def load(s: AppSession, order_id: int) -> dict:
    return render(s, [require(s, order_id)])[0]


def invoiced(s: AppSession, order_id: int) -> reads.OrderRecord:
    """The order, which must have its invoice."""
    order = require(s, order_id)
    if order.invoice_id is None:
        raise not_found("Order")
    return order


# --- routes -------------------------------------------------------------------------------------------

_V1_ORDER = {None: "id", "order_date": "order_time", "update_date": "modification_time"}


@route("GET", "/orders", summary="List orders", tag="E-Commerce", query=ListOrders, response=OrderList)
def list_orders(r: Request):
    q: ListOrders = r.query
    s = r.s
    limit, offset = page(q)
    where = []
    if q.contact_id is not None:
        where.append(Condition("contact_id", "eq", q.contact_id))
    if q.since:
        where.append(Condition("order_time", "ge", s.clock.to_local(in_datetime(q.since))))
    if q.until:
        where.append(Condition("order_time", "le", s.clock.to_local(in_datetime(q.until))))
    if q.paid is not None:
        where.append(Condition("paid", "eq", bool(q.paid)))
    if q.product_id is not None:
        where.append(Condition(reads.PRODUCT, "eq", q.product_id))
    found, total = reads.window_orders(s, tuple(where), _V1_ORDER[q.order], limit, offset)
    carry = {"contact_id": q.contact_id, "product_id": q.product_id, "paid": q.paid, "order": q.order,
             "since": q.since, "until": q.until}
    return envelope(r, "orders", render(s, found), total, limit, offset, path="/orders", carry=carry)


@route("POST", "/orders", summary="Create an order", tag="E-Commerce", body=CreateOrder, response=OrderShape,
       status=201)
def create_order(r: Request):
    body: CreateOrder = r.body
    s = r.s
    if not reads.contacts_by_id(s, [body.contact_id]):
        raise bad_request(f"Invalid contact id: {body.contact_id}")
    shipping = {}
    if body.shipping_address is not None:
        a = body.shipping_address
        shipping = {prop: getattr(a, prop) for prop in SHIPPING if getattr(a, prop) is not None}
        if a.country_code:
            shipping["country"] = country_name(a.country_code) or a.country_code
    items = [{"product_id": i.product_id, "quantity": i.quantity, "price": i.price, "description": i.description}
             for i in body.order_items]
    known = reads.products_by_id(s, [i["product_id"] for i in items])
    for item in items:
        if item["product_id"] not in known:
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
    order = invoiced(s, orderId)
    body: CreateOrderItem = r.body
    product = reads.products_by_id(s, [body.product_id]).get(body.product_id)
    if product is None:
        raise bad_request(f"Invalid product id: {body.product_id}")
    price = product.price if body.price is None else body.price
    item_id = domain.add_line(s, order.invoice_id, body.product_id, invoices.PRODUCT, price, body.quantity,
                              body.description or "", "")
    return item_json(reads.item_of(s, orderId, item_id), {})


@route("DELETE", "/orders/{orderId}/items/{orderItemId}", summary="Remove an item from an order",
       tag="E-Commerce", status=204)
def delete_order_item(r: Request, orderId: int, orderItemId: int):
    invoiced(r.s, orderId)
    if reads.item_of(r.s, orderId, orderItemId) is None:
        raise not_found("OrderItem")
    domain.remove_order_item(r.s, orderId, orderItemId)


@route("PUT", "/orders/{orderId}/paymentPlan", summary="Replace an order's payment plan", tag="E-Commerce",
       body=PaymentPlanBody, response=PaymentPlanShape)
def replace_payment_plan(r: Request, orderId: int):
    s = r.s
    order = invoiced(s, orderId)
    body: PaymentPlanBody = r.body
    start = s.clock.to_local(in_datetime(body.plan_start_date))
    initial_date = s.clock.to_local(in_datetime(body.initial_payment_date)) if body.initial_payment_date else start
    gateway = body.payment_gateway
    merchant_id = gateway.merchant_account_id or 0 if gateway and not gateway.use_default else 0
    if body.auto_charge and not body.credit_card_id:
        raise bad_request("credit_card_id is required when auto_charge is true")
    domain.set_payment_plan(s, order.invoice_id, auto_charge=bool(body.auto_charge),
                            card_id=body.credit_card_id or 0, merchant_account_id=merchant_id, days_between_retry=0,
                            max_retry=0, initial_amount=body.initial_payment_amount or 0.0,
                            initial_date=initial_date, start_date=start, payments_count=body.number_of_payments,
                            days_between=body.days_between_payments)
    return _payment_plan(s, reads.payment_plan(s, order.invoice_id))


def invoice_payments(s: AppSession, invoice_id: int) -> list[dict]:
    clock = s.clock
    return [{"id": p.id, "invoice_id": p.invoice_id, "payment_id": p.payment_id, "amount": p.amount,
             "pay_date": out_datetime(p.pay_time, clock), "pay_status": p.pay_status, "note": p.note or "",
             "last_updated": out_datetime(p.last_updated, clock), "refund_invoice_payment_id": 0,
             "skip_commission": p.skip_commission} for p in reads.invoice_payments(s, invoice_id)]


@route("GET", "/orders/{orderId}/payments", summary="An order's payments", tag="E-Commerce",
       response={"type": "array", "items": {"type": "object"}})
def list_order_payments(r: Request, orderId: int):
    return invoice_payments(r.s, invoiced(r.s, orderId).invoice_id)  # a bare array [doc S1]


_MANUAL_TYPES = {"CASH": "Cash", "CHECK": "Check", "CREDIT_CARD": "Credit Card (Manual)"}


@route("POST", "/orders/{orderId}/payments", summary="Pay an order: a manual payment or a card charge",
       tag="E-Commerce", body=CreatePayment, response=PaymentResult, status=201)
def create_order_payment(r: Request, orderId: int):
    s = r.s
    order = invoiced(s, orderId)
    body: CreatePayment = r.body
    method = body.payment_method_type or "CREDIT_CARD"
    if method == "TOKEN":
        raise bad_request("TOKEN payments are not supported by the sandbox merchant; use CREDIT_CARD")
    amount = body.payment_amount if body.payment_amount is not None else order.total_due
    if amount <= 0:
        raise bad_request("payment_amount must be greater than 0 (and the order must have an amount due)")
    bypass = body.apply_to_commissions is False
    if method == "CREDIT_CARD" and body.charge_now:
        card_id = body.credit_card_id or cards.latest(s, order.contact_id)
        if not card_id:
            raise bad_request("credit_card_id is required to charge a card")
        try:
            merchant_id = int(body.payment_gateway_id or 0)
        except ValueError:
            raise bad_request(f"Invalid payment_gateway_id: {body.payment_gateway_id}") from None
        if amount > order.total_due:
            raise bad_request("payment_amount is more than the amount due")
        result = payments.charge_invoice(s, order.invoice_id, body.notes or "", card_id, merchant_id, bypass,
                                         amount=amount)
        if not result["Successful"]:
            # the decline is committed (invoice.payment_failed: the failed-purchase goal) and answered as a 400
            return Reply({"message": result["Message"]}, 400)
    else:
        when = s.clock.to_local(in_datetime(body.date)) if body.date else s.now_local()
        payments.add_manual_payment(s, order.invoice_id, amount, when, _MANUAL_TYPES[method], body.notes or "",
                                    bypass)
    made = reads.invoice_payment_of(s, order.invoice_id, reads.last_payment_id(s, order.invoice_id))
    return {"id": made.payment_id, "invoice_id": order.invoice_id, "transaction_id": made.payment_id,
            "payment_amount": made.amount, "payment_status": "Paid"}
