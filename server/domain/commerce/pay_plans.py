"""Payment plans (PayPlan, PayPlanItem): what part of an invoice is due on which date.

Every invoice has a plan: by default one instalment of its whole total, due on the invoice date.
InvoiceService.addPaymentPlan replaces it with an initial payment and equal instalments; with autoCharge,
each instalment is charged on its due date (server.domain.commerce.billing), retried after declines.
Payments are applied to the instalments in due-date order.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.session import AppSession

from .amounts import money

DEFAULT_PLAN, CUSTOM_PLAN = 0, 1  # PayPlan.Type
ITEM_UNPAID, ITEM_PAID = 1, 2  # PayPlanItem.Status


def create_default(s: AppSession, invoice_id: int, date: datetime) -> int:
    plan_id = s.next_id("pay_plan")
    s.insert(schema.pay_plan, dict(id=plan_id, invoice_id=invoice_id, date_due=date, amt_due=0.0, type=DEFAULT_PLAN,
                                   init_date=date, start_date=date, first_pay_amt=0.0, auto_charge=False))
    s.insert(schema.pay_plan_item, dict(id=s.next_id("pay_plan_item"), pay_plan_id=plan_id, date_due=date,
                                        amt_due=0.0, status=ITEM_UNPAID, amt_paid=0.0))
    return plan_id


def plan_of(s: AppSession, invoice_id: int):
    pp = schema.pay_plan
    return s.execute(s.select(pp).where(pp.c.invoice_id == invoice_id).order_by(pp.c.id.desc()).limit(1)).first()


def items_of(s: AppSession, plan_id: int) -> list:
    it = schema.pay_plan_item
    return s.execute(s.select(it).where(it.c.pay_plan_id == plan_id).order_by(it.c.date_due, it.c.id)).all()


def sync(s: AppSession, invoice_id: int, total: float, paid: float) -> None:
    """Follow the invoice's total (default plan) and spread what was paid over the instalments."""
    plan = plan_of(s, invoice_id)
    if plan is None:
        return
    items = items_of(s, plan.id)
    it = schema.pay_plan_item
    if plan.type == DEFAULT_PLAN:
        if plan.amt_due != total:
            s.update(schema.pay_plan, schema.pay_plan.c.id == plan.id, amt_due=total, first_pay_amt=total)
        if items and items[0].amt_due != total:
            s.update(it, it.c.id == items[0].id, amt_due=total)
            items = items_of(s, plan.id)
    left = paid
    for item in items:
        applied = money(min(max(left, 0.0), item.amt_due or 0.0))
        left = money(left - applied)
        status = ITEM_PAID if (item.amt_due or 0) > 0 and applied >= item.amt_due else ITEM_UNPAID
        if applied != item.amt_paid or status != item.status:
            s.update(it, it.c.id == item.id, amt_paid=applied, status=status)


def due_by(s: AppSession, invoice_id: int, moment: datetime) -> float:
    """What is due on the invoice's plan at ``moment``: the unpaid part of the instalments due by then."""
    plan = plan_of(s, invoice_id)
    if plan is None:
        return 0.0
    return money(sum((i.amt_due or 0) - (i.amt_paid or 0) for i in items_of(s, plan.id) if i.date_due <= moment))


MOST_PAYMENTS = 1000  # instalments of one plan


def add_payment_plan(s: AppSession, invoice, *, auto_charge: bool, credit_card_id: int, merchant_account_id: int,
                     days_between_retry: int, max_retry: int, initial_amount: float, initial_date: datetime,
                     start_date: datetime, payments: int, days_between: int) -> tuple[list[int], list[int]]:
    """Replace the invoice's plan with ``initial_amount`` on ``initial_date`` and ``payments`` equal
    instalments every ``days_between`` days from ``start_date`` (the initial payment is not one of them).
    Returns the ids of the instalments removed and of the new ones."""
    due = money((invoice.invoice_total or 0) - (invoice.total_paid or 0))
    initial = money(initial_amount)
    if initial < 0 or payments < 0 or days_between < 0 or days_between_retry < 0 or max_retry < 0:
        raise InvalidParameter("Payment plan amounts, counts and days cannot be negative")
    if initial > due:
        raise InvalidParameter(f"The initial payment ({initial}) is more than the amount due ({due})")
    rest = money(due - initial)
    if rest > 0 and payments == 0:
        raise InvalidParameter("numberOfPayments must be at least 1 when the initial payment leaves an amount due")
    if payments > 1 and days_between == 0:
        raise InvalidParameter("daysBetweenPayments must be at least 1")
    if payments > MOST_PAYMENTS:  # (each is a row: a sandbox's bound, docs/divergences.md)
        raise InvalidParameter(f"numberOfPayments can be at most {MOST_PAYMENTS}")
    if payments:
        try:
            start_date + timedelta(days=days_between * (payments - 1))
        except OverflowError:
            raise InvalidParameter("The payment plan's last payment would fall after the year 9999") from None

    old = plan_of(s, invoice.id)
    it = schema.pay_plan_item
    old_items = [i.id for i in items_of(s, old.id)] if old else []
    if old_items:
        s.delete(it, it.c.id.in_(old_items))
    schedule: list[tuple[datetime, float]] = []
    if initial > 0:
        schedule.append((initial_date, initial))
    if payments:
        share = money(int(rest * 100 / payments) / 100)
        for n in range(payments):
            amount = share if n < payments - 1 else money(rest - share * (payments - 1))
            schedule.append((start_date + timedelta(days=days_between * n), amount))
    values = dict(type=CUSTOM_PLAN, auto_charge=bool(auto_charge), credit_card_id=credit_card_id or None,
                  merchant_account_id=merchant_account_id, days_between_retry=days_between_retry,
                  max_retry=max_retry, init_date=initial_date, start_date=start_date, first_pay_amt=initial,
                  amt_due=due, date_due=schedule[-1][0] if schedule else initial_date)
    if old is None:
        plan_id = s.next_id("pay_plan")
        s.insert(schema.pay_plan, dict(values, id=plan_id, invoice_id=invoice.id))
    else:
        plan_id = old.id
        s.update(schema.pay_plan, schema.pay_plan.c.id == plan_id, **values)
    new_ids = []
    for when, amount in schedule:
        item_id = s.next_id("pay_plan_item")
        s.insert(it, dict(id=item_id, pay_plan_id=plan_id, date_due=when, amt_due=amount, status=ITEM_UNPAID,
                          amt_paid=0.0))
        new_ids.append(item_id)
    s.update(schema.invoice, schema.invoice.c.id == invoice.id, pay_plan_status=1)
    sync(s, invoice.id, money(invoice.invoice_total or 0), money(invoice.total_paid or 0))
    return old_items, new_ids


def delete_for_invoice(s: AppSession, invoice_id: int) -> list[int]:
    """Delete the invoice's plans; returns the ids of the instalments deleted."""
    pp, it = schema.pay_plan, schema.pay_plan_item
    plan_ids = [r.id for r in s.execute(s.select(pp, pp.c.id).where(pp.c.invoice_id == invoice_id))]
    if not plan_ids:
        return []
    item_ids = [r.id for r in s.execute(s.select(it, it.c.id).where(it.c.pay_plan_id.in_(plan_ids)))]
    s.delete(it, it.c.pay_plan_id.in_(plan_ids))
    s.delete(pp, pp.c.id.in_(plan_ids))
    return item_ids

