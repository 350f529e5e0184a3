"""Subscriptions (RecurringOrder) as the REST protocols read them, listed under conditions a page at a time
(REST v2) or in offset windows (REST v1). Subscription plans are read by server.domain.commerce.products."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import custom_fields, listing
from server.store import schema
from server.store.session import AppSession
from server.tables import FORM_SUBSCRIPTION

from .subscriptions import ACTIVE

_ro, _sp = schema.recurring_order, schema.subscription_plan


class SubscriptionRecord(NamedTuple):
    id: int
    contact_id: int | None
    product_id: int | None
    subscription_plan_id: int | None
    active: bool
    status: str | None
    billing_amount: float
    cycle: str  # the BillingCycle code: "1" year, "2" month, "3" week, "6" day
    frequency: int
    quantity: int
    start: datetime | None
    end: datetime | None
    last_bill: datetime | None
    next_bill: datetime | None
    paid_through: datetime | None
    auto_charge: bool
    taxable: bool  # its plan is taxable (tax is added to its renewals)
    credit_card_id: int
    merchant_account_id: int
    max_retry: int
    days_between_retry: int
    lead_affiliate_id: int
    sale_affiliate_id: int
    promo_code: str | None
    shipping_option_id: int | None
    reason_stopped: str | None


# the last thing that changes a subscription by itself is its billing; before its first bill, its start
_MODIFIED = sa.func.coalesce(_ro.c.last_bill_date, _ro.c.start_date)
SUBSCRIPTION_FIELDS = listing.Fields({
    "id": _ro.c.id, "contact_id": _ro.c.contact_id, "subscription_plan_id": _ro.c.subscription_plan_id,
    "status": _ro.c.status, "billing_amount": _ro.c.billing_amt, "modification_time": _MODIFIED,
}, text=frozenset({"status"}))


def _select(s: AppSession) -> sa.Select:
    return (s.select(_ro, _ro, _sp.c.taxable)
            .join(_sp, sa.and_(_sp.c.app_id == _ro.c.app_id, _sp.c.id == _ro.c.subscription_plan_id), isouter=True))


def _record(r) -> SubscriptionRecord:
    return SubscriptionRecord(
        r.id, r.contact_id, r.product_id, r.subscription_plan_id, r.status == ACTIVE, r.status,
        float(r.billing_amt or 0.0), str(r.billing_cycle or "2"), r.frequency or 1, r.qty or 1, r.start_date,
        r.end_date, r.last_bill_date, r.next_bill_date, r.paid_thru_date, bool(r.auto_charge), bool(r.taxable),
        r.cc1 or 0, r.merchant_account_id or 0, r.max_retry or 0, r.num_days_between_retry or 0,
        r.lead_affiliate_id or 0, r.affiliate_id or 0, r.promo_code, r.shipping_option_id or None,
        r.reason_stopped)


def page_subscriptions(s: AppSession, q: listing.ListQuery) -> listing.Page[SubscriptionRecord]:
    """Subscriptions under ``q``: SUBSCRIPTION_FIELDS and the subscription custom fields (``_Name``)."""
    fields = custom_fields.filterable(s, SUBSCRIPTION_FIELDS, FORM_SUBSCRIPTION, schema.recurring_order, q.where)
    return listing.page(s, _select(s), fields, q, _record)


def window_subscriptions(s: AppSession, where: tuple[listing.Condition, ...], limit: int,
                         offset: int) -> tuple[list[SubscriptionRecord], int]:
    select = _select(s)
    rows = s.execute(select.where(*(listing.condition(SUBSCRIPTION_FIELDS, c) for c in where))
                     .order_by(_ro.c.id).limit(limit).offset(offset)).all()
    return [_record(r) for r in rows], listing.count(s, select, SUBSCRIPTION_FIELDS, where)


def get_subscription(s: AppSession, subscription_id: int) -> SubscriptionRecord | None:
    row = s.execute(_select(s).where(_ro.c.id == subscription_id)).first()
    return None if row is None else _record(row)
