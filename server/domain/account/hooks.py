"""REST hooks: subscriptions, the one table from domain events to hook event keys, and the queue of deliveries.

Every transaction's events, once numbered in the change log, are matched here against the app's Verified
hooks (``queue_deliveries``, a change-log listener: inside the same transaction): each match adds an object
key to the hook's open batch for that event key (at most 1000 keys, one event key per batch) or opens one,
due a little later on the app's clock, so a change reaches its subscribers whatever made it (REST, XML-RPC,
the engine). Sending them is the outbox's work (server.domain.outbox.hook_deliveries). Facts: spec
rest-oauth-throttle.md §8.
"""
from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import UTC
from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import WITHOUT_EVENTS, AppRecord, AppSession

# GET /hooks/event_keys: the real list (Novak's HookTypes enum, 2018 [client S8]).
EVENT_KEYS = [
    "appointment.add", "appointment.delete", "appointment.edit",
    "company.add", "company.delete", "company.edit",
    "contact.add", "contact.delete", "contact.edit", "contact.redact",
    "contactGroup.add", "contactGroup.applied", "contactGroup.delete", "contactGroup.edit", "contactGroup.removed",
    "invoice.add", "invoice.delete", "invoice.edit",
    "invoice.payment.add", "invoice.payment.delete", "invoice.payment.edit",
    "leadsource.add", "leadsource.delete", "leadsource.edit",
    "note.add", "note.delete", "note.edit",
    "opportunity.add", "opportunity.delete", "opportunity.edit", "opportunity.stage_move",
    "order.add", "order.delete", "order.edit",
    "product.add", "product.delete", "product.edit",
    "subscription.add", "subscription.delete", "subscription.edit",
    "task.add", "task.delete", "task.edit",
    "user.activate", "user.add", "user.edit",
]
STATUSES = ("Unverified", "Verified", "Inactive")
# "Deliveries are not triggered by legacy 'action sets'" [doc S30]: the origin (AppSession.acting_for) of the
# changes an action set's actions make (server.engine.legacy), which queue none
LEGACY_ACTION_SET = "legacy action set"
MAX_KEYS = 1000  # object keys per delivery [doc S30]


@dataclass(frozen=True)
class HookEvent:
    key: str  # the hook event key
    object_type: str
    path: str  # the REST resource of the object, for apiUrl ("" when there is none)
    id_from: str = "entity_id"  # where the object's id is: the event's entity_id or a payload key


def _crud(prefix: str, key: str, object_type: str, path: str) -> dict[str, tuple[HookEvent, ...]]:
    return {f"{prefix}.added": (HookEvent(f"{key}.add", object_type, path),),
            f"{prefix}.updated": (HookEvent(f"{key}.edit", object_type, path),),
            f"{prefix}.deleted": (HookEvent(f"{key}.delete", object_type, path),)}


_ORDER_EDIT = HookEvent("order.edit", "order", "/orders/{id}", id_from="order_id")
_INVOICE_EDIT = HookEvent("invoice.edit", "invoice", "", id_from="invoice_id")

