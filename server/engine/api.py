"""What the protocols and the control API ask of the engine: achieve an API goal or a WordPress opt-in goal, start
sequences by hand, drain what is due, and the reporting counts."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from server.domain.mail import emails
from server.store import schema
from server.store.db import transaction
from server.store.schema import LIVE_STATES
from server.store.session import AppRecord, AppSession

from . import campaigns, goals
from .context import context
from .runner import Run, claim

NO_GOALS = "No Goals were configured to be achieved by this event."
BATCH = 500


def achieve_goal(s: AppSession, integration: str, call_name: str, contact_id: int) -> list[dict]:
    """FunnelService.achieveGoal: one struct per goal achieved, or the real failure struct (spec §2.4)."""
    if not emails.contact_exists(s, contact_id):
        return [_failure(f"Contact Id:{contact_id} does not exist")]
    return _results(_achieve(s, lambda ctx: goals.achieve_api_goal(ctx, integration, call_name, contact_id)))


def achieve_wordpress_goal(s: AppSession, contact_id: int, optin: str | None) -> list[dict]:
    """FunnelService.achieveWordPressGoal (undocumented; yail, and the iSDK copy in Infusionsoft's WordPress
    plugin, which sends the opt-in's id with its dots removed): the WordPress opt-in goals of that opt-in and
    those of any opt-in, answered as achieveGoal answers (the real answer is unrecorded)."""
    if not emails.contact_exists(s, contact_id):
        return [_failure(f"Contact Id:{contact_id} does not exist")]
    return _results(_achieve(s, lambda ctx: goals.achieve_wordpress_goal(ctx, contact_id, optin)))


def _results(results) -> list[dict]:
    if not results:
        return [_failure(NO_GOALS)]
    return [{"success": True, "msg": "Goal achieved", "funnelId": r.campaign_id, "goalId": r.goal_id,
             "flowStart": [{"success": f.success, "msg": f.message, "flowId": f.sequence_id} for f in r.flow_start],
             "flowStop": [{"success": f.success, "msg": f.message, "flowId": f.sequence_id} for f in r.flow_stop]}
            for r in results]


def achieve_goal_rest(s: AppSession, integration: str, call_name: str, contact_id: int) -> list[dict]:
    """REST POST /campaigns/goals/{integration}/{callName}: ``GoalEventResultDTO`` per matching goal."""
    results = _achieve(s, lambda ctx: goals.achieve_api_goal(ctx, integration, call_name, contact_id))
    return [{"campaign_id": r.campaign_id, "goal_id": r.goal_id, "message": "Goal achieved", "success": True}
            for r in results]


def _achieve(s: AppSession, achieve):
    ctx = context(s)
    was_busy, ctx.busy = ctx.busy, True
    try:
        results = achieve(ctx)
        ctx.settle()
    finally:
        ctx.busy = was_busy
    return results


def _failure(message: str) -> dict:
    return {"success": False, "msg": message, "funnelId": 0, "goalId": 0, "flowStart": [], "flowStop": []}


# --- by hand: a user starts or stops a contact in a sequence ----------------------------------------------

def add_to_sequence(s: AppSession, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> dict[int, str]:
    """``SUCCESS``, ``ALREADY_IN_SEQUENCE``, ``CONTACT_DOES_NOT_EXIST`` per contact (REST v2's enum). Starting
    by hand begins at the very start; a contact already in the sequence is not reset (vendor KB)."""
    compiled, _ = _sequence(s, campaign_id, sequence_id)
    ctx = context(s)
    out = {}
    was_busy, ctx.busy = ctx.busy, True
    try:
        for contact_id in contact_ids:
            if not emails.contact_exists(s, contact_id):
                out[contact_id] = "CONTACT_DOES_NOT_EXIST"
                continue
            flows = goals.start_sequence(ctx, compiled, sequence_id, contact_id, "manual", None)
            out[contact_id] = "SUCCESS" if flows and flows[0].success else "ALREADY_IN_SEQUENCE"
        ctx.settle()
    finally:
        ctx.busy = was_busy
    return out


def remove_from_sequence(s: AppSession, campaign_id: int, sequence_id: int, contact_ids: list[int]) -> int:
    _sequence(s, campaign_id, sequence_id)
    e = schema.enrollment
    now = s.clock.now().timestamp()
    return s.update(e, e.c.sequence_id == sequence_id, e.c.contact_id.in_(contact_ids), e.c.state.in_(LIVE_STATES),
                    state="removed", due_at=None, ended_at=now).rowcount


def _sequence(s: AppSession, campaign_id: int, sequence_id: int):
    row = campaigns.get(s, campaign_id)
    if row.status != campaigns.PUBLISHED:
        raise campaigns.CampaignNotFound(campaign_id)
    compiled = campaigns.load_graph(s, campaign_id, row.version)
    if sequence_id not in compiled.sequences:
        from server.domain.errors import RecordNotFound

        raise RecordNotFound(f"Record not found for Id:{sequence_id}")
    return compiled, compiled.sequences[sequence_id]


# --- the drain ------------------------------------------------------------------------------------------

_NEXT_DUE = sa.select(schema.enrollment.c.app_id, sa.func.min(schema.enrollment.c.due_at)).select_from(
    schema.enrollment.join(schema.campaign, sa.and_(schema.campaign.c.app_id == schema.enrollment.c.app_id,
                                                    schema.campaign.c.id == schema.enrollment.c.campaign_id))
).where(schema.DUE, schema.enrollment.c.due_at.is_not(None),
        schema.campaign.c.status == "published").group_by(schema.enrollment.c.app_id)


def next_due(conn: Connection, app_ids: list[int] | None) -> dict[int, float]:
    q = _NEXT_DUE if app_ids is None else _NEXT_DUE.where(schema.enrollment.c.app_id.in_(app_ids))
    return dict(conn.execute(q).all())


def run_due(engine: Engine, app: AppRecord, now: float) -> int:
    """Claim the due enrollments in batches, each batch one transaction: claim, run, commit."""
    total = 0
    while True:
        with transaction(engine, write=True) as conn:
            s = AppSession(conn, app)
            ctx = context(s)
            ctx.now = now
            rows = claim(ctx, BATCH)
            if not rows:
                return total
            Run(ctx).run(rows)
            total += len(rows)
        if len(rows) < BATCH:
            return total


# --- reporting ------------------------------------------------------------------------------------------

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
    graph = campaigns.load_graph(s, campaign_id, row.version) if row.graph else None
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
                live_only: bool = False, limit: int = 500) -> list:
    e = schema.enrollment
    q = s.select(e)
    if contact_id is not None:
        q = q.where(e.c.contact_id == contact_id)
    if campaign_id is not None:
        q = q.where(e.c.campaign_id == campaign_id)
    if live_only:
        q = q.where(e.c.state.in_(LIVE_STATES))
    return s.execute(q.order_by(e.c.id).limit(limit)).all()


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
