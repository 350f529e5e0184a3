"""Automations: v2's name for Campaign Builder campaigns (the contract's ``Automation`` operations): the list,
the ids, one automation, unpublishing (one or many), deleting, filing under categories, starting contacts in
a sequence, and achieving a goal; the ``AutomationCategory`` operations (server.engine.categories) and the
``Integrations`` ones, WordPress opt-in options and their goals (server.engine.optins).

An automation is a campaign of server.engine.campaigns, read through server.engine.overview like the
``Campaign`` operations (server.rest_v2.campaigns): ``status`` is ``PUBLISHED`` while it is published,
``DRAFT`` before and after (unpublished). ``achieveGoal`` is the v2 twin of XML-RPC's
``FunnelService.achieveGoal`` (server.engine.achieve): by ``integration`` and ``call_name`` it fires the same
API goals, so the same sequences run and the same emails land in the outbox; by ``automation_id`` and
``goal_id`` it achieves that goal of a published automation, whatever its type. Its results are XML-RPC's:
one per goal achieved with the sequences it started and stopped, or one failure when no goal listens.

Wire rules of this family: lists hold at most 25 automations a page (the contract's bound), 25 when no
``page_size`` is given; ``filter=name==x`` finds names containing x, ``x*`` those starting with x; ``id``
compares with ``== != > < >= <=``; ``status==published`` or ``draft`` (any case; a draft is any automation not
published now); ``categories==1,2,3`` finds the automations in any of those categories; ``order_by=category``
orders by the first of an automation's category names (uncategorized first); no automation is ever locked.
Category names are required, unique ignoring case (409) and at most 100 characters; ``automation_ids: ["0"]``
in a batch assignment means every automation (the contract's wildcard). A WordPress opt-in's key is
alphanumeric (at most 64 characters) and unique (409); achieving its goal answers ``successful: false`` when
no published goal listens to it.
"""
from __future__ import annotations

from server.domain.data.listing import Condition
from server.domain.mail import emails
from server.domain.session import AppSession
from server.engine import achieve, categories, optins, overview
from server.engine import campaigns as engine
from server.engine.published import DRAFT, PUBLISHED, UNPUBLISHED

from .api import Request, operation
from .campaigns import Search, add_to_sequence, require_campaign
from .errors import conflict, existing, invalid_field, not_found
from .filters import ID_RANGE, Ids, Kind, Number
from .paging import Listing
from .wire import in_id, in_ids, out_id, out_time

PAGE_SIZE = 25  # the contract's maximum page_size for automation lists


class Status(Kind):
    """``status==published`` (published now) or ``status==draft`` (never published, or unpublished: what
    ``automation_json`` answers as ``DRAFT``); case is ignored."""

    def parse(self, name, target, clause, clock):
        value = clause.value.strip().lower()
        if value == "published":
            return [Condition(target, "eq", PUBLISHED)]
        if value == "draft":
            return [Condition(target, "in", [DRAFT, UNPUBLISHED])]
        raise invalid_field(f"filter.{name}", f"'{clause.value}' is not one of published, draft")


AUTOMATIONS = Listing(
    filters={"name": Search(), "id": Number(), "status": Status(), "categories": Ids(overview.CATEGORY)},
    order_by={"name": "name", "category": "category", "activeContacts": "active_contacts",
              "publishedDate": "published_date"},
)


def automation_json(s: AppSession, a: overview.CampaignSummary, filed: list[int]) -> dict:
    return {"id": out_id(a.id), "title": a.name, "categories": [out_id(c) for c in filed],
            "status": "PUBLISHED" if a.is_published else "DRAFT", "locked": False, "active_contacts": a.active,
            "error_message": a.error_message, "published_date": out_time(a.published, s.clock),
            "published_timezone": (a.time_zone or s.app.time_zone) if a.published is not None else None,
            "current_edit_lock_status": {"locked": False}}


def _page(r: Request):
    if not r.query.get("page_size"):
        r.query["page_size"] = PAGE_SIZE  # also what the next page's URL carries
    q = r.list_query(AUTOMATIONS)
    return q, overview.page_campaigns(r.s, q)


def _stored(value: int) -> int:
    """An int64 id from a body or query as the store can look it up: beyond its range, one nothing has (-1)."""
    return value if ID_RANGE[0] <= value <= ID_RANGE[1] else -1


def _existing(s: AppSession, ids: list[int], names: list[str]) -> None:
    for automation_id, name in zip(ids, names):
        if overview.get_campaign(s, automation_id) is None:
            raise not_found("Automation", name)


# --- reads --------------------------------------------------------------------------------------------

@operation("listAutomations")
def list_automations(r: Request) -> dict:
    q, page = _page(r)
    filed = categories.of_campaigns(r.s, [a.id for a in page.items])
    return r.page("automations", [automation_json(r.s, a, filed.get(a.id, [])) for a in page.items], page,
                  automation_count=overview.count_campaigns(r.s, q.where))


@operation("listAllAutomationIds")
def list_all_automation_ids(r: Request) -> dict:
    _, page = _page(r)
    return r.page("automation_ids", [out_id(a.id) for a in page.items], page, locked_automation_ids=[])


@operation("getAutomation")
def get_automation(r: Request, automation_id: int) -> dict:
    found = require_campaign(r.s, automation_id, "Automation")
    return automation_json(r.s, found, categories.of_campaigns(r.s, [automation_id]).get(automation_id, []))


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
    given = list(r.query["automation_ids"])
    ids = [_stored(i) for i in given]
    _existing(r.s, ids, [str(i) for i in given])
    for automation_id in dict.fromkeys(ids):
        engine.delete(r.s, automation_id)