# Domain event type -> the hook events it fires (one change may concern several objects: a payment adds an
# invoice payment and changes its invoice and its order). Tags are contact groups here: a tag put on a contact
# fires contactGroup.applied (there is no tag.* key) [doc S30]. Every key of EVENT_KEYS has a row, except
# contact.redact: nothing in the sandbox (or the API) redacts a contact.
HOOK_EVENTS: dict[str, tuple[HookEvent, ...]] = {
    **_crud("contact", "contact", "contact", "/contacts/{id}"),
    "contact.merged": (HookEvent("contact.edit", "contact", "/contacts/{id}"),),
    # an address's email status changed (a bounce, a complaint, an opt-out …): each contact sharing it
    "contact.email_status_changed": (HookEvent("contact.edit", "contact", "/contacts/{id}"),),
    **_crud("company", "company", "company", "/companies/{id}"),
    **_crud("tag", "contactGroup", "contactGroup", "/tags/{id}"),
    "tag.applied": (HookEvent("contactGroup.applied", "contactGroup", "/tags/{id}", id_from="tag_id"),),
    "tag.removed": (HookEvent("contactGroup.removed", "contactGroup", "/tags/{id}", id_from="tag_id"),),
    **_crud("note", "note", "note", "/notes/{id}"),
    **_crud("task", "task", "task", "/tasks/{id}"),
    **_crud("appointment", "appointment", "appointment", "/appointments/{id}"),
    "user.added": (HookEvent("user.add", "user", "/users/{id}"),),
    "user.updated": (HookEvent("user.edit", "user", "/users/{id}"),),
    "user.activated": (HookEvent("user.activate", "user", "/users/{id}"),),
    **_crud("lead_source", "leadsource", "leadsource", ""),  # REST v1 has no lead source resource
    **_crud("opportunity", "opportunity", "opportunity", "/opportunities/{id}"),
    "opportunity.stage_moved": (HookEvent("opportunity.stage_move", "opportunity", "/opportunities/{id}",
                                          id_from="opportunity_id"),),
    **_crud("order", "order", "order", "/orders/{id}"),
    # an invoice is its order's on REST v1 (no invoice resource): its items and totals are the order's too
    "invoice.added": (HookEvent("invoice.add", "invoice", ""),),
    "invoice.updated": (HookEvent("invoice.edit", "invoice", ""), _ORDER_EDIT),
    "invoice.deleted": (HookEvent("invoice.delete", "invoice", ""),),
    "payment.added": (HookEvent("invoice.payment.add", "invoice.payment", "/orders/{order_id}/payments"),
                      _INVOICE_EDIT, _ORDER_EDIT),
    "payment.updated": (HookEvent("invoice.payment.edit", "invoice.payment", "/orders/{order_id}/payments"),),
    "payment.deleted": (HookEvent("invoice.payment.delete", "invoice.payment", "/orders/{order_id}/payments"),),
    **_crud("product", "product", "product", "/products/{id}"),
    **_crud("subscription", "subscription", "subscription", "/subscriptions/{id}"),
}

# The first attempt waits longer for these keys (5-10 min instead of 30-60 s) [doc S30].
SLOW_KEYS = {"contactGroup.applied", "contactGroup.delete"}


