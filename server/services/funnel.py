"""FunnelService.* ("funnel" is the API's oldest name for a campaign): achieving API goals of Campaign Builder
campaigns (spec xmlrpc-api.md §2.4)."""
from __future__ import annotations

from server.domain.session import AppSession
from server.engine import achieve
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("FunnelService.achieveGoal", P.STRING, P.STRING, P.INT)
def achieve_goal(s: AppSession, integration: str, call_name: str, contact_id: int) -> list:
    return achieve.achieve_goal(s, integration, call_name, contact_id)


# ☆ (yail; the iSDK copy in Infusionsoft's WordPress plugin sends both parameters, yail makes the opt-in optional):
# a WordPress opt-in goal of Campaign Builder.
@xmlrpc("FunnelService.achieveWordPressGoal", P.INT, P.STRING)
def achieve_wordpress_goal(s: AppSession, contact_id: int, optin_id: str) -> list:
    return achieve.achieve_wordpress_goal(s, contact_id, optin_id.strip() or None)


@xmlrpc("FunnelService.achieveWordPressGoal", P.INT)
def achieve_wordpress_goal_any(s: AppSession, contact_id: int) -> list:
    return achieve.achieve_wordpress_goal(s, contact_id, None)
