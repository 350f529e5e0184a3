"""AffiliateService.updatePhoneStats (undocumented; only the Novak SDK sends it, as
``(firstName, lastName, (int) calls, totalTime, averageTime)``, to AffiliateService and to APIAffiliateService).

An affiliate's call statistics, as a call-tracking integration would report them: the affiliates whose contact
has that first and last name (ignoring case) get the figures, replacing the last ones (the caller gives the
average, so the figures are a snapshot, not increments). It answers true when some affiliate matched, false when
none did. The times are numbers (or numeric strings: Novak does not cast them), in whatever unit the caller uses.
The figures show in the change log (``affiliate.phone_stats_updated``); no table of the real API holds them.
"""
from __future__ import annotations

import sqlalchemy as sa

from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.session import AppSession


def _number(value, name: str) -> float:
    if isinstance(value, bool):
        raise InvalidParameter(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a number") from None
    if number != number or number < 0 or number == float("inf"):
        raise InvalidParameter(f"{name} must be a number, 0 or more")
    return number


def _name_is(column, value: str):
    """lower(column) = value (what ix_contact_last_name serves), or blank when the value is."""
    return sa.func.lower(column) == value if value else sa.or_(column.is_(None), column == "")


def update(s: AppSession, first_name: str, last_name: str, calls: int, total_time, average_time) -> bool:
    first, last = first_name.strip().lower(), last_name.strip().lower()
    if not first and not last:
        raise InvalidParameter("firstName and lastName name the affiliate")
    if calls < 0:
        raise InvalidParameter("calls must be 0 or more")
    total, average = _number(total_time, "totalTime"), _number(average_time, "averageTime")
    a, c = schema.affiliate, schema.contact
    q = (s.select(a, a.c.id, a.c.contact_id)
         .join(c, s.scoped(c, c.c.id == a.c.contact_id))
         .where(_name_is(c.c.first_name, first), _name_is(c.c.last_name, last))
         .order_by(a.c.id))
    matched = s.execute(q).all()
    ps, now = schema.affiliate_phone_stats, s.now_local()
    for row in matched:
        values = dict(calls=calls, total_time=total, average_time=average, last_updated=now)
        if not s.update(ps, ps.c.affiliate_id == row.id, **values).rowcount:
            s.insert(ps, dict(values, affiliate_id=row.id))
        s.emit("affiliate.phone_stats_updated", "affiliate", row.id, contact_id=row.contact_id, calls=calls,
               total_time=total, average_time=average)
    return bool(matched)
