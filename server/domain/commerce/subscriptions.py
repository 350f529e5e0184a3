"""Subscriptions (RecurringOrder, internally JobRecurring) and their billing cycles.

A subscription bills on its ``NextBillDate``: each due cycle becomes a line on a renewal invoice (an order
whose ``JobRecurringId`` is the subscription) and a JobRecurringInstance row; then the next bill date moves on
by a cycle. ``InvoiceService.createInvoiceForRecurring`` does this now, for every cycle due; the sandbox also
does it by itself on the app's clock (server.domain.commerce.billing), charging the subscription's card when
``AutoCharge`` is on ("Subscriptions are billed automatically", the vendor docs say).

``BillingCycle`` / ``SubscriptionPlan.Cycle`` are the codes "1" year, "2" month, "3" week, "6" day (commonly
reported; spec §7 #28 leaves them unconfirmed); names (``Month``, ``MONTH``) are accepted on writes.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from server.domain.account.settings import app_setting
from server.domain.data import custom_fields, records
from server.domain.data.records import PLAIN, Values, Writer
from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession, Event
from server.tables import REGISTRY

from . import billing, cards, invoices, products
from .amounts import money

RECURRING_ORDER = REGISTRY.get("RecurringOrder")
ACTIVE, INACTIVE = "Active", "Inactive"
INSTANCE_BILLED, INSTANCE_PAID = 1, 2  # JobRecurringInstance.Status
CYCLES = {"1": "year", "2": "month", "3": "week", "6": "day"}
_CYCLE_NAMES = {name: code for code, name in CYCLES.items()}
_CYCLE_NAMES.update({"yearly": "1", "annual": "1", "monthly": "2", "weekly": "3", "daily": "6"})
MAX_CYCLES_PER_INVOICE = 1000


def cycle_code(value) -> str:
    text = str(value).strip().lower()
    if text in CYCLES:
        return text
    code = _CYCLE_NAMES.get(text)
    if code is None:
        raise InvalidParameter(f"Invalid billing cycle: {value} (1 year, 2 month, 3 week, 6 day)")
    return code


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def advance(moment: datetime, cycle: str, frequency: int, times: int = 1) -> datetime:
    unit = CYCLES.get(str(cycle or "2"), "month")
    n = max(int(frequency or 1), 1) * times
    if unit == "year":
        return add_months(moment, 12 * n)
    if unit == "month":
        return add_months(moment, n)
    if unit == "week":
        return moment + timedelta(weeks=n)
    return moment + timedelta(days=n)


def require(s: AppSession, subscription_id: int):
    row = s.get(schema.recurring_order, subscription_id)
    if row is None:
        raise not_found("RecurringOrder", subscription_id)
    return row


def _setting(s: AppSession, name: str, default: int) -> int:
    try:
        return int(app_setting(s, "Order", name) or default)
    except ValueError:
        return default


def add(s: AppSession, contact_id: int, plan_id: int, *, allow_duplicate: bool = True, qty: int = 1,
        price: float | None = None, merchant_account_id: int = 0, credit_card_id: int = 0,
        affiliate_id: int = 0, lead_affiliate_id: int = 0, days_till_charge: int = 0,
        originating_order_id: int | None = None, promo_code: str | None = None, start: datetime | None = None,
        next_bill: datetime | None = None, auto_charge: bool = True) -> int:
    """A new active subscription of ``contact_id`` to ``plan_id``, first billed ``days_till_charge`` days
    from now (or on ``next_bill``); without ``allow_duplicate``, an active subscription of the contact to the
    same plan is returned instead. It charges ``credit_card_id`` on its bill dates unless ``auto_charge`` is
    off."""
    invoices.require_contact(s, contact_id)
    plan = products.plan(s, plan_id)
    ro = schema.recurring_order
    if not allow_duplicate:
        existing = s.execute(s.select(ro, ro.c.id).where(ro.c.contact_id == contact_id,
                                                         ro.c.subscription_plan_id == plan_id,
                                                         ro.c.status == ACTIVE).order_by(ro.c.id).limit(1)).first()
        if existing is not None:
            return existing.id
    if days_till_charge < 0:
        raise InvalidParameter("daysTillCharge cannot be negative")
    products.quantity(qty)
    if credit_card_id:
        cards.require(s, credit_card_id)
    start = start or s.now_local()
    next_bill = next_bill or start + timedelta(days=days_till_charge)
    subscription_id = s.next_id("recurring_order")
    s.insert(ro, dict(
        id=subscription_id, contact_id=contact_id, originating_order_id=originating_order_id, program_id=plan_id,
        subscription_plan_id=plan_id, product_id=plan.product_id, start_date=start, next_bill_date=next_bill,
        billing_cycle=plan.cycle or "2", frequency=plan.frequency or 1,
        billing_amt=money(plan.plan_price or 0.0 if price is None else price), status=ACTIVE,
        auto_charge=1 if credit_card_id and auto_charge else 0, cc1=credit_card_id or None,
        num_days_between_retry=_setting(s, "defaultnumdaysbetween", 3),
        max_retry=_setting(s, "defaultmaxretry", 3), merchant_account_id=merchant_account_id or 0,
        affiliate_id=affiliate_id or 0, lead_affiliate_id=lead_affiliate_id or 0, promo_code=promo_code, qty=qty))
    s.emit("subscription.added", "recurring_order", subscription_id, contact_id=contact_id, plan_id=plan_id,
           product_id=plan.product_id)
    billing.schedule(s, "subscription", subscription_id, next_bill)
    return subscription_id


def cancel(s: AppSession, subscription_id: int, reason: str | None = None) -> None:
    """Stop a subscription: Inactive from now, with the reason it stopped if one is given (DataService's write
    of RecurringOrder, so its end date, events and hooks are a cancellation's wherever it comes from)."""
    values = {"Status": INACTIVE}
    if reason:
        values["ReasonStopped"] = reason
    records.update(s, "RecurringOrder", subscription_id, values)


def active_of(s: AppSession, contact_id: int, product_id: int | None = None) -> list[int]:
    """The ids of the contact's active subscriptions (to ``product_id`` if given), oldest first."""
    ro = schema.recurring_order
    where = [ro.c.contact_id == contact_id, ro.c.status == ACTIVE]
    if product_id is not None:
        where.append(ro.c.product_id == product_id)
    return [row.id for row in s.execute(s.select(ro, ro.c.id).where(*where).order_by(ro.c.id))]


def due_cycles(sub, now: datetime) -> list[datetime]:
    starts: list[datetime] = []
    moment = sub.next_bill_date
    while moment is not None and moment <= now and len(starts) < MAX_CYCLES_PER_INVOICE:
        starts.append(moment)
        moment = advance(moment, sub.billing_cycle, sub.frequency)
    return starts


def bill_cycles(s: AppSession, sub, invoice, starts: list[datetime], *, at: datetime | None = None) -> datetime:
    """Lines on ``invoice`` for the cycles starting at ``starts``; returns the end of the last one."""
    plan = s.get(schema.subscription_plan, sub.subscription_plan_id)
    name = products.plan_name(s, plan) if plan else f"Subscription {sub.id}"
    now = at or s.now_local()
    end = starts[-1]
    jri = schema.job_recurring_instance
    for start in starts:
        end = advance(start, sub.billing_cycle, sub.frequency)
        description = f"{name} ({start:%m/%d/%Y} - {end:%m/%d/%Y})"
        item_id = invoices.add_item(s, invoice, product_id=sub.product_id or 0, item_type=invoices.SUBSCRIPTION,
                                    price=sub.billing_amt or 0.0, qty=sub.qty or 1, description=description,
                                    name=name, subscription_plan_id=sub.subscription_plan_id)
        s.insert(jri, dict(id=s.next_id("job_recurring_instance"), recurring_id=sub.id, invoice_item_id=item_id,
                           status=INSTANCE_BILLED, auto_charge=sub.auto_charge or 0, start_date=start, end_date=end,
                           date_created=now, description=description))
    return end


def create_invoice(s: AppSession, subscription_id: int) -> int:
    """InvoiceService.createInvoiceForRecurring: one invoice for every cycle due now; 0 when none is."""
    sub = require(s, subscription_id)
    if sub.status != ACTIVE:
        return 0
    now = s.now_local()
    starts = due_cycles(sub, now)
    if not starts:
        return 0
    plan = s.get(schema.subscription_plan, sub.subscription_plan_id)
    name = products.plan_name(s, plan) if plan else f"Subscription {sub.id}"
    _, invoice_id = invoices.create_order(
        s, sub.contact_id, name, now, lead_affiliate_id=sub.lead_affiliate_id or 0,
        sale_affiliate_id=sub.affiliate_id or 0, order_type="Online", recurring_id=sub.id,
        promo_codes=[sub.promo_code] if sub.promo_code else ())
    invoice = s.get(schema.invoice, invoice_id)
    end = bill_cycles(s, sub, invoice, starts)
    if plan is not None and plan.taxable:
        invoices.recalculate_tax(s, invoice_id)
    invoices.refresh(s, invoice_id)
    ro = schema.recurring_order
    s.update(ro, ro.c.id == sub.id, next_bill_date=end, last_bill_date=now)
    s.emit("subscription.updated", "recurring_order", sub.id, contact_id=sub.contact_id, invoice_id=invoice_id,
           cycles=len(starts), fields=["NextBillDate", "LastBillDate"])
    billing.schedule(s, "subscription", sub.id, end)
    return invoice_id


def on_invoice_paid(s: AppSession, event: Event) -> None:
    """On ``invoice.paid`` (subscribed before any other listener of it, so they see the subscription paid
    through): the invoice's subscription cycles are paid."""
    invoice = s.get(schema.invoice, event.entity_id)
    if invoice is not None:
        cycles_paid(s, invoice)


def cycles_paid(s: AppSession, invoice) -> None:
    """The invoice was paid: its cycles are paid, and their subscriptions are paid through their end."""
    jri, ii = schema.job_recurring_instance, schema.invoice_item
    item_ids = [r.id for r in s.execute(s.select(ii, ii.c.id).where(ii.c.invoice_id == invoice.id))]
    if not item_ids:
        return
    rows = s.execute(s.select(jri).where(jri.c.invoice_item_id.in_(item_ids))).all()
    if not rows:
        return
    s.update(jri, jri.c.id.in_([r.id for r in rows]), status=INSTANCE_PAID)
    ro = schema.recurring_order
    for subscription_id in {r.recurring_id for r in rows}:
        through = max(r.end_date for r in rows if r.recurring_id == subscription_id)
        sub = s.get(ro, subscription_id)
        if sub is not None and (sub.paid_thru_date is None or sub.paid_thru_date < through):
            s.update(ro, ro.c.id == subscription_id, paid_thru_date=through)


def set_next_bill_date(s: AppSession, subscription_id: int, when) -> bool:
    sub = require(s, subscription_id)
    moment = invoices.local_date(s, when, "nextBillDate")
    ro = schema.recurring_order
    s.update(ro, ro.c.id == subscription_id, next_bill_date=moment)
    s.emit("subscription.updated", "recurring_order", subscription_id, contact_id=sub.contact_id,
           fields=["NextBillDate"])
    if sub.status == ACTIVE:
        billing.schedule(s, "subscription", subscription_id, moment)
    return True


def delete(s: AppSession, subscription_id: int) -> bool:
    """Delete the subscription and every invoice of its renewals (their orders, lines and payments)."""
    sub = require(s, subscription_id)
    j, inv = schema.job, schema.invoice
    renewal_invoices = s.execute(
        s.select(inv, inv.c.id).select_from(inv.join(j, (j.c.app_id == inv.c.app_id) & (j.c.id == inv.c.job_id)))
        .where(j.c.job_recurring_id == subscription_id).order_by(inv.c.id)).all()
    for r in renewal_invoices:
        invoices.delete_invoice(s, r.id)
    jri = schema.job_recurring_instance
    s.delete(jri, jri.c.recurring_id == subscription_id)
    co = schema.commission_override
    s.delete(co, co.c.recurring_order_id == subscription_id)
    billing.cancel(s, "subscription", [subscription_id])
    custom_fields.delete_values(s, subscription_id, RECURRING_ORDER.custom_form)
    s.delete(schema.recurring_order, schema.recurring_order.c.id == subscription_id)
    s.emit("subscription.deleted", "recurring_order", subscription_id, contact_id=sub.contact_id,
           invoices_deleted=[r.id for r in renewal_invoices])
    return True


# --- DataService writes --------------------------------------------------------------------------------

def _add(s: AppSession, table, values: Values) -> int:
    row = dict(values.columns)
    if row.get("contact_id"):
        invoices.require_contact(s, row["contact_id"])
    plan_id = row.get("subscription_plan_id") or row.get("program_id")
    plan = s.get(schema.subscription_plan, plan_id) if plan_id else None
    if plan_id and plan is None:
        raise not_found("SubscriptionPlan", plan_id)
    now = s.now_local()
    row.setdefault("status", ACTIVE)
    row["status"] = row["status"] or ACTIVE
    if row.get("start_date") is None:
        row["start_date"] = now
    row["next_bill_date"] = row["start_date"]
    if plan is not None:
        row.setdefault("subscription_plan_id", plan.id)
        row.setdefault("program_id", plan.id)
        if row.get("product_id") is None:
            row["product_id"] = plan.product_id
        if row.get("billing_cycle") is None:
            row["billing_cycle"] = plan.cycle
        if row.get("frequency") is None:
            row["frequency"] = plan.frequency
        if row.get("billing_amt") is None:
            row["billing_amt"] = plan.plan_price
    if row.get("billing_cycle") is not None:
        row["billing_cycle"] = cycle_code(row["billing_cycle"])
    row.setdefault("qty", 1)
    subscription_id = s.next_id("recurring_order")
    row["id"] = subscription_id
    s.insert(schema.recurring_order, row)
    if values.customs:
        custom_fields.write_values(s, subscription_id, values.customs)
    s.emit("subscription.added", "recurring_order", subscription_id, contact_id=row.get("contact_id"),
           plan_id=row.get("subscription_plan_id"), product_id=row.get("product_id"), fields=values.names)
    if row["status"] == ACTIVE:
        billing.schedule(s, "subscription", subscription_id, row["next_bill_date"])
    return subscription_id


def _update(s: AppSession, table, subscription_id: int, values: Values) -> None:
    before = s.get(schema.recurring_order, subscription_id)
    row = dict(values.columns)
    if row.get("billing_cycle") is not None:
        row["billing_cycle"] = cycle_code(row["billing_cycle"])
    status = row.get("status")
    if (status is not None and status != before.status and status == INACTIVE and row.get("end_date") is None
            and before.end_date is None):
        row["end_date"] = s.now_local()
    if row:
        s.update(schema.recurring_order, schema.recurring_order.c.id == subscription_id, **row)
    if values.customs:
        custom_fields.write_values(s, subscription_id, values.customs)
    after = s.get(schema.recurring_order, subscription_id)
    s.emit("subscription.updated", "recurring_order", subscription_id, contact_id=after.contact_id,
           fields=values.names)
    if after.status == ACTIVE:
        billing.schedule(s, "subscription", subscription_id, after.next_bill_date)
    else:
        billing.cancel(s, "subscription", [subscription_id])


def _no_delete(s: AppSession, table, subscription_id: int) -> None:  # EAR: deleted by deleteSubscription
    raise AssertionError("RecurringOrder rows are deleted through InvoiceService.deleteSubscription")


WRITER = Writer(("RecurringOrder",), _add, _update, _no_delete)


# --- DataService writes of CProgram / SubscriptionPlan (one entity) --------------------------------------

def _plan_add(s: AppSession, table, values: Values) -> int:
    row = dict(values.columns)
    row.setdefault("active", True)
    if row.get("status") is None:
        row["status"] = 1
    if row.get("program_name") is None and row.get("product_id"):
        product = s.get(schema.product, row["product_id"], schema.product.c.product_name)
        row["program_name"] = product.product_name if product else None
    if row.get("cycle") is not None:
        row["cycle"] = cycle_code(row["cycle"])
    return PLAIN.add(s, table, Values(row, values.customs, values.names))


def _plan_update(s: AppSession, table, plan_id: int, values: Values) -> None:
    row = dict(values.columns)
    if row.get("cycle") is not None:
        row["cycle"] = cycle_code(row["cycle"])
    PLAIN.update(s, table, plan_id, Values(row, values.customs, values.names))


PLAN_WRITER = Writer(("CProgram", "SubscriptionPlan"), _plan_add, _plan_update, PLAIN.delete)


def save_plan(s: AppSession, product_id: int, values: dict, plan_id: int | None = None) -> int:
    """Add (``plan_id`` None) or change a subscription plan of the product (REST's plan operations):
    ``values`` by DataService's names, and ``NumberOfCycles``, which DataService may only read."""
    values = dict(values)
    cycles = values.pop("NumberOfCycles", None)
    if plan_id is None:
        plan_id = records.add(s, "SubscriptionPlan", {"ProductId": product_id, **values})
    elif values:
        records.update(s, "SubscriptionPlan", plan_id, values)
    if cycles is not None:
        s.update(schema.subscription_plan, schema.subscription_plan.c.id == plan_id, number_of_cycles=cycles)
    s.emit("product.updated", "product", product_id, fields=["subscription_plans"])
    return plan_id
