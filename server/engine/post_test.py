"""The Test button of a campaign's HTTP post (seed 001: "click on the Test button to verify the post is working
as expected"): the item's name/value pairs, merged for a contact of the app's (blank without one), posted once,
now, and the receiver's answer given back. Nothing is recorded (no ``http_post`` row, no event, no retry), and
the campaign need not be published."""
from __future__ import annotations

from dataclasses import dataclass

from server.domain.errors import InvalidParameter, not_found
from server.domain.mail import emails, merge_fields
from server.environment import Environment
from server.store.session import AppSession

from . import campaigns, graph
from .errors import ItemNotFound


@dataclass(frozen=True)
class TestPost:
    url: str
    fields: list[list[str]]
    timeout: float


def prepare(s: AppSession, campaign_id: int, item_id: int, contact_id: int | None) -> TestPost:
    """The post the item would make for the contact: its URL checked as publishing checks it (the port rule)."""
    row = campaigns.get(s, campaign_id)
    ids, doc = row.ids or {}, row.document or {}
    found = [item for item, identity, _, _ in graph.item_identities(doc) if ids.get(f"item:{identity}") == item_id]
    if not found:
        raise ItemNotFound(campaign_id, item_id)
    item = found[0]
    if item.get("type") != "http_post":
        raise InvalidParameter(f"item {item_id} is a {item.get('type')}, not an http_post")
    problem = graph.url_problem(s, item.get("url"))
    if problem:
        raise InvalidParameter(problem)
    if contact_id is not None and not emails.contact_exists(s, contact_id):
        raise not_found("Contact", contact_id)
    pairs, problem = graph.post_pairs(item.get("fields"))
    if problem:
        raise InvalidParameter(problem)
    used = merge_fields.tokens(*(value for _, value in pairs))
    context = merge_fields.contexts(s, [contact_id], used, campaign_fields=doc.get("merge_fields"))[contact_id]
    return TestPost(item["url"], [[name, merge_fields.render(value, context)] for name, value in pairs],
                    float(s.app.option("http_post_timeout_s")))


def send(env: Environment, post: TestPost) -> dict:
    """Post it (outside any transaction: the receiver may take its time) and say what came back."""
    answer = env.senders.http.post(post.url, [tuple(f) for f in post.fields], {}, post.timeout)
    return {"url": post.url, "fields": post.fields, "status": answer.status, "error": answer.error,
            "ok": answer.status is not None and 200 <= answer.status < 300}
