"""The campaign reporting counts (sequences, items, goals) and the enrollments the control API lists."""
from __future__ import annotations

import sqlalchemy as sa

from server.store import schema
from server.store.schema import LIVE_STATES
from server.store.session import AppSession

from . import campaigns, published


def report(s: AppSession, campaign_id: int) -> dict:
    """Counts for the reporting tab: per sequence, contacts active (on their way), queued (done, a goal to the
    right) and done; per item, how many ran, were skipped and wait at it; per goal, achievements."""
    row = campaigns.get(s, campaign_id)
    e, sr, ga = schema.enrollment, schema.step_run, schema.goal_achievement
    by_seq: dict[int, dict[str, int]] = {}
    q = s.select(e, e.c.sequence_id, e.c.state, sa.func.count(sa.distinct(e.c.contact_id))).where(
        e.c.campaign_id == campaign_id).group_by(e.c.sequence_id, e.c.state)
    for sequence_id, state, n in s.execute(q):
        by_seq.setdefault(sequence_id, {})[state] = n
    waiting = dict(s.execute(s.select(e, e.c.waiting_item_id, sa.func.count()).where(
        e.c.campaign_id == campaign_id, e.c.state == "waiting").group_by(e.c.waiting_item_id)).all())
    runs: dict[int, dict[str, int]] = {}
    item_q = sa.select(sr.c.item_id, sr.c.status, sa.func.count()).select_from(sr.join(e, sa.and_(
        e.c.app_id == sr.c.app_id, e.c.id == sr.c.enrollment_id))).where(
        sr.c.app_id == s.app.id, e.c.campaign_id == campaign_id).group_by(sr.c.item_id, sr.c.status)
    for item_id, status, n in s.execute(item_q):
        runs.setdefault(item_id, {})[status] = n
    achieved = dict(s.execute(s.select(ga, ga.c.goal_id, sa.func.count()).where(
        ga.c.campaign_id == campaign_id).group_by(ga.c.goal_id)).all())
    graph = published.load_graph(s, campaign_id, row.version) if row.graph else None
    sequences, goals_out = [], []
    if graph is not None:
        for seq in graph.sequences.values():
            counts = by_seq.get(seq.id, {})
            sequences.append({
                "id": seq.id, "key": seq.key, "name": seq.name,
                "active": sum(counts.get(k, 0) for k in ("active", "waiting", "paused")),
                "queued": counts.get("queued", 0), "done": counts.get("done", 0),
                "stopped": counts.get("stopped", 0), "removed": counts.get("removed", 0),
                "fell_out": counts.get("fell_out", 0),
                "items": [{"id": i, "key": graph.items[i].key, "type": graph.items[i].type,
                           "name": graph.items[i].name, "ready": graph.items[i].ready,
                           "done": runs.get(i, {}).get("done", 0), "skipped": runs.get(i, {}).get("skipped", 0),
                           "failed": runs.get(i, {}).get("failed", 0), "waiting": waiting.get(i, 0)}
                          for path in seq.paths for i in path],
            })
        goals_out = [{"id": g.id, "key": g.key, "name": g.name, "type": g.type, "entry_point": g.entry_point,
                      "achieved": achieved.get(g.id, 0)} for g in graph.goals.values()]
    active = sum(x["active"] + x["queued"] for x in sequences)
    return {"id": campaign_id, "name": row.name, "status": row.status, "version": row.version,
            "active_contacts": active, "goals": goals_out, "sequences": sequences}


def enrollments(s: AppSession, *, contact_id: int | None = None, campaign_id: int | None = None,
                live_only: bool = False, after: int = 0, limit: int = 500) -> list:
    e = schema.enrollment
    q = s.select(e).where(e.c.id > after)
    if contact_id is not None:
        q = q.where(e.c.contact_id == contact_id)
    if campaign_id is not None:
        q = q.where(e.c.campaign_id == campaign_id)
    if live_only:
        q = q.where(e.c.state.in_(LIVE_STATES))
    return s.execute(q.order_by(e.c.id).limit(limit)).all()
