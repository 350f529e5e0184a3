"""Billing tasks as they fall due (server.domain.commerce.billing books them): a subscription renewed, a declined
automatic charge retried, a payment-plan instalment charged. The domain's ``install`` registers them as due work
(server.jobs): the heartbeat and clock advances run what is due. A worker claims a row by moving it from
``pending`` to ``running`` in the transaction that does the work, so two workers never bill the same thing, and a
task's effects and its removal commit together.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.engine import Connection

from server.environment import Environment
from server.store import due, schema
from server.store.db import transaction
from server.store.session import AppRecord, AppSession
from server.tally import Tally

from . import billing, subscriptions
from .payments import charge_invoice

log = logging.getLogger("sandbox.billing")
BATCH = 100


# --- what each kind does ---------------------------------------------------------------------------------

def _charge_subscription_invoice(s: AppSession, sub, invoice_id: int, attempt: int) -> None:
    result = None
    for card_id in (sub.cc1, sub.cc2):
        if card_id:
            result = charge_invoice(s, invoice_id, "Subscription renewal", card_id, sub.merchant_account_id or 0,
                                    False)
            if result["Successful"]:
                return
    if result is not None and s.tally is not None:
        s.tally.charges_declined += 1
    if result is not None and attempt < int(sub.max_retry or 0):
        days = max(int(sub.num_days_between_retry or 1), 1)
        billing.schedule(s, "retry", invoice_id, s.now_local() + timedelta(days=days), attempt=attempt + 1)


def _renew(s: AppSession, task) -> None:
    sub = s.get(schema.recurring_order, task.ref_id)
    if sub is None or sub.status != subscriptions.ACTIVE:
        return
    invoice_id = subscriptions.create_invoice(s, sub.id)
    if not invoice_id:
        billing.schedule(s, "subscription", sub.id, sub.next_bill_date)  # moved since: wait for the new date
        return
    if s.tally is not None:
        s.tally.invoices_billed += 1
    if sub.auto_charge:
        _charge_subscription_invoice(s, sub, invoice_id, 0)


def _retry(s: AppSession, task) -> None:
    inv = s.get(schema.invoice, task.ref_id)
    if inv is None or (inv.total_due or 0) <= 0:
        return
    job = s.get(schema.job, inv.job_id)
    sub = s.get(schema.recurring_order, job.job_recurring_id) if job and job.job_recurring_id else None
    if sub is not None and sub.auto_charge:
        _charge_subscription_invoice(s, sub, inv.id, task.attempt)


def _instalment(s: AppSession, task) -> None:
    item = s.get(schema.pay_plan_item, task.ref_id)
    if item is None:
        return
    plan = s.get(schema.pay_plan, item.pay_plan_id)
    inv = s.get(schema.invoice, plan.invoice_id) if plan else None
    amount = (item.amt_due or 0) - (item.amt_paid or 0)
    if inv is None or not plan.auto_charge or amount <= 0 or (inv.total_due or 0) <= 0:
        return
    result = charge_invoice(s, inv.id, "Payment plan instalment", plan.credit_card_id or 0,
                            plan.merchant_account_id or 0, False, amount=amount)
    if s.tally is not None:
        if result["Successful"]:
            s.tally.invoices_billed += 1
        else:
            s.tally.charges_declined += 1
    if not result["Successful"] and task.attempt < int(plan.max_retry or 0):
        days = max(int(plan.days_between_retry or 1), 1)
        billing.schedule(s, "instalment", item.id, s.now_local() + timedelta(days=days), attempt=task.attempt + 1)


HANDLERS = {"subscription": _renew, "retry": _retry, "instalment": _instalment}


# --- the due-work source ---------------------------------------------------------------------------------

def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    return due.earliest(conn, schema.billing_task, app_ids)


def run_due(env: Environment, app: AppRecord, now: float, tally: Tally | None = None) -> int:
    bt = schema.billing_task
    with transaction(env.engine, write=False) as conn:
        s = env.session(conn, app)
        ids = [r.id for r in s.execute(s.select(bt, bt.c.id).where(bt.c.status == "pending", bt.c.due_at <= now)
                                       .order_by(bt.c.due_at, bt.c.id).limit(BATCH))]
    ran = 0
    for task_id in ids:
        done = Tally()  # what this task did, counted in ``tally`` only once it committed
        try:
            with transaction(env.engine, write=True) as conn:
                s = env.session(conn, app, tally=done)
                claimed = s.update(bt, bt.c.id == task_id, bt.c.status == "pending", status="running").rowcount
                if not claimed:
                    continue  # another worker has it
                task = s.execute(s.select(bt).where(bt.c.id == task_id)).first()
                HANDLERS[task.kind](s, task)
                s.delete(bt, bt.c.id == task_id)
                ran += 1
            if tally is not None:
                tally.merge(done)
        except Exception:  # one bad task never stops the others; it is kept, marked failed, for inspection
            log.exception("billing task %s of app %s failed", task_id, app.name)
            with transaction(env.engine, write=True) as conn:
                env.session(conn, app).update(bt, bt.c.id == task_id, status="failed")
    return ran
