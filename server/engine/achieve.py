"""Achieving goals from outside a campaign: FunnelService.achieveGoal and achieveWordPressGoal (XML-RPC),
REST's POST /campaigns/goals/{integration}/{callName}, and REST v2's ``achieveGoal`` (an API goal by its
integration and call name, or any goal of a published automation by its id) and WordPress opt-in goals."""
from __future__ import annotations

from server.domain.mail import emails
from server.store.session import AppSession

from . import goals, published
from .context import context
from .events import settle

NO_GOALS = "No Goals were configured to be achieved by this event."


def achieve_goal(s: AppSession, integration: str, call_name: str, contact_id: int) -> list[dict]:
    """FunnelService.achieveGoal: one struct per goal achieved, or the real failure struct (spec §2.4)."""
    if not emails.contact_exists(s, contact_id):
        return [_failure(f"Contact Id:{contact_id} does not exist")]
    return _results(achieve_api(s, integration, call_name, contact_id))


def achieve_wordpress_goal(s: AppSession, contact_id: int, optin: str | None) -> list[dict]:
    """FunnelService.achieveWordPressGoal (undocumented; yail, and the iSDK copy in Infusionsoft's WordPress
    plugin, which sends the opt-in's id with its dots removed): the WordPress opt-in goals of that opt-in and
    those of any opt-in, answered as achieveGoal answers (the real answer is unrecorded)."""
    if not emails.contact_exists(s, contact_id):
        return [_failure(f"Contact Id:{contact_id} does not exist")]
    return _results(achieve_wordpress(s, contact_id, optin))


def _results(results) -> list[dict]:
    if not results:
        return [_failure(NO_GOALS)]
    return [{"success": True, "msg": "Goal achieved", "funnelId": r.campaign_id, "goalId": r.goal_id,
             "flowStart": [{"success": f.success, "msg": f.message, "flowId": f.sequence_id} for f in r.flow_start],
             "flowStop": [{"success": f.success, "msg": f.message, "flowId": f.sequence_id} for f in r.flow_stop]}
            for r in results]


def achieve_goal_rest(s: AppSession, integration: str, call_name: str, contact_id: int) -> list[dict]:
    """REST POST /campaigns/goals/{integration}/{callName}: ``GoalEventResultDTO`` per matching goal."""
    results = achieve_api(s, integration, call_name, contact_id)
    return [{"campaign_id": r.campaign_id, "goal_id": r.goal_id, "message": "Goal achieved", "success": True}
            for r in results]


def achieve_api(s: AppSession, integration: str, call_name: str, contact_id: int) -> list[goals.GoalResult]:
    """The API goals of this integration and call name, achieved for the contact (as FunnelService.achieveGoal)."""
    return _achieve(s, lambda ctx: goals.achieve_api_goal(ctx, integration, call_name, contact_id))


def achieve_wordpress(s: AppSession, contact_id: int, optin: str | None) -> list[goals.GoalResult]:
    return _achieve(s, lambda ctx: goals.achieve_wordpress_goal(ctx, contact_id, optin))


def goal_of(s: AppSession, campaign_id: int, goal_id: int):
    """The goal of a published campaign's graph, or None (no such campaign, not published, no such goal)."""
    compiled = published.published_graphs(s, [campaign_id]).get(campaign_id)
    return None if compiled is None else compiled.goals.get(goal_id)


def achieve_by_id(s: AppSession, campaign_id: int, goal_id: int, contact_id: int) -> list[goals.GoalResult]:
    """One goal of a published campaign, whatever its type, achieved for the contact: the same stops and
    starts as when its trigger fires (none if it is not an entry point and the contact is not in the campaign)."""
    compiled = published.published_graphs(s, [campaign_id])[campaign_id]
    result = _achieve(s, lambda ctx: goals.achieve(ctx, compiled, compiled.goals[goal_id], contact_id))
    return [result] if result is not None else []


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
