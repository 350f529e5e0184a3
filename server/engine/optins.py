"""WordPress opt-in options: the opt-ins a WordPress site offers (REST v2's ``integrations/wordpress/options``),
each a key (alphanumeric, what a campaign's WordPress opt-in goal names as its ``optin``) and a display name.
Achieving an option's goal is FunnelService.achieveWordPressGoal's (server.engine.achieve): the goals of that
opt-in and those of any opt-in. Writes emit ``wordpress_optin.added`` / ``.deleted``.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from server.store import schema
from server.store.session import AppSession

W = schema.wordpress_optin
KEY = re.compile(r"[A-Za-z0-9]{1,64}")  # the campaign document's rule for a goal's ``optin``


class OptIn(NamedTuple):
    key: str
    name: str


def all_optins(s: AppSession) -> list[OptIn]:
    return [OptIn(r.key, r.name) for r in s.execute(s.select(W, W.c.key, W.c.name).order_by(W.c.key))]


def get(s: AppSession, key: str) -> OptIn | None:
    row = s.execute(s.select(W, W.c.key, W.c.name).where(W.c.key == key)).first()
    return None if row is None else OptIn(row.key, row.name)


def add(s: AppSession, key: str, name: str) -> None:
    s.insert(W, dict(key=key, name=name))
    s.emit("wordpress_optin.added", "wordpress_optin", None, key=key, name=name)


def delete(s: AppSession, key: str) -> None:
    s.delete(W, W.c.key == key)
    s.emit("wordpress_optin.deleted", "wordpress_optin", None, key=key)
