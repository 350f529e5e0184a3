"""Subscriptions (the contract's ``Subscriptions`` operations but the subscription model's; the plans are the
products family's).

A subscription is a RecurringOrder made by the domain operation of ``InvoiceService.addRecurringOrder`` and
billed on the app's clock as XML-RPC's are (docs/commerce.md): ``:invoice`` is
``createInvoiceForRecurring`` (every cycle due now on one renewal order), ``:deactivate`` stops it (status
Inactive, its end date now, its reason kept) and its billing. Changes go through DataService's writes of
RecurringOrder, so the same ``subscription.updated`` event and billing schedule follow.

Wire decisions: dates (``start_date``, ``next_bill_date`` …) are the app's calendar dates; ``allow_tax`` is the
plan's ``taxable`` (the sandbox taxes a subscription by its plan); a subscription's ``payment_method_id`` is
its card (``CC1``); ``modification_time`` is its last bill, or its start before that (the store keeps no
modification time of a subscription).
"""
from __future__ import annotations

from server.domain.commerce import cards, order_reads, payment_method_reads, products
from server.domain.commerce import orders as commerce_orders
from server.domain.commerce import subscription_reads as reads
from server.domain.commerce import subscriptions as domain
from server.domain.data import records
from server.domain.session import AppSession
from server.tables import FORM_SUBSCRIPTION

from . import custom_values
from .api import Request, operation
from .custom_filters import with_custom_fields
from .errors import existing, invalid, invalid_field
from .filters import Choice, Id, Ids, Number
from .orders import order_json
from .paging import Listing
from .sales_wire import (
    BILLING_CYCLE_CODES,
    BILLING_CYCLES,
    in_date,
    out_date,
)
from .wire import in_id, out_id, out_time

SUBSCRIPTIONS = Listing(
    filters={"id": Number(), "ids": Ids("id"), "contact_id": Id(), "subscription_plan_id": Id(),
             "subscription_plan_ids": Ids("subscription_plan_id"), "status": Choice(("Active", "Inactive")),
             "billing_amount": Number()},
    order_by={"id": "id", "contact_id": "contact_id", "subscription_plan_id": "subscription_plan_id",
              "modification_time": "modification_time"},
)


# --- answers ------------------------------------------------------------------------------------------

def subscription_json(s: AppSession, r: reads.SubscriptionRecord, customs: dict | None = None) -> dict:
    """``customs``: custom field values by subscription (read for a whole page at once)."""
    customs = custom_values.read(s, FORM_SUBSCRIPTION, [r.id]) if customs is None else customs
    return {
        "id": out_id(r.id), "quantity": r.quantity, "active": r.active, "contact_id": out_id(r.contact_id),
        "product_id": out_id(r.product_id), "subscription_plan_id": out_id(r.subscription_plan_id),
        "billing_amount": r.billing_amount, "auto_charge": r.auto_charge, "billing_frequency": r.frequency,
        "billing_cycle": BILLING_CYCLES.get(r.cycle, "MONTH"), "start_date": out_date(r.start),
        "last_bill_date": out_date(r.last_bill), "next_bill_date": out_date(r.next_bill),
        "end_date": out_date(r.end), "merchant_account_id": out_id(r.merchant_account_id or None),
        "payment_method_id": out_id(r.credit_card_id or None), "allow_tax": r.taxable,
        "max_charge_attempts": r.max_retry, "days_between_retries": r.days_between_retry,
        "lead_affiliate_id": out_id(r.lead_affiliate_id or None),
        "sale_affiliate_id": out_id(r.sale_affiliate_id or None),
        "promo_code": r.promo_code or None, "shipping_option_id": out_id(r.shipping_option_id),
        "reason_stopped": r.reason_stopped or None,
        "modification_time": out_time(r.last_bill or r.start, s.clock), "custom_fields": customs.get(r.id),
    }


def _subscription(s: AppSession, subscription_id: int) -> reads.SubscriptionRecord:
    return existing(reads.get_subscription(s, subscription_id), "Subscription", subscription_id)


