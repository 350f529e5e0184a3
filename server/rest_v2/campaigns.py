"""Campaigns: the list, one campaign, its goals and its sequences (with their paths of items), and contacts
added to and removed from a sequence (the contract's ``Campaign`` operations).

Campaigns are the engine's Campaign Builder campaigns (server.engine.campaigns), read through
server.engine.overview, the same reads as REST v1's ``/campaigns``; v2's automations are the same campaigns
under another name (server.rest_v2.automations). Adding contacts to a sequence starts them at its start as
the control API and v1 do (server.engine.manual): the sequence's emails land in the outbox.

Wire rules of this family: the document's goal and item types are answered in the contract's enums (a
document type the enum lacks is answered as its nearest kind: a tag removal is a ``Tag`` process, a
contact-field timer a ``ContactTimer``); ``filter=name==x`` finds names containing x (the contract: "the
search will look for the text anywhere in the campaign name"), ``x*`` those starting with x; a campaign
that is not published, or a sequence not in its published version, is a 404 for the sequence operations.
"""
from __future__ import annotations

from server.domain.session import AppSession
from server.engine import manual, overview

from .api import Request, operation
from .errors import existing, not_found
from .filters import Text
from .paging import Listing
from .wire import in_ids, out_id, out_time

GOAL_TYPES = {
    "tag_applied": "Tag", "note_applied": "Note", "internal_form_submitted": "InternalForm",
    "task_completed": "Task", "opportunity_moved": "StageMove", "web_form_submitted": "WebForm",
    "landing_page_submitted": "LandingPage", "grosocial_form_submitted": "GroSocial",
    "twitter_lead_card_submitted": "TwitterForm", "link_clicked": "LinkClick", "lead_score_reached": "Score",
    "product_purchased": "Purchase", "purchase_failed": "FailedPurchase", "api_call": "API",
    "wordpress_optin": "WordPress",
}
ITEM_TYPES = {
    "delay_timer": "DelayTimer", "date_timer": "DateTimer", "field_timer": "ContactTimer", "email": "Email",
    "fax": "Fax", "letter": "Letter", "voice": "Voice", "phone_call": "Voice", "apply_tag": "Tag",
    "remove_tag": "Tag", "note": "Note", "task": "Task", "appointment": "Appointment", "set_field": "FieldValue",
    "assign_owner": "AssignOwner",
    "create_opportunity": "Opportunity", "fulfillment_list": "Fulfillment", "http_post": "HttpRequest",
    "action_set": "ActionSet", "customerhub": "CustomerHub",
}


class Search(Text):
    """A name searched for: ``==x`` finds it anywhere in the name, ``==x*`` at its start."""

    ops = ("==",)

    def parse(self, name, target, clause, clock):
        found = super().parse(name, target, clause, clock)
        return [c if c.op == "prefix" else c.__class__(c.field, "contains", c.value) for c in found]


CAMPAIGNS = Listing(
    filters={"name": Search()},
    order_by={"name": "name", "publisheddate": "published_date", "id": "id",
              "completedContactCount": "completed_contacts", "activeContacts": "active_contacts",
              "datecreated": "date_created", "lastupdated": "last_updated"},
)


# --- answers ------------------------------------------------------------------------------------------

def campaign_json(s: AppSession, c: overview.CampaignSummary) -> dict:
    time_zone = c.time_zone or s.app.time_zone
    return {"id": out_id(c.id), "name": c.name, "locked": False, "error_message": c.error_message,
            "date_created": out_time(c.created, s.clock), "published_date": out_time(c.published, s.clock),
            "published_status": c.is_published, "time_zone": time_zone,
            "published_time_zone": time_zone if c.published is not None else None,
            "active_contact_count": c.active, "completed_contact_count": c.completed}


def _history(h: overview.History) -> dict:
    return {"24_hours": h.day, "30_days": h.month}


