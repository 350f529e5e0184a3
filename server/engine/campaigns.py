"""Campaigns: import a document, edit it, publish (compile and start listening), unpublish, export.

A campaign is a draft until published; publishing compiles the document (server.engine.graph), refuses it with
every problem listed when it does not hold together, and rebuilds the goal triggers. Goals never fire for what
happened before they were published. Republishing keeps every unchanged goal, sequence and item id, so
contacts stay where they were (server.engine.republish).
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.crm import tags
from server.store import schema
from server.store.session import AppSession

from . import categories, document, graph, published, republish, resources
from .errors import CampaignNotFound, PublishError
from .published import DRAFT, PUBLISHED, UNPUBLISHED


def _row(s: AppSession, campaign_id: int):
    c = schema.campaign
    row = s.execute(s.select(c).where(c.c.id == campaign_id)).first()
    if row is None:
        raise CampaignNotFound(campaign_id)
    return row


class Imported(NamedTuple):
    campaign_id: int
    created: dict  # what create_resources made


def create_resources(s: AppSession, doc: dict) -> dict:
    """The tags, tag categories and contact custom fields declared in the document's ``resources`` that the app
    lacks, made now and returned as ``{"tags": [{"id", "name"}], "tag_categories": [...], "custom_fields":
    [...]}``. A tag a goal or item names by name must be declared there or exist: a typo would otherwise make a
    tag nothing applies, and the goal waiting for it would never fire (docs/campaigns.md)."""
    problems: list[str] = []
    created: dict[str, list] = {"tags": [], "tag_categories": [], "custom_fields": []}
    res = doc.get("resources") or {}
    declared = set()
    for raw in res.get("tags", []):
        spec = raw if isinstance(raw, dict) else {"name": raw}
        name = spec["name"].strip()
        declared.add(name.lower())
        if tags.find_tag(s, name) is not None:
            continue
        category = spec.get("category")
        if category and resources.find_tag_category(s, category) is None:
            created["tag_categories"].append({"name": category.strip()})
        tag_id = resources.tag_id(s, name, create=True, category=category, description=spec.get("description", ""))
        created["tags"].append({"id": tag_id, "name": name})
    for category in created["tag_categories"]:
        category["id"] = resources.find_tag_category(s, category["name"]).id
    for spec in res.get("custom_fields", []):
        try:
            field_id = resources.ensure_custom_field(s, spec["name"], spec["type"], spec.get("label"),
                                                     spec.get("values"))
        except Exception as exc:  # a DataService fault: report it as a document problem
            problems.append(f"resources.custom_fields: {spec['name']}: {getattr(exc, 'message', exc)}")
            continue
        if field_id is not None:
            created["custom_fields"].append({"id": field_id, "name": spec["name"]})
    for where, ref in _tag_names(doc):
        if ref.strip().lower() not in declared and tags.find_tag(s, ref) is None:
            problems.append(f"{where}: no tag named {ref!r} (declare it in resources.tags to have it created)")
    if problems:
        raise document.DocumentError(problems)
    return created


def _tag_names(doc: dict):
    """(where, name) of every tag a goal or item names by name, not by id."""
    refs = [(f"goals[{n}]", g) for n, g in enumerate(doc.get("goals", [])) if g["type"] == "tag_applied"]
    for n, seq in enumerate(doc.get("sequences", [])):
        paths = document.paths_of(seq)
        for p, path in enumerate(paths):
            base = f"sequences[{n}].paths[{p}]" if "paths" in seq else f"sequences[{n}].items"
            refs += [(f"{base}[{i}]", item) for i, item in enumerate(path)
                     if item["type"] in ("apply_tag", "remove_tag")]
    for where, holder in refs:
        if holder.get("tags"):
            named = [(f"{where}.tags[{k}]", ref) for k, ref in enumerate(holder["tags"])]
        else:
            named = [(f"{where}.tag", holder.get("tag"))]
        for place, ref in named:
            if isinstance(ref, str) and not ref.strip().isdigit():
                yield place, ref


def import_document(s: AppSession, doc: dict) -> Imported:
    document.validate(doc)
    created = create_resources(s, doc)
    campaign_id = s.next_id("campaign")
    now = s.clock.now().timestamp()
    ids = graph.assign_ids(s, doc, None)
    s.insert(schema.campaign, dict(id=campaign_id, name=doc["name"], status=DRAFT, version=0, document=doc,
                                   ids=ids, graph=None, time_zone=doc.get("time_zone"), date_created=now,
                                   last_updated=now, published_date=None, error_message=None))
    s.emit("campaign.added", "campaign", campaign_id, name=doc["name"])
    return Imported(campaign_id, created)


def replace_document(s: AppSession, campaign_id: int, doc: dict) -> dict:
    """A new document for the campaign; ids are kept for every key (and unnamed item) still present. A
    published campaign goes on running its published version until it is published again."""
    row = _row(s, campaign_id)
    document.validate(doc)
    created = create_resources(s, doc)
    ids = graph.assign_ids(s, doc, row.ids)
    c = schema.campaign
    s.update(c, c.c.id == campaign_id, name=doc["name"], document=doc, ids=ids, time_zone=doc.get("time_zone"),
             last_updated=s.clock.now().timestamp())
    s.emit("campaign.updated", "campaign", campaign_id)
    return created


def rename(s: AppSession, campaign_id: int, name: str) -> None:
    """A new name for the campaign, in its row and its document (what an export shows); nothing else changes."""
    row = _row(s, campaign_id)
    c = schema.campaign
    s.update(c, c.c.id == campaign_id, name=name, document={**row.document, "name": name},
             last_updated=s.clock.now().timestamp())
    s.emit("campaign.updated", "campaign", campaign_id, fields=["name"])


def publish(s: AppSession, campaign_id: int) -> dict:
    row = _row(s, campaign_id)
    compiled, problems = graph.compile_campaign(s, row.document, row.ids, campaign_id, row.version + 1)
    c = schema.campaign
    if problems:
        s.update(c, c.c.id == campaign_id, error_message="; ".join(problems))
        raise PublishError(problems)
    previous = graph.Graph.from_json(row.graph) if row.graph and row.status == PUBLISHED else None
    data = compiled.to_json()
    now = s.clock.now().timestamp()
    s.update(c, c.c.id == campaign_id, status=PUBLISHED, version=compiled.version, graph=data,
             published_date=now, last_updated=now, error_message=None)
    published.forget_versions(s)
    _rebuild_triggers(s, compiled)
    moved = republish.apply(s, previous or (graph.Graph.from_json(row.graph) if row.graph else None), compiled,
                            unpublished_since=None if row.status == PUBLISHED else row.last_updated)
    s.emit("campaign.published", "campaign", campaign_id, version=compiled.version)
    return {"id": campaign_id, "version": compiled.version, "status": PUBLISHED, "enrollments_moved": moved}


def unpublish(s: AppSession, campaign_id: int) -> None:
    """Goals stop listening; contacts stay where they are, and their timers wait for a republish."""
    row = _row(s, campaign_id)
    if row.status != PUBLISHED:
        return
    gt = schema.goal_trigger
    s.delete(gt, gt.c.campaign_id == campaign_id)
    c = schema.campaign
    s.update(c, c.c.id == campaign_id, status=UNPUBLISHED, last_updated=s.clock.now().timestamp())
    published.forget_versions(s)
    s.emit("campaign.unpublished", "campaign", campaign_id)


def _rebuild_triggers(s: AppSession, compiled: graph.Graph) -> None:
    gt = schema.goal_trigger
    s.delete(gt, gt.c.campaign_id == compiled.campaign_id)
    rows = {(t, g.id) for g in compiled.goals.values() for t in g.triggers}
    s.insert(gt, [dict(trigger=t, campaign_id=compiled.campaign_id, goal_id=goal_id) for t, goal_id in sorted(rows)])


def delete(s: AppSession, campaign_id: int) -> None:
    _row(s, campaign_id)
    for table in (schema.goal_trigger, schema.enrollment):
        s.delete(table, table.c.campaign_id == campaign_id)
    categories.forget_campaign(s, campaign_id)
    s.delete(schema.campaign, schema.campaign.c.id == campaign_id)
    s.emit("campaign.deleted", "campaign", campaign_id)


def get(s: AppSession, campaign_id: int):
    return _row(s, campaign_id)


def list_campaigns(s: AppSession) -> list:
    c = schema.campaign
    return s.execute(s.select(c).order_by(c.c.id)).all()


def count(s: AppSession) -> int:
    c = schema.campaign
    return s.execute(s.select(c, sa.func.count())).scalar_one()
