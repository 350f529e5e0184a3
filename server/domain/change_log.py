"""The app's change log as its readers see it (REST sync tokens): the last change so far, and the records of
one kind changed in a window of it.

Every write appends domain events to the log (``domain_event``) numbered per app in commit order
(server.store.session.ChangeLog), so a reader that sees change N sees every change before it: a window
``(after, upto]`` is a fixed set of changes whatever writes run meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from server.store import schema
from server.store.session import AppSession

_EV = schema.domain_event


@dataclass(frozen=True)
class Window:
    after: int  # changes after this seq …
    upto: int  # … up to and including this one


@dataclass(frozen=True)
class Change:
    id: int
    status: str  # CREATED | UPDATED | DELETED
    seq: int  # the record's last change in the window


def head(s: AppSession) -> int:
    """The number of the app's last change (0 before any)."""
    return int(s.execute(s.select(_EV, sa.func.max(_EV.c.seq))).scalar() or 0)


def changes(s: AppSession, entity: str, kind: str, w: Window, *, limit: int, offset: int,
            report_deleted: bool = True) -> tuple[list[Change], int]:
    """Records of ``entity`` whose ``<kind>.*`` events fall in the window, one per record, by last change:
    CREATED (added in the window), DELETED (deleted in it; left out unless ``report_deleted``) or UPDATED."""
    types = [f"{kind}.added", f"{kind}.updated", f"{kind}.deleted", f"{kind}.completed"]
    last = sa.func.max(_EV.c.seq).label("last")
    created = sa.func.max(sa.case((_EV.c.type == f"{kind}.added", 1), else_=0)).label("created")
    deleted = sa.func.max(sa.case((_EV.c.type == f"{kind}.deleted", 1), else_=0)).label("deleted")
    grouped = (s.select(_EV, _EV.c.entity_id, last, created, deleted)
               .where(_EV.c.entity == entity, _EV.c.type.in_(types), _EV.c.seq > w.after, _EV.c.seq <= w.upto,
                      _EV.c.entity_id.is_not(None))
               .group_by(_EV.c.entity_id))
    if not report_deleted:
        grouped = grouped.having(sa.func.max(sa.case((_EV.c.type == f"{kind}.deleted", 1), else_=0)) == 0)
    sub = grouped.subquery()
    total = s.execute(sa.select(sa.func.count()).select_from(sub)).scalar_one()
    rows = s.execute(sa.select(sub).order_by(sub.c.last, sub.c.entity_id).limit(limit).offset(offset)).all()
    return [Change(r.entity_id, "DELETED" if r.deleted else ("CREATED" if r.created else "UPDATED"), r.last)
            for r in rows], total