def goal_json(g: overview.GoalView) -> dict:
    return {"id": out_id(g.id), "name": g.name, "type": GOAL_TYPES[g.type],
            "historical_contact_counts": _history(g.history),
            "next_sequence_ids": [out_id(i) for i in dict.fromkeys(g.next_sequence_ids)],
            "previous_sequence_ids": [out_id(i) for i in dict.fromkeys(g.previous_sequence_ids)]}


def sequence_json(q: overview.SequenceView) -> dict:
    """A sequence; a path's id is its index in the sequence (paths have no ids of their own here)."""
    return {"id": out_id(q.id), "name": q.name, "active_contact_count": q.active,
            "active_contact_count_completed": q.finished, "historical_contact_count": _history(q.history),
            "paths": [{"id": str(index), "items": _items(path)} for index, path in enumerate(q.paths)]}


def _items(path: list[overview.ItemView]) -> list[dict]:
    return [{"id": out_id(item.id), "name": item.name, "type": ITEM_TYPES[item.type],
             "previous_item_id": out_id(path[i - 1].id) if i else None,
             "next_item_id": out_id(path[i + 1].id) if i + 1 < len(path) else None}
            for i, item in enumerate(path)]


def require_campaign(s: AppSession, campaign_id: int, kind: str = "Campaign") -> overview.CampaignSummary:
    return existing(overview.get_campaign(s, campaign_id), kind, campaign_id)


def require_sequence(s: AppSession, campaign_id: int, sequence_id: int, kind: str = "Campaign") -> None:
    """A sequence contacts can be started in: its campaign exists and is published, and it is in the graph."""
    problem = overview.published_sequence(s, campaign_id, sequence_id)
    if problem == "campaign":
        raise not_found(kind, campaign_id)
    if problem == "sequence":
        raise not_found("Sequence", sequence_id)


def add_to_sequence(r: Request, campaign_id: int, sequence_id: int, kind: str = "Campaign") -> dict[str, str]:
    """The results of starting the body's ``contact_ids`` in the sequence, keyed by the ids as given."""
    require_sequence(r.s, campaign_id, sequence_id, kind)
    given = r.body["contact_ids"]
    ids = in_ids(given, "contact_ids")
    results = manual.add_to_sequence(r.s, campaign_id, sequence_id, ids)
    return {text: results[c] for text, c in zip(given, ids)}


# --- operations ---------------------------------------------------------------------------------------

@operation("listCampaigns")
def list_campaigns(r: Request) -> dict:
    page = overview.page_campaigns(r.s, r.list_query(CAMPAIGNS))
    return r.page("campaigns", [campaign_json(r.s, c) for c in page.items], page)


@operation("getCampaign")
def get_campaign(r: Request, campaign_id: int) -> dict:
    return campaign_json(r.s, require_campaign(r.s, campaign_id))


@operation("getCampaignGoals")
def get_campaign_goals(r: Request, campaign_id: int) -> dict:
    require_campaign(r.s, campaign_id)
    return {"goals": [goal_json(g) for g in overview.goals(r.s, campaign_id)], "campaign_id": out_id(campaign_id)}


@operation("getCampaignSequences")
def get_campaign_sequences(r: Request, campaign_id: int) -> dict:
    require_campaign(r.s, campaign_id)
    return {"sequences": [sequence_json(q) for q in overview.sequences(r.s, campaign_id)],
            "campaign_id": out_id(campaign_id)}


@operation("addContactsToCampaignSequence")
def add_contacts_to_campaign_sequence(r: Request, campaign_id: int, sequence_id: int) -> dict:
    return {"add_to_sequence_results": add_to_sequence(r, campaign_id, sequence_id)}


@operation("removeContactsFromCampaignSequence")
def remove_contacts_from_campaign_sequence(r: Request, campaign_id: int, sequence_id: int) -> dict:
    require_sequence(r.s, campaign_id, sequence_id)
    given = r.body["contact_ids"]
    ids = in_ids(given, "contact_ids")
    results = manual.remove_results(r.s, campaign_id, sequence_id, ids)
    return {"remove_from_sequence_results": {text: results[c] for text, c in zip(given, ids)}}