@operation("renameAutomationV2")
def rename_easy_automation(r: Request, automation_id) -> None:
    """Keap's "easy automations" are a builder of their own; the sandbox has one kind of automation, its
    Campaign Builder campaigns, so the id names one of those (an id that is not one is a 404)."""
    stored = _stored(int(automation_id)) if automation_id.isascii() and automation_id.isdigit() else -1
    _existing(r.s, [stored], [automation_id])
    name = r.body["name"].strip()
    if not name:
        raise invalid_field("name", "a name is required")
    engine.rename(r.s, stored, name)


@operation("addContactsToAutomationSequence")
def add_contacts_to_automation_sequence(r: Request, automation_id: int, sequence_id: int) -> dict:
    return {"add_to_automation_sequence_results": add_to_sequence(r, automation_id, sequence_id, "Automation")}


@operation("achieveGoal")
def achieve_goal(r: Request) -> dict:
    body = r.body
    contact_id = _stored(body["contact_id"])
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
        raise invalid_field("contact_id", f"no contact has the id {body['contact_id']}")
    if by_name:
        results = achieve.achieve_api(r.s, body["integration"], body["call_name"], contact_id)
    else:
        automation_id, goal_id = _stored(body["automation_id"]), body["goal_id"]
        if overview.get_campaign(r.s, automation_id) is None:
            raise not_found("Automation", body["automation_id"])
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


@operation("bulkAssignmentAutomationsCategories")
def bulk_assign_categories(r: Request) -> None:
    body = r.body
    category_ids = in_ids(body.get("category_ids") or [], "category_ids")
    for index, category_id in enumerate(category_ids):
        if categories.get(r.s, category_id) is None:
            raise not_found("Automation Category", body["category_ids"][index])
    given = body.get("automation_ids") or []
    if "0" in given:  # the contract's wildcard: every automation
        ids = [a.id for a in overview.campaigns(r.s)]
    else:
        ids = in_ids(given, "automation_ids")
        _existing(r.s, ids, given)
    categories.assign(r.s, ids, category_ids, apply=body.get("apply_category", True))


# --- automation categories ----------------------------------------------------------------------------

def category_json(c: categories.Category) -> dict:
    return {"id": out_id(c.id), "name": c.name, "automation_count": c.automation_count}


def _category_name(r: Request, besides: int | None = None) -> str:
    name = (r.body.get("name") or "").strip()
    if not name:
        raise invalid_field("name", "a name is required")
    if len(name) > 100:
        raise invalid_field("name", "at most 100 characters")
    if categories.named(r.s, name, besides=besides) is not None:
        raise conflict(f"An automation category named '{name}' already exists")
    return name


@operation("listCategories")
def list_categories(r: Request) -> dict:
    return {"automation_categories": [category_json(c) for c in categories.all_categories(r.s)]}


@operation("createCategory")
def create_category(r: Request) -> dict:
    return category_json(categories.get(r.s, categories.add(r.s, _category_name(r))))


@operation("patchCategory")
def patch_category(r: Request, id: int) -> dict:  # the contract names the path parameter "id"
    if categories.get(r.s, id) is None:
        raise not_found("Automation Category", id)
    if "name" in r.body:
        categories.rename(r.s, id, _category_name(r, besides=id))
    return category_json(categories.get(r.s, id))


@operation("deleteCategories")
def delete_categories(r: Request) -> None:
    ids = list(dict.fromkeys(r.query["ids"]))
    for category_id in ids:
        if categories.get(r.s, _stored(category_id)) is None:
            raise not_found("Automation Category", category_id)
    for category_id in ids:
        categories.delete(r.s, category_id)


# --- WordPress opt-in options -------------------------------------------------------------------------

def _optin(s: AppSession, key: str) -> optins.OptIn:
    return existing(optins.get(s, key), "WordPress Opt-In Option", key)


@operation("listIntegrationsWordPressOptInOptions")
def list_wordpress_optins(r: Request) -> dict:
    return {"wordpress_opt_in_options": [{"key": o.key, "name": o.name} for o in optins.all_optins(r.s)]}


@operation("addIntegrationsWordPressOptIn")
def add_wordpress_optin(r: Request) -> dict:
    key, name = (r.body.get("key") or "").strip(), (r.body.get("name") or "").strip()
    if not optins.KEY.fullmatch(key):
        raise invalid_field("key", "the key must be 1 to 64 letters and digits")
    if not name:
        raise invalid_field("name", "a name is required")
    if optins.get(r.s, key) is not None:
        raise conflict(f"A WordPress opt-in option with the key '{key}' already exists")
    optins.add(r.s, key, name)
    return {"key": key, "name": name}


@operation("deleteIntegrationsWordPressOptIn")
def delete_wordpress_optin(r: Request, option_key: str) -> None:
    optins.delete(r.s, _optin(r.s, option_key).key)


@operation("achieveIntegrationsWordPressOptInGoal")
def achieve_wordpress_optin_goal(r: Request, option_key: str) -> dict:
    _optin(r.s, option_key)
    text = r.body.get("contact_id")
    if text is None:
        raise invalid_field("contact_id", "contact_id is required")
    contact_id = in_id(text, "contact_id")
    if not emails.contact_exists(r.s, contact_id):
        raise invalid_field("contact_id", f"no contact has the id {text}")
    return {"successful": bool(achieve.achieve_wordpress(r.s, contact_id, option_key))}