def timestamp(moment: datetime) -> str:
    """``2017-04-21T15:36:06.000Z`` (the documented example; the real format is unconfirmed)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- subscriptions --------------------------------------------------------------------------------------

def _now(s: AppSession) -> datetime:
    return s.clock.now().replace(tzinfo=None)


def new_secret() -> str:
    return secrets.token_hex(32)


def get(s: AppSession, hook_id: int):
    row = s.get(schema.rest_hook, hook_id)
    if row is None:
        raise RecordNotFound("Unable to find this RestHook")
    return row


def all_hooks(s: AppSession) -> list:
    h = schema.rest_hook
    return s.execute(s.select(h).order_by(h.c.id)).all()


# A hookUrl: an http(s) URL whose host a request can be made to: a host name (ASCII letters, digits, ``-`` and
# ``_``; a non-ASCII name in its xn-- form) whose labels have 1 to 63 characters, an IPv4 address or a bracketed
# IPv6 address; an optional port; no whitespace or control characters anywhere. The real service's own check is
# unrecorded (spec §6.3 gives 400 for validation). The same text is the pattern the OpenAPI document states
# (server.rest.hooks), written in the syntax JSON Schema's regular expressions and Python's share, its spaces
# ECMAScript's ``\s`` and more, so whatever the pattern refuses the check refuses too. What it cannot state
# (a port above 65535, a host name over 253 characters, an IPv6 address that is none) ``hook_url_problem`` adds.
_NOT_IN_URL = r"\s\x00-\x1f\x7f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_USERINFO = rf"[^{_NOT_IN_URL}/?#@\[\]]*@"
_HOST = r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\]"
_AFTER_HOST = rf"[/?#][^{_NOT_IN_URL}]*"
HOOK_URL_PATTERN = rf"^https?://(?:{_USERINFO})?(?:{_HOST})(?::[0-9]{{1,5}})?(?:{_AFTER_HOST})?$"
_HOOK_URL = re.compile(rf"https?://(?:{_USERINFO})?(?P<host>{_HOST})(?::(?P<port>[0-9]{{1,5}}))?(?:{_AFTER_HOST})?")
_ANY_HOST = re.compile(r"https?://(?:[^/?#@]*@)?([^/?#:]*)")


def hook_url_problem(url: str) -> str | None:
    """Why no hook can have ``url`` (None if one can): a URL the handshake and the deliveries cannot be sent to
    is refused up front rather than kept as a hook that can never verify."""
    if not url.startswith(("http://", "https://")):
        return "not an http(s) URL"
    parts = _HOOK_URL.fullmatch(url)
    if parts is None:
        if any(len(label) > 63 for label in _ANY_HOST.match(url)[1].split(".")):
            return "a label of its host name is longer than 63 characters"
        return ("not an http(s) URL with a host name (letters, digits, hyphens; labels of 1 to 63 characters), "
                "an IPv4 address or an [IPv6] address, without spaces or control characters")
    host, port = parts["host"], parts["port"]
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{host} is not an IPv6 address"
    elif len(host.rstrip(".")) > 253:
        return "its host name is longer than 253 characters"
    if port is not None and not 1 <= int(port) <= 65535:
        return f"{port} is not a port (1 to 65535)"
    return None


def _shown(url: str, most: int = 200) -> str:
    return url if len(url) <= most else url[:most - 1] + "…"


def _check(event_key: str, hook_url: str) -> None:
    if event_key not in EVENT_KEYS:
        raise InvalidParameter(f"Invalid eventKey: {event_key}")
    problem = hook_url_problem(hook_url)
    if problem:
        raise InvalidParameter(f"Invalid hookUrl: {_shown(hook_url)} ({problem})")


def subscribe(s: AppSession, event_key: str, hook_url: str) -> int:
    """A new hook, Unverified until its URL answers the handshake."""
    _check(event_key, hook_url)
    hook_id = s.next_id("rest_hook")
    now = _now(s)
    s.insert(schema.rest_hook, dict(id=hook_id, event_key=event_key, hook_url=hook_url, status="Unverified",
                                    secret=new_secret(), created_at=now, updated_at=now))
    s.emit("rest_hook.added", "rest_hook", hook_id, event_key=event_key)
    return hook_id


def change(s: AppSession, hook_id: int, event_key: str, hook_url: str) -> None:
    """New event key and URL: the hook must verify again. Its queued deliveries of another event key are
    dropped: a subscription gets the events of its own key only [doc S30], and those were queued for the key it
    no longer has. Those of its key stay queued for the new URL (sent once it verifies, dropped if it has not
    when they fall due)."""
    get(s, hook_id)
    _check(event_key, hook_url)
    h, d = schema.rest_hook, schema.hook_delivery
    now = _now(s)
    s.update(h, h.c.id == hook_id, event_key=event_key, hook_url=hook_url, status="Unverified",
             secret=new_secret(), updated_at=now)
    s.update(d, d.c.hook_id == hook_id, d.c.status == "pending", d.c.event_key != event_key, status="dropped",
             due_at=None, finished_at=now)
    s.emit("rest_hook.updated", "rest_hook", hook_id, event_key=event_key)


def start_handshake(s: AppSession, hook_id: int) -> tuple[str, str]:
    """A fresh secret for a handshake: ``(hook_url, secret)``."""
    get(s, hook_id)
    secret = new_secret()
    h = schema.rest_hook
    s.update(h, h.c.id == hook_id, secret=secret, updated_at=_now(s))
    return get(s, hook_id).hook_url, secret


def set_status(s: AppSession, hook_id: int, status: str, reason: str | None = None) -> None:
    h = schema.rest_hook
    row = get(s, hook_id)
    if row.status != status:
        s.update(h, h.c.id == hook_id, status=status, updated_at=_now(s))
        s.emit("rest_hook.status_changed", "rest_hook", hook_id, status=status, previous=row.status, reason=reason)


def verify_delayed(s: AppSession, hook_id: int, secret: str) -> bool:
    """Delayed verification: the subscriber sends back the secret of the handshake."""
    row = get(s, hook_id)
    if not secret or not secrets.compare_digest(secret, row.secret):
        return False
    set_status(s, hook_id, "Verified", "delayedVerify")
    return True


def unsubscribe(s: AppSession, hook_id: int) -> None:
    get(s, hook_id)
    h, d = schema.rest_hook, schema.hook_delivery
    s.delete(h, h.c.id == hook_id)
    s.update(d, d.c.hook_id == hook_id, d.c.status == "pending", status="dropped", due_at=None,
             finished_at=_now(s))
    s.emit("rest_hook.deleted", "rest_hook", hook_id)


# --- queueing deliveries (inside the writing transaction, once its events are numbered) ------------------

def object_key(hook: HookEvent, event, at: datetime, api_base: str) -> dict | None:
    object_id = event.entity_id if hook.id_from == "entity_id" else event.payload.get(hook.id_from)
    if object_id is None:
        return None
    try:
        path = hook.path.format_map({**event.payload, "id": object_id}) if hook.path else ""
    except (KeyError, IndexError, ValueError):
        path = ""
    key = {"id": object_id, "apiUrl": api_base + path if path else "", "timestamp": timestamp(at)}
    if event.type in ("tag.applied", "tag.removed"):
        # which contact: a single third-party listener reads contact_details [3p S32] (shape unconfirmed)
        key["contact_details"] = [{"id": event.entity_id}]
    return key


API_BASE = "https://api.infusionsoft.com/crm/rest/v1"  # what apiUrl points at unless the app says otherwise


_h = schema.rest_hook
_VERIFIED = PreparedAll(sa.select(_h.c.id, _h.c.event_key).where(
    _h.c.app_id == sa.bindparam("app_id"), _h.c.event_key == sa.bindparam("event_key"), _h.c.status == "Verified"))


def queue_deliveries(conn: Connection, app: AppRecord, logged: list) -> None:
    by_key: dict[str, list[tuple[HookEvent, object, datetime]]] = {}
    for _seq, event, at in logged:
        if event.origin == LEGACY_ACTION_SET:
            continue
        for hook_event in HOOK_EVENTS.get(event.type, ()):
            by_key.setdefault(hook_event.key, []).append((hook_event, event, at))
    if not by_key:
        return
    hooks = sorted((r for key in by_key for r in _VERIFIED.all(conn, {"app_id": app.id, "event_key": key})),
                   key=lambda r: r.id)
    if not hooks:
        return
    s = AppSession(conn, app, env=WITHOUT_EVENTS)  # (the commit is under way: the rows it adds emit nothing)
    api_base = (app.option("rest_api_base") or API_BASE).rstrip("/")
    for hook in hooks:
        keys = [k for k in (object_key(he, ev, at, api_base) for he, ev, at in by_key[hook.event_key]) if k]
        if keys:
            _append(s, hook.id, hook.event_key, by_key[hook.event_key][0][0].object_type, keys)


def _append(s: AppSession, hook_id: int, event_key: str, object_type: str, keys: list[dict]) -> None:
    d = schema.hook_delivery
    now = s.clock.now()
    # due times from the clock's own float: a datetime rounds to microseconds, and a due time a hair after
    # "now + 30 s" would not fall due in a 30 s clock advance
    now_ts = s.app.clock_state.timestamp()
    open_batch = s.execute(s.select(d, d.c.id, d.c.object_keys, d.c.size).where(
        d.c.hook_id == hook_id, d.c.event_key == event_key, d.c.status == "pending", d.c.attempts == 0,
        d.c.size < MAX_KEYS).order_by(d.c.id.desc()).limit(1)).first()
    if open_batch is not None:
        room = MAX_KEYS - open_batch.size
        taken, keys = keys[:room], keys[room:]
        # only while the batch is still unattempted: a sender that claimed it meanwhile wins
        done = s.update(d, d.c.id == open_batch.id, d.c.status == "pending", d.c.attempts == 0,
                        object_keys=list(open_batch.object_keys) + taken, size=open_batch.size + len(taken)).rowcount
        if not done:
            keys = taken + keys
    delay = s.app.option("hook_group_delay" if event_key in SLOW_KEYS else "hook_first_delay")
    while keys:
        batch, keys = keys[:MAX_KEYS], keys[MAX_KEYS:]
        s.insert(d, dict(id=s.next_id("hook_delivery"), hook_id=hook_id, event_key=event_key,
                         object_type=object_type, object_keys=batch, size=len(batch), status="pending", attempts=0,
                         due_at=now_ts + delay, created_at=now.replace(tzinfo=None), finished_at=None,
                         log=[]))


# --- what the sender needs ----------------------------------------------------------------------------

def body_of(delivery) -> dict:
    """The documented delivery body [doc S30]."""
    return {"event_key": delivery.event_key, "object_type": delivery.object_type,
            "object_keys": list(delivery.object_keys)}
