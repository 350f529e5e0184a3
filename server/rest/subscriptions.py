"""/subscriptions: list, create and the model. A subscription is a RecurringOrder made by the same domain
operation as ``InvoiceService.addRecurringOrder``, billed on the app's clock by server.domain.commerce.billing."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import Field, field_validator

from server.domain.commerce import cards, merchant
from server.domain.commerce import subscriptions as domain
from server.domain.commerce.subscriptions import CYCLES
from server.domain.session import AppSession
from server.store import schema
from server.tables import FORM_SUBSCRIPTION

from . import custom
from .api import Body, Int, Paging, Request, Shape, envelope, page, route
from .errors import bad_request
from .wire import in_date, out_datetime

RO = schema.recurring_order
FORM = FORM_SUBSCRIPTION


class CreateSubscription(Body):
    """CreateSubscription [doc S1]."""

    contact_id: Int
    subscription_plan_id: Int
    allow_duplicate: bool | None = None
    allow_tax: bool | None = None
    auto_charge: bool | None = None
    billing_amount: float | None = Field(default=None, ge=0)
    credit_card_id: Int | None = None
    first_bill_date: str | None = None
    payment_gateway_id: Int | None = None
    quantity: Int | None = Field(default=None, ge=1)
    sale_affiliate_id: Int | None = None

    @field_validator("first_bill_date")
    @classmethod
    def _date(cls, value):
        in_date(value)
        return value


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


class SubscriptionList(Shape):
    subscriptions: list[SubscriptionShape]
    count: int
    next: str | None = None
    previous: str | None = None


class ListSubscriptions(Paging):
    contact_id: Int | None = None


def render(s: AppSession, rows) -> list[dict]:
    rows = list(rows)
    sp = schema.subscription_plan
    plan_ids = sorted({r.subscription_plan_id for r in rows if r.subscription_plan_id})
    taxable = {}
    if plan_ids:
        taxable = {p.id: bool(p.taxable) for p in s.execute(s.select(sp, sp.c.id, sp.c.taxable)
                                                             .where(sp.c.id.in_(plan_ids)))}
    clock = s.clock
    return [{
        "id": r.id, "contact_id": r.contact_id, "product_id": r.product_id,
        "subscription_plan_id": r.subscription_plan_id, "active": r.status == domain.ACTIVE,
        "billing_amount": float(r.billing_amt or 0.0),
        "billing_cycle": CYCLES.get(str(r.billing_cycle or "2"), "month").upper(),
        "billing_frequency": r.frequency or 1, "quantity": r.qty or 1,
        "start_date": out_datetime(r.start_date, clock), "end_date": out_datetime(r.end_date, clock),
        "next_bill_date": out_datetime(r.next_bill_date, clock), "auto_charge": bool(r.auto_charge),
        "allow_tax": taxable.get(r.subscription_plan_id, False), "credit_card_id": r.cc1 or 0,
        "payment_gateway_id": r.merchant_account_id or 0, "sale_affiliate_id": r.affiliate_id or 0,
        "use_default_payment_gateway": not r.merchant_account_id,
    } for r in rows]


@route("GET", "/subscriptions", summary="List subscriptions", tag="E-Commerce", query=ListSubscriptions,
       response=SubscriptionList)
def list_subscriptions(r: Request):
    q: ListSubscriptions = r.query
    s = r.s
    limit, offset = page(q)
    where = [RO.c.contact_id == q.contact_id] if q.contact_id is not None else []
    total = s.execute(s.select(RO, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(s.select(RO).where(*where).order_by(RO.c.id).limit(limit).offset(offset)).all()
    return envelope(r, "subscriptions", render(s, rows), total, limit, offset, path="/subscriptions",
                    carry={"contact_id": q.contact_id})


@route("POST", "/subscriptions", summary="Create a subscription", tag="E-Commerce", body=CreateSubscription,
       response=SubscriptionShape, status=201)
def create_subscription(r: Request):
    body: CreateSubscription = r.body
    s = r.s
    contact = s.get(schema.contact, body.contact_id)
    if contact is None or contact.kind != "contact":
        raise bad_request(f"Invalid contact id: {body.contact_id}")
    if s.get(schema.subscription_plan, body.subscription_plan_id, schema.subscription_plan.c.id) is None:
        raise bad_request(f"Invalid subscription_plan_id: {body.subscription_plan_id}")
    auto_charge = body.auto_charge is not False  # "Defaults to true" [doc S1]
    card_id = body.credit_card_id or (cards.latest(s, body.contact_id) if auto_charge else 0)
    if body.credit_card_id:
        card = s.get(schema.credit_card, body.credit_card_id)
        if card is None or card.contact_id != body.contact_id:
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
        credit_card_id=card_id, affiliate_id=body.sale_affiliate_id or 0, start=now, next_bill=first)
    if not auto_charge and s.get(RO, subscription_id).auto_charge:
        s.update(RO, RO.c.id == subscription_id, auto_charge=0)
    return render(s, [s.get(RO, subscription_id)])[0]


@route("GET", "/subscriptions/model", summary="The subscription model", tag="E-Commerce",
       response=custom.ObjectModel)
def subscription_model(r: Request):
    return custom.model(r.s, FORM, [])