def _card(s: AppSession, text: str, contact_id: int, name: str = "payment_method_id") -> int:
    """A card on file of the contact (a 400 naming ``name`` otherwise)."""
    card_id = in_id(text, name)
    card = payment_method_reads.get_card(s, card_id)
    if card is None or card.contact_id != contact_id:
        raise invalid_field(name, f"no card of contact {contact_id} has the id {text}")
    return card_id


_ROW_FIELDS = {"quantity": "Qty", "billing_amount": "BillingAmt", "auto_charge": "AutoCharge",
               "max_charge_attempts": "MaxRetry", "days_between_retries": "NumDaysBetweenRetry",
               "billing_frequency": "Frequency", "billing_cycle": "BillingCycle", "end_date": "EndDate",
               "lead_affiliate_id": "LeadAffiliateId", "sale_affiliate_id": "AffiliateId", "promo_code": "PromoCode",
               "shipping_option_id": "ShippingOptionId", "reason_stopped": "ReasonStopped", "active": "Status",
               "contact_id": "ContactId", "subscription_plan_id": "SubscriptionPlanId",
               "payment_method_id": "CC1"}


def _row_values(r: Request, changed: set[str], contact_id: int) -> dict:
    """RecurringOrder values (DataService names) for the subscription properties ``changed``."""
    body, values = r.body, {}
    for name in changed & set(_ROW_FIELDS):
        value = body.get(name)
        if name in ("quantity", "max_charge_attempts", "days_between_retries", "billing_frequency"):
            if value is None or value < 1:
                raise invalid_field(name, "must be 1 or more")
        elif name == "billing_amount":
            if value is None or value < 0:
                raise invalid_field(name, "must be 0 or more")
        elif name == "active":
            value = domain.ACTIVE if value else domain.INACTIVE
        elif name == "auto_charge":
            value = 1 if value else 0
        elif name == "billing_cycle":
            if value not in BILLING_CYCLE_CODES:
                raise invalid_field(name, f"is one of {', '.join(BILLING_CYCLE_CODES)}")
            value = BILLING_CYCLE_CODES[value]
        elif name == "end_date":
            value = in_date(value, name) if value else None
        elif name in ("lead_affiliate_id", "sale_affiliate_id", "shipping_option_id"):
            value = in_id(value, name) if value else 0
        elif name == "contact_id":
            value = in_id(value or "", name)
            if not order_reads.contacts_by_id(r.s, [value]):
                raise invalid_field(name, f"no contact has the id {body.get(name)}")
        elif name == "subscription_plan_id":
            value = in_id(value or "", name)
            if not products.plans_by_id(r.s, [value]):
                raise invalid_field(name, f"no subscription plan has the id {body.get(name)}")
            values["ProgramId"] = value
        elif name == "payment_method_id":
            value = _card(r.s, value, values.get("ContactId", contact_id)) if value else 0
        elif name in ("promo_code", "reason_stopped"):
            value = value or None
        values[_ROW_FIELDS[name]] = value
    return values


# --- subscriptions ------------------------------------------------------------------------------------

@operation("listSubscriptions")
def list_subscriptions(r: Request) -> dict:
    page = reads.page_subscriptions(r.s, r.list_query(with_custom_fields(r, SUBSCRIPTIONS, FORM_SUBSCRIPTION)))
    customs = custom_values.read(r.s, FORM_SUBSCRIPTION, [x.id for x in page.items])
    return r.page("subscriptions", [subscription_json(r.s, x, customs) for x in page.items], page)


@operation("getSubscription")
def get_subscription(r: Request, subscription_id: int) -> dict:
    return subscription_json(r.s, _subscription(r.s, subscription_id))


