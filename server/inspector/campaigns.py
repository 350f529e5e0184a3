"""Campaigns as their goals and sequences, with per-item counts (waiting, done, skipped) and the contacts
waiting at each item; import a campaign document (YAML or JSON), publish, unpublish."""
from __future__ import annotations

from collections import defaultdict

from flask import request

from server.domain.crm import webforms
from server.sandbox.control import campaigns as control_campaigns

from .apps import context
from .web import PAGE, Refused, act, back, bp, call, model, page_number, paged, render


@bp.route("/apps/<name>/campaigns")
def campaigns(name: str):
    ctx = context(name)
    page = paged(call(control_campaigns.list_campaigns, name=name)["campaigns"], page_number())
    return render("campaigns.html", tab="campaigns", campaigns=page["rows"], number=page["number"],
                  more=page["more"], webform_kinds=webforms.KINDS, **ctx)


@bp.post("/apps/<name>/campaigns")
def import_campaign(name: str):
    def work():
        text = request.form.get("document", "")
        if not text.strip():
            raise Refused(400, "paste a campaign document (YAML or JSON)")
        media_type = "application/json" if text.lstrip().startswith("{") else "application/yaml"
        query = model(control_campaigns.Publishing, {"publish": "1" if request.form.get("publish") else None})
        made = call(control_campaigns.import_campaign, name=name, query=query, document=(text, media_type))
        created = "; ".join(f"{kind}: {', '.join(map(str, names))}"
                            for kind, names in (made.get("created") or {}).items() if names)
        return back("inspector.campaign", name=name, campaign_id=made["id"],
                    notice=f"campaign {made['name']} imported ({made['status']})" + (f"; created {created}"
                                                                                      if created else ""))
    return act("inspector.campaigns", work, name=name)


@bp.route("/apps/<name>/campaigns/<int:campaign_id>")
def campaign(name: str, campaign_id: int):
    ctx = context(name)
    report = call(control_campaigns.report, name=name, campaign_id=campaign_id)
    query = model(control_campaigns.EnrollmentFilter, {"campaign_id": campaign_id, "live": "1", "count": 1000})
    live = call(control_campaigns.enrollments, name=name, query=query)["enrollments"]
    waiting = defaultdict(list)  # item id -> contact ids waiting at it
    for e in live:
        if e["state"] == "waiting" and e["waiting_item_id"]:
            waiting[e["waiting_item_id"]].append(e["contact_id"])
    return render("campaign.html", tab="campaigns", report=report, waiting=waiting, page_size=PAGE, **ctx)


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/<any(publish, unpublish):action>")
def publish(name: str, campaign_id: int, action: str):
    view = control_campaigns.publish_campaign if action == "publish" else control_campaigns.unpublish_campaign
    return act("inspector.campaign", lambda: call(view, name=name, campaign_id=campaign_id),
               notice=f"campaign {action}ed", name=name, campaign_id=campaign_id)


# --- web forms (the control API makes them; it lists none) ------------------------------------------------

def _fields(text: str) -> list[dict]:
    """One field a line: its name, then optionally its type and ``required`` (``Email email required``)."""
    out = []
    for line in text.splitlines():
        words = line.split()
        if words:
            field = {"name": words[0], "required": "required" in words[1:]}
            kinds = [w for w in words[1:] if w != "required"]
            if kinds:
                field["type"] = kinds[0]
            out.append(field)
    return out


@bp.post("/apps/<name>/webforms")
def add_webform(name: str):
    form = request.form
    tags = [t for t in form.get("tag_ids", "").replace(",", " ").split() if t]

    def work():
        if not all(t.isdigit() for t in tags):
            raise Refused(400, f"tag_ids must be tag ids separated by commas, not {form.get('tag_ids')!r}")
        body = model(control_campaigns.NewWebform, {
            "name": form.get("name", "").strip(), "kind": form.get("kind") or "web",
            "fields": _fields(form.get("fields", "")), "tag_ids": [int(t) for t in tags],
            "opt_in": form.get("opt_in") == "on"})
        made = call(control_campaigns.add_webform, name=name, body=body)
        return f"web form {made['id']} made: its page is {made['page']}"
    return act("inspector.campaigns", work, name=name)
