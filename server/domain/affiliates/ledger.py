"""The affiliate ledger: commissions earned, clawed back and paid out, one row each (``affiliate_ledger``).
"""
from __future__ import annotations

import sqlalchemy as sa

from server.store import schema
from server.store.session import AppSession


def credit(s: AppSession, aff, amount: float, commission_type: str, *, contact_id=None, invoice_id=None,
           product_id=None, product_name=None, description="", sale_affiliate_id=None, when=None) -> int:
    entry_id = s.next_id("affiliate_ledger")
    s.insert(schema.affiliate_ledger, dict(
        id=entry_id, affiliate_id=aff.id, kind="commission", amount=round(amount, 2),
        date_earned=when or s.now_local(),
        contact_id=contact_id, invoice_id=invoice_id, product_id=product_id, product_name=product_name,
        description=description, sale_affiliate_id=sale_affiliate_id, commission_type=commission_type))
    s.emit("commission.earned", "affiliate", aff.id, contact_id=contact_id, invoice_id=invoice_id,
           amount=round(amount, 2), commission_type=commission_type)
    return entry_id


def entries(s: AppSession, kind: str, *, affiliate_id: int | None = None, since=None, until=None,
             newest_first: bool = False, limit: int = 1000, offset: int = 0) -> tuple[list, int]:
    """``(entries, total)`` of one kind (commission, clawback, payout), optionally of one affiliate and
    between two app-local moments, by date earned."""
    led = schema.affiliate_ledger
    where = [led.c.kind == kind]
    if affiliate_id is not None:
        where.append(led.c.affiliate_id == affiliate_id)
    if since is not None:
        where.append(led.c.date_earned >= since)
    if until is not None:
        where.append(led.c.date_earned <= until)
    total = s.execute(s.select(led, sa.func.count()).where(*where)).scalar_one()
    order = (led.c.date_earned.desc(), led.c.id.desc()) if newest_first else (led.c.date_earned, led.c.id)
    rows = s.execute(s.select(led).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return rows, total
