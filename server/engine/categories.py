"""Automation categories: names campaigns are filed under (REST v2's ``automationCategory`` and the
``categories`` of an automation). A campaign may be in several categories; deleting a category takes it off
its campaigns, deleting a campaign takes the campaign out of its categories. Names are unique, ignoring case.
Every write emits its event (``automation_category.added`` / ``.updated`` / ``.deleted``,
``campaign.categories_changed``) for the change log.
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.store import schema
from server.store.session import AppSession

AC, CC = schema.automation_category, schema.campaign_category


class Category(NamedTuple):
    id: int
    name: str
    automation_count: int


def _select(s: AppSession) -> sa.Select:
    count = (sa.select(sa.func.count()).select_from(CC)
             .where(CC.c.app_id == AC.c.app_id, CC.c.category_id == AC.c.id).scalar_subquery())
    return s.select(AC, AC.c.id, AC.c.name, count.label("automation_count"))


def all_categories(s: AppSession) -> list[Category]:
    return [Category(r.id, r.name, r.automation_count) for r in s.execute(_select(s).order_by(AC.c.id))]


def get(s: AppSession, category_id: int) -> Category | None:
    row = s.execute(_select(s).where(AC.c.id == category_id)).first()
    return None if row is None else Category(row.id, row.name, row.automation_count)


def named(s: AppSession, name: str, *, besides: int | None = None) -> Category | None:
    q = _select(s).where(sa.func.lower(AC.c.name) == name.strip().lower())
    if besides is not None:
        q = q.where(AC.c.id != besides)
    row = s.execute(q.limit(1)).first()
    return None if row is None else Category(row.id, row.name, row.automation_count)


def add(s: AppSession, name: str) -> int:
    category_id = s.next_id("automation_category")
    s.insert(AC, dict(id=category_id, name=name))
    s.emit("automation_category.added", "automation_category", category_id, name=name)
    return category_id


def rename(s: AppSession, category_id: int, name: str) -> None:
    s.update(AC, AC.c.id == category_id, name=name)
    s.emit("automation_category.updated", "automation_category", category_id, name=name)


def delete(s: AppSession, category_id: int) -> None:
    s.delete(CC, CC.c.category_id == category_id)
    s.delete(AC, AC.c.id == category_id)
    s.emit("automation_category.deleted", "automation_category", category_id)


def assign(s: AppSession, campaign_ids: list[int], category_ids: list[int], *, apply: bool) -> None:
    """File the campaigns under the categories (``apply``) or take them out of them."""
    for campaign_id in campaign_ids:
        have = set(of_campaigns(s, [campaign_id]).get(campaign_id, []))
        if apply:
            fresh = [c for c in dict.fromkeys(category_ids) if c not in have]
            s.insert(CC, [dict(campaign_id=campaign_id, category_id=c) for c in fresh])
        else:
            fresh = [c for c in category_ids if c in have]
            if fresh:
                s.delete(CC, CC.c.campaign_id == campaign_id, CC.c.category_id.in_(fresh))
        if fresh:
            s.emit("campaign.categories_changed", "campaign", campaign_id,
                   added=fresh if apply else [], removed=[] if apply else fresh)


def of_campaigns(s: AppSession, campaign_ids) -> dict[int, list[int]]:
    """The category ids of each campaign, in id order."""
    ids = list(campaign_ids)
    out: dict[int, list[int]] = {}
    if not ids:
        return out
    q = s.select(CC, CC.c.campaign_id, CC.c.category_id).where(CC.c.campaign_id.in_(ids)).order_by(CC.c.category_id)
    for row in s.execute(q):
        out.setdefault(row.campaign_id, []).append(row.category_id)
    return out


def filed_under(s: AppSession, category_ids) -> sa.Select:
    """The ids of the campaigns in any of the categories (a subquery)."""
    return s.select(CC, CC.c.campaign_id).where(CC.c.category_id.in_(list(category_ids)))


def first_name_of_campaign(s: AppSession) -> sa.ScalarSelect:
    """The first (alphabetically) category name of the campaign in the enclosing query (for ordering)."""
    c = schema.campaign
    return (sa.select(sa.func.min(sa.func.lower(AC.c.name))).select_from(CC)
            .join(AC, sa.and_(AC.c.app_id == CC.c.app_id, AC.c.id == CC.c.category_id))
            .where(CC.c.app_id == c.c.app_id, CC.c.campaign_id == c.c.id).scalar_subquery())


def forget_campaign(s: AppSession, campaign_id: int) -> None:
    s.delete(CC, CC.c.campaign_id == campaign_id)
