"""Automations: v2's name for Campaign Builder campaigns (the contract's ``Automation`` operations): the list,
the ids, one automation, unpublishing (one or many), deleting, starting contacts in a sequence, and achieving
a goal.

An automation is a campaign of server.engine.campaigns, read through server.engine.overview like the
``Campaign`` operations (server.rest_v2.campaigns): ``status`` is ``PUBLISHED`` while it is published,
``DRAFT`` before and after (unpublished). ``achieveGoal`` is the v2 twin of XML-RPC's
``FunnelService.achieveGoal`` (server.engine.achieve): by ``integration`` and ``call_name`` it fires the same
API goals, so the same sequences run and the same emails land in the outbox; by ``automation_id`` and
``goal_id`` it achieves that goal of a published automation, whatever its type. Its results are XML-RPC's:
one per goal achieved with the sequences it started and stopped, or one failure when no goal listens.

Wire rules of this family: lists hold at most 25 automations a page (the contract's bound), 25 when no
``page_size`` is given; ``filter=name==x`` finds names containing x, ``x*`` those starting with x; ``id``
compares with ``== != > < >= <=``. Automation categories are not kept (their operations are not served), so
``categories`` is empty and ``order_by=category`` orders by name; no automation is ever locked.
"""
from __future__ import annotations

from server.domain.mail import emails
from server.domain.session import AppSession
from server.engine import achieve, overview
from server.engine import campaigns as engine

from .api import Request, operation
from .campaigns import Search, add_to_sequence, require_campaign
from .errors import invalid_field, not_found
from .filters import Number
from .paging import Listing
from .wire import in_ids, out_id, out_time

PAGE_SIZE = 25  # the contract's maximum page_size for automation lists

AUTOMATIONS = Listing(
    filters={"name": Search(), "id": Number()},
    order_by={"name": "name", "category": "name", "activeContacts": "active_contacts",
              "publishedDate": "published_date"},
)


def automation_json(s: AppSession, a: overview.CampaignSummary) -> dict:
    return {"id": out_id(a.id), "title": a.name, "categories": [], "status": "PUBLISHED" if a.is_published
            else "DRAFT", "locked": False, "active_contacts": a.active, "error_message": a.error_message,
            "published_date": out_time(a.published, s.clock),
            "published_timezone": (a.time_zone or s.app.time_zone) if a.published is not None else None,
            "current_edit_lock_status": {"locked": False}}


def _page(r: Request):
    if not r.query.get("page_size"):
        r.query["page_size"] = PAGE_SIZE  # also what the next page's URL carries
    q = r.list_query(AUTOMATIONS)
    return q, overview.page_campaigns(r.s, q)


def _existing(s: AppSession, ids: list[int], names: list[str]) -> None:
    for automation_id, name in zip(ids, names):
        if overview.get_campaign(s, automation_id) is None:
            raise not_found("Automation", name)


# --- reads --------------------------------------------------------------------------------------------

@operation("listAutomations")
def list_automations(r: Request) -> dict:
    q, page = _page(r)
    return r.page("automations", [automation_json(r.s, a) for a in page.items], page,
                  automation_count=overview.count_campaigns(r.s, q.where))


@operation("listAllAutomationIds")
def list_all_automation_ids(r: Request) -> dict:
    _, page = _page(r)
    return r.page("automation_ids", [out_id(a.id) for a in page.items], page, locked_automation_ids=[])


@operation("getAutomation")
def get_automation(r: Request, automation_id: int) -> dict:
    return automation_json(r.s, require_campaign(r.s, automation_id, "Automation"))


# --- writes -------------------------------------------------------------------------------------------

@operation("unpublishAutomation")
def unpublish_automation(r: Request, automation_id: int) -> None:
    require_campaign(r.s, automation_id, "Automation")
    engine.unpublish(r.s, automation_id)


@operation("bulkUnpublishAutomations")
def bulk_unpublish_automations(r: Request) -> None:
    given = r.body["automation_ids"]
    ids = in_ids(given, "automation_ids")
    _existing(r.s, ids, given)
    for automation_id in ids:
        engine.unpublish(r.s, automation_id)


@operation("deleteAutomation")
def delete_automation(r: Request) -> None:
    ids = list(r.query["automation_ids"])
    _existing(r.s, ids, [str(i) for i in ids])
    for automation_id in dict.fromkeys(ids):
        engine.delete(r.s, automation_id)


@operation("addContactsToAutomationSequence")
def add_contacts_to_automation_sequence(r: Request, automation_id: int, sequence_id: int) -> dict:
    return {"add_to_automation_sequence_results": add_to_sequence(r, automation_id, sequence_id, "Automation")}


@operation("achieveGoal")
def achieve_goal(r: Request) -> dict:
    body = r.body
    contact_id = body["contact_id"]
    by_name = "integration" in body or "call_name" in body
    by_id = "automation_id" in body or "goal_id" in body
    if by_name == by_id:
        raise invalid_field("integration" if by_id else "automation_id",
                            "give either integration and call_name, or automation_id and goal_id")
    for pair in (("integration", "call_name"), ("automation_id", "goal_id")):
        if (pair[0] in body) != (pair[1] in body):
            missing = pair[1] if pair[0] in body else pair[0]
            raise invalid_field(missing, f"{missing} is required with {pair[0] if pair[0] in body else pair[1]}")
    if not emails.contact_exists(r.s, contact_id):
        raise invalid_field("contact_id", f"no contact has the id {contact_id}")
    if by_name:
        results = achieve.achieve_api(r.s, body["integration"], body["call_name"], contact_id)
    else:
        automation_id, goal_id = body["automation_id"], body["goal_id"]
        require_campaign(r.s, automation_id, "Automation")
        if achieve.goal_of(r.s, automation_id, goal_id) is None:
            raise not_found("Goal", goal_id)  # no such goal in the automation's published version
        results = achieve.achieve_by_id(r.s, automation_id, goal_id, contact_id)
    if not results:
        return {"results": [{"success": False, "message": achieve.NO_GOALS}]}
    return {"results": [{"success": True, "message": "Goal achieved", "automation_id": g.campaign_id,
                         "goal_id": g.goal_id, "flow_start_results": _flows(g.flow_start),
                         "flow_stop_results": _flows(g.flow_stop)} for g in results]}


def _flows(flows) -> list[dict]:
    return [{"success": f.success, "message": f.message, "flow_id": f.sequence_id} for f in flows]
