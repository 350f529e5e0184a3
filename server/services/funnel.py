"""FunnelService.* ("funnel" is the API's oldest name for a campaign): achieving API goals of Campaign Builder
campaigns (spec xmlrpc-api.md §2.4)."""
from __future__ import annotations

from server.engine import api as engine
from server.store.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("FunnelService.achieveGoal", P.STRING, P.STRING, P.INT)
def achieve_goal(s: AppSession, integration: str, call_name: str, contact_id: int) -> list:
    return engine.achieve_goal(s, integration, call_name, contact_id)
