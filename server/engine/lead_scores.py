"""A contact's lead score, set through the control API; a change fires the "reaches a lead score" goal."""
from __future__ import annotations

from server.store import schema
from server.store.session import AppSession


def set_lead_score(s: AppSession, contact_id: int, score: int) -> int:
    ls = schema.lead_score
    row = s.execute(s.select(ls).where(ls.c.contact_id == contact_id)).first()
    old = row.score if row else 0
    if row is None:
        s.insert(ls, dict(contact_id=contact_id, score=score))
    else:
        s.update(ls, ls.c.contact_id == contact_id, score=score)
    s.emit("lead_score.changed", "contact", contact_id, old_score=old, score=score)
    return old
