"""Billing that falls due on the app's clock: subscription renewals, payment-plan instalments charged
automatically, and retries of declined automatic charges.

Each is a ``billing_task`` row with a due time (seconds since the epoch on the app's clock), booked here by what
makes it (a subscription, a payment plan, a declined charge) and run by server.domain.commerce.auto_billing.
"""
from __future__ import annotations

from datetime import datetime

from server.store import schema
from server.store.session import AppSession


def schedule(s: AppSession, kind: str, ref_id: int, when: datetime, *, attempt: int = 0) -> None:
    """Make ``when`` (app-local time) the one pending time of ``kind`` for ``ref_id``. Renewals and
    instalments run the app's ``auto_billing_delay`` after their date; retries run on theirs."""
    bt = schema.billing_task
    s.delete(bt, bt.c.kind == kind, bt.c.ref_id == ref_id, bt.c.status == "pending")
    delay = 0 if kind == "retry" else int(s.app.option("auto_billing_delay"))
    s.insert(bt, dict(kind=kind, ref_id=ref_id, due_at=s.clock.to_utc(when).timestamp() + delay, attempt=attempt,
                      status="pending"))


def cancel(s: AppSession, kind: str, ref_ids) -> None:
    ids = [i for i in ref_ids if i]
    if ids:
        bt = schema.billing_task
        s.delete(bt, bt.c.kind == kind, bt.c.ref_id.in_(ids), bt.c.status == "pending")


def pending(s: AppSession) -> list:
    bt = schema.billing_task
    return s.execute(s.select(bt).where(bt.c.status == "pending").order_by(bt.c.due_at, bt.c.id)).all()
