"""/subscriptions: list, create and the model. A subscription is a RecurringOrder made by the same domain
operation as ``InvoiceService.addRecurringOrder``, billed on the app's clock by server.domain.commerce.billing."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictBool

from server.domain.commerce import cards, invoices, merchant, products
from server.domain.commerce import subscription_reads as reads
from server.domain.commerce import subscriptions as domain
from server.domain.commerce.subscriptions import CYCLES
from server.domain.data.listing import Condition
from server.domain.errors import RecordNotFound
from server.domain.session import AppSession
from server.tables import FORM_SUBSCRIPTION

from . import custom
from .api import Body, Int, NonNegative, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request
from .wire import DateText, in_date, out_datetime

FORM = FORM_SUBSCRIPTION


class CreateSubscription(Body):
    """CreateSubscription [doc S1]."""

    contact_id: Int
    subscription_plan_id: Int
    allow_duplicate: StrictBool | None = None
    allow_tax: StrictBool | None = None
    auto_charge: StrictBool | None = None
    billing_amount: NonNegative | None = None
    credit_card_id: Int | None = None
    first_bill_date: DateText | None = None
    payment_gateway_id: Int | None = None
    quantity: Int | None = Field(default=None, ge=1)
    sale_affiliate_id: Int | None = None


class SubscriptionShape(Shape):
    id: int
    contact_id: int | None = None
    product_id: int | None = None
    subscription_plan_id: int | None = None
    active: bool | None = None
    billing_amount: float | None = None
    billing_cycle: str | None = None
    billing_frequency: int | None = None
    quantity: int | None = None
    start_date: str | None = None
    end_date: str | None = None
    next_bill_date: str | None = None
    auto_charge: bool | None = None
    allow_tax: bool | None = None
    credit_card_id: int | None = None
    payment_gateway_id: int | None = None
    sale_affiliate_id: int | None = None
    use_default_payment_gateway: bool | None = None


SubscriptionList = list_shape("SubscriptionList", "subscriptions", SubscriptionShape)


class ListSubscriptions(Paging):
    contact_id: Int | None = None


def render(s: AppSession, found: list[reads.SubscriptionRecord]) -> list[dict]:
    clock = s.clock
    return [{
        "id": r.id, "contact_id": r.contact_id, "product_id": r.product_id,
        "subscription_plan_id": r.subscription_plan_id, "active": r.active, "billing_amount": r.billing_amount,
        "billing_cycle": CYCLES.get(r.cycle, "month").upper(), "billing_frequency": r.frequency,
        "quantity": r.quantity, "start_date": out_datetime(r.start, clock), "end_date": out_datetime(r.end, clock),
        "next_bill_date": out_datetime(r.next_bill, clock), "auto_charge": r.auto_charge, "allow_tax": r.taxable,
        "credit_card_id": r.credit_card_id, "payment_gateway_id": r.merchant_account_id,
        "sale_affiliate_id": r.sale_affiliate_id, "use_default_payment_gateway": not r.merchant_account_id,
    } for r in found]


@route("GET", "/subscriptions", summary="List subscriptions", tag="E-Commerce", query=ListSubscriptions,
       response=SubscriptionList)
def list_subscriptions(r: Request):
    q: ListSubscriptions = r.query
    limit, offset = page(q)
    where = (Condition("contact_id", "eq", q.contact_id),) if q.contact_id is not None else ()
    found, total = reads.window_subscriptions(r.s, where, limit, offset)
    return envelope(r, "subscriptions", render(r.s, found), total, limit, offset, path="/subscriptions",
                    carry={"contact_id": q.contact_id})


def _owned_card(s: AppSession, card_id: int, contact_id: int) -> bool:
    try:
        return cards.require(s, card_id).contact_id == contact_id
    except RecordNotFound:
        return False


@route("POST", "/subscriptions", summary="Create a subscription", tag="E-Commerce", body=CreateSubscription,
       response=SubscriptionShape, status=201)
def create_subscription(r: Request):
    body: CreateSubscription = r.body
    s = r.s
    try:
        invoices.require_contact(s, body.contact_id)
    except RecordNotFound:
        raise bad_request(f"Invalid contact id: {body.contact_id}") from None
    if not products.plans_by_id(s, [body.subscription_plan_id]):
        raise bad_request(f"Invalid subscription_plan_id: {body.subscription_plan_id}")
    auto_charge = body.auto_charge is not False  # "Defaults to true" [doc S1]
    card_id = body.credit_card_id or (cards.latest(s, body.contact_id) if auto_charge else 0)
    if body.credit_card_id and not _owned_card(s, body.credit_card_id, body.contact_id):
        raise bad_request(f"Invalid credit_card_id: {body.credit_card_id}")
    if body.payment_gateway_id and merchant.account(s, body.payment_gateway_id) is None:
        raise bad_request(f"Invalid payment_gateway_id: {body.payment_gateway_id}")
    now = s.now_local()
    first = now
    if body.first_bill_date:
        day = in_date(body.first_bill_date)
        if day.date() < now.date():
            raise bad_request("first_bill_date must not be in the past")  # [doc S1]
        first = now if day.date() == now.date() else datetime(day.year, day.month, day.day)
    subscription_id = domain.add(
        s, body.contact_id, body.subscription_plan_id, allow_duplicate=bool(body.allow_duplicate),
        qty=body.quantity or 1, price=body.billing_amount, merchant_account_id=body.payment_gateway_id or 0,
        credit_card_id=card_id, affiliate_id=body.sale_affiliate_id or 0, start=now, next_bill=first,
        auto_charge=auto_charge)
    return render(s, [reads.get_subscription(s, subscription_id)])[0]


@route("GET", "/subscriptions/model", summary="The subscription model", tag="E-Commerce",
       response=custom.ObjectModel)
def subscription_model(r: Request):
    return custom.model(r.s, FORM, [])
