"""Round robins: who an Assign Owner or Create Opportunity item picks next. Never random (spec campaign-engine.md:
a persistent counter). An item's own list of users turns with a counter of its own; a round robin of the account
(CRM > Settings > Round Robins, "created outside of the campaign builder", seed 001), named by the item, turns one
counter shared by every item that names it, each user taking ``weight`` turns in a row ("a set of distribution
rules based on numeric logic")."""
from __future__ import annotations

from server.domain.errors import SandboxError
from server.store import schema
from server.store.session import AppSession

MAX_WEIGHT = 100


def next_of_item(s: AppSession, item_id: int, users: list[int]) -> int:
    """The next of an item's own users."""
    rr = schema.round_robin
    row = s.execute(s.select(rr).where(rr.c.item_id == item_id)).first()
    index = row.next_index if row else 0
    if row is None:
        s.insert(rr, dict(item_id=item_id, next_index=index + 1))
    else:
        s.update(rr, rr.c.item_id == item_id, next_index=index + 1)
    return users[index % len(users)]


def next_of_rule(s: AppSession, name: str) -> int:
    """The next user of the account's round robin ``name`` (looked up by name when the item runs: one deleted and
    defined again serves the items naming it); a SandboxError if there is none of that name now."""
    t = schema.round_robin_rule
    found = rule_named(s, name)
    if found is None:
        raise SandboxError(f"no round robin {name!r}")
    # the counter moved on first, in the store: the row stays locked until the transaction ends, so two workers'
    # items naming it take turns one after the other, never the same turn
    s.update(t, t.c.id == found.id, next_index=t.c.next_index + 1)
    rule = s.get(t, found.id)
    return turn(rule.users, rule.next_index - 1)


def turn(users: list[dict], index: int) -> int:
    """The user whose turn ``index`` is (counted from 0, round after round), each user ``weight`` turns in a row."""
    turns = [u["user_id"] for u in users for _ in range(u.get("weight", 1))]
    return turns[index % len(turns)]


def rules(s: AppSession) -> list:
    t = schema.round_robin_rule
    return s.execute(s.select(t).order_by(t.c.name)).all()


def rule_named(s: AppSession, name: str):
    t = schema.round_robin_rule
    return s.execute(s.select(t).where(t.c.name == name)).first()


def define(s: AppSession, name: str, users: list[tuple[int, int]]) -> int:
    """Create or replace the round robin ``name``: ``(user id, weight)`` in turn order. Replacing it starts its
    turns again from the first user."""
    t = schema.round_robin_rule
    stored = [{"user_id": user_id, "weight": weight} for user_id, weight in users]
    existing = rule_named(s, name)
    if existing is not None:
        s.update(t, t.c.id == existing.id, users=stored, next_index=0)
        return existing.id
    rule_id = s.next_id("round_robin_rule")
    s.insert(t, dict(id=rule_id, name=name, users=stored, next_index=0))
    return rule_id


def delete(s: AppSession, name: str) -> bool:
    t = schema.round_robin_rule
    return bool(s.delete(t, t.c.name == name).rowcount)
