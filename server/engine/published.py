"""The published graphs of an app's campaigns, as the engine reads them while it runs: a campaign's published
version is read once per transaction (publishing in the same transaction forgets it), its compiled graph comes
from the process's cache (server.engine.graph)."""
from __future__ import annotations

import sqlalchemy as sa

from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession

from .graph import Graph, cached

DRAFT, PUBLISHED, UNPUBLISHED = "draft", "published", "unpublished"  # campaign.status


def load_graph(s: AppSession, campaign_id: int, version: int) -> Graph:
    def load():
        c = schema.campaign
        return s.execute(s.select(c, c.c.graph).where(c.c.id == campaign_id)).scalar_one()
    return cached(s.conn.engine, s.app.id, s.app.epoch, campaign_id, version, load)


_c = schema.campaign
_PUBLISHED_VERSION = PreparedAll(sa.select(_c.c.version).where(
    _c.c.app_id == sa.bindparam("app_id"), _c.c.id == sa.bindparam("id"), _c.c.status == PUBLISHED))


def published_graphs(s: AppSession, campaign_ids) -> dict[int, Graph]:
    """The compiled graphs of those campaigns that are published, by id: a campaign's published version is
    read once per transaction (publishing in the same transaction forgets it), the graph from the cache."""
    known = s.__dict__.setdefault("_published_versions", {})
    out = {}
    for campaign_id in set(campaign_ids):
        if campaign_id not in known:
            known[campaign_id] = s.scalar(_PUBLISHED_VERSION, id=campaign_id)
        version = known[campaign_id]
        if version is not None:
            out[campaign_id] = load_graph(s, campaign_id, version)
    return out


def forget_versions(s: AppSession) -> None:
    s.__dict__.pop("_published_versions", None)


def all_published(s: AppSession) -> dict[int, Graph]:
    """The graph of every published campaign of the app, by id, in id order."""
    c = schema.campaign
    rows = s.execute(s.select(c, c.c.id, c.c.version).where(c.c.status == PUBLISHED).order_by(c.c.id)).all()
    return {row.id: load_graph(s, row.id, row.version) for row in rows}
