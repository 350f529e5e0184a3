"""Achieving goals from outside a campaign: FunnelService.achieveGoal and achieveWordPressGoal (XML-RPC) and
REST's POST /campaigns/goals/{integration}/{callName}."""
from __future__ import annotations

from server.domain.mail import emails
from server.store.session import AppSession

from . import goals
from .context import context
from .events import settle

NO_GOALS = "No Goals were configured to be achieved by this event."


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
        settle(ctx)
    finally:
        ctx.busy = was_busy
    return results


def _failure(message: str) -> dict:
    return {"success": False, "msg": message, "funnelId": 0, "goalId": 0, "flowStart": [], "flowStop": []}