@operation("createSubscription")
def create_subscription(r: Request) -> dict:
    """``addRecurringOrder``'s subscription, starting on ``start_date`` ("the first day the subscription will
    bill": its RecurringOrder ``StartDate`` and first ``NextBillDate``; today, now, by default, never in the
    past), charging ``payment_method_id`` (by default the contact's newest card) unless ``auto_charge`` is
    false."""
    s, body = r.s, r.body
    contact_id = in_id(body["contact_id"], "contact_id")
    if not order_reads.contacts_by_id(s, [contact_id]):
        raise invalid_field("contact_id", f"no contact has the id {body['contact_id']}")
    plan_id = in_id(body["subscription_plan_id"], "subscription_plan_id")
    if not products.plans_by_id(s, [plan_id]):
        raise invalid_field("subscription_plan_id", f"no subscription plan has the id {body['subscription_plan_id']}")
    for name in ("quantity", "max_charge_attempts", "days_between_retries"):
        if name in body and body[name] < 1:
            raise invalid_field(name, "must be 1 or more")
    if (body.get("billing_amount") or 0) < 0:
        raise invalid_field("billing_amount", "must be 0 or more")
    auto_charge = body.get("auto_charge", True)
    card_id = _card(s, body["payment_method_id"], contact_id) if body.get("payment_method_id") else \
        cards.latest(s, contact_id) if auto_charge else 0
    now = s.now_local()
    first = now
    if body.get("start_date"):
        day = in_date(body["start_date"], "start_date")
        if day.date() < now.date():
            raise invalid_field("start_date", "must not be in the past")
        first = now if day.date() == now.date() else day
    affiliates = {k: in_id(body[k], k) for k in ("lead_affiliate_id", "sale_affiliate_id") if body.get(k)}
    subscription_id = domain.add(
        s, contact_id, plan_id, allow_duplicate=bool(body.get("allow_duplicate")), qty=body.get("quantity", 1),
        price=body.get("billing_amount"), credit_card_id=card_id, affiliate_id=affiliates.get("sale_affiliate_id", 0),
        lead_affiliate_id=affiliates.get("lead_affiliate_id", 0), promo_code=body.get("promo_code") or None,
        start=first, next_bill=first, auto_charge=auto_charge)
    extra = _row_values(r, {"max_charge_attempts", "days_between_retries", "shipping_option_id", "reason_stopped",
                            "active"} & set(body), contact_id)
    if body.get("custom_fields"):
        extra.update(custom_values.to_fields(s, FORM_SUBSCRIPTION, body["custom_fields"]))
    if extra:
        records.update(s, "RecurringOrder", subscription_id, extra)
    return subscription_json(s, _subscription(s, subscription_id))


_UPDATABLE = tuple(_ROW_FIELDS) + ("next_bill_date", "custom_fields")


@operation("updateSubscription")
def update_subscription(r: Request, subscription_id: int) -> dict:
    """DataService's RecurringOrder fields; ``next_bill_date`` as ``InvoiceService.updateJobRecurringNextBillDate``.
    Its shipping address cannot be changed here: masking it is a 400."""
    s = r.s
    current = _subscription(s, subscription_id)
    changed = r.changed(_UPDATABLE)
    fixed = sorted(changed - set(_UPDATABLE))
    if fixed:
        raise invalid_field(f"update_mask.{fixed[0]}", "the sandbox cannot change this property of a subscription")
    values = _row_values(r, changed, current.contact_id)
    if "custom_fields" in changed:
        values.update(custom_values.to_fields(s, FORM_SUBSCRIPTION, r.body.get("custom_fields") or []))
    if values:
        records.update(s, "RecurringOrder", subscription_id, values)
    if "next_bill_date" in changed:
        if not r.body.get("next_bill_date"):
            raise invalid_field("next_bill_date", "a next bill date cannot be cleared")
        domain.set_next_bill_date(s, subscription_id, in_date(r.body["next_bill_date"], "next_bill_date"))
    return subscription_json(s, _subscription(s, subscription_id))


@operation("cancelSubscription")
def cancel_subscription(r: Request, subscription_id: int) -> None:
    _subscription(r.s, subscription_id)
    domain.cancel(r.s, subscription_id, (r.body or {}).get("reason"))


@operation("invoiceSubscription")
def invoice_subscription(r: Request, subscription_id: int) -> dict:
    """``createInvoiceForRecurring``: one renewal order for every cycle due now; a 400 when none is."""
    sub = _subscription(r.s, subscription_id)
    if not sub.active:
        raise invalid("The subscription is not active")
    invoice_id = domain.create_invoice(r.s, subscription_id)
    if not invoice_id:
        raise invalid(f"No billing cycle of the subscription is due (next bill date {out_date(sub.next_bill)})")
    return order_json(r.s, order_reads.get_order(r.s, commerce_orders.order_of_invoice(r.s, invoice_id)))
