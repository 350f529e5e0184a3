"""/hooks: REST hook subscriptions (v1 only). Creating, changing or re-verifying a hook runs the X-Hook-Secret
handshake with its URL between two transactions (never holding one open while the subscriber answers);
deliveries are queued by server.domain.account.hooks and sent by the outbox (server.domain.outbox.hook_deliveries,
which runs the handshake too)."""
from __future__ import annotations

from typing import Annotated

from flask import request
from pydantic import WithJsonSchema

from server.domain.account import hooks as domain
from server.domain.outbox import hook_deliveries
from server.tables import INT_MAX

from .api import Body, Request, Shape, route
from .errors import RestError, not_found


class HookBody(Body):
    # camelCase on the wire [doc S1]; documented with what subscribe() checks (a known key, an http(s) URL a
    # request can be made to: its pattern, and hooks.hook_url_problem's few checks a pattern cannot state)
    eventKey: Annotated[str, WithJsonSchema({"type": "string", "enum": domain.EVENT_KEYS})]
    hookUrl: Annotated[str, WithJsonSchema({"type": "string", "pattern": domain.HOOK_URL_PATTERN})]


class RestHook(Shape):
    key: str
    eventKey: str
    hookUrl: str
    status: str


def hook_json(row) -> dict:
    return {"key": str(row.id), "eventKey": row.event_key, "hookUrl": row.hook_url, "status": row.status}


def _id(key: str) -> int:
    """A hook's key as its id; a key that is no key the service hands out (not digits, with a leading zero, or past
    the store's integers) finds no hook, as on the real service: keys are opaque strings [doc S1], so ``049`` is
    not ``49``."""
    if not key.isascii() or not key.isdigit() or len(key) > 10 or int(key) > INT_MAX or str(int(key)) != key:
        raise not_found("RestHook")
    return int(key)


def _read(r: Request, hook_id: int) -> dict:
    with r.session(write=False) as s:
        return hook_json(domain.get(s, hook_id))


@route("GET", "/hooks/event_keys", summary="The hook event keys", tag="REST Hooks",
       response={"type": "array", "items": {"type": "string"}})
def event_keys(r: Request):
    return list(domain.EVENT_KEYS)  # a bare array [doc S1]


@route("GET", "/hooks", summary="List hook subscriptions", tag="REST Hooks",
       response={"type": "array", "items": {"$ref": "#/components/schemas/RestHook"}})
def list_hooks(r: Request):
    return [hook_json(row) for row in domain.all_hooks(r.s)]  # a bare array, no envelope [doc S1]


@route("POST", "/hooks", summary="Subscribe a URL to an event key", tag="REST Hooks", body=HookBody,
       response=RestHook, transaction=False)
def create_hook(r: Request):
    with r.session(write=True) as s:
        hook_id = domain.subscribe(s, r.body.eventKey, r.body.hookUrl)
    hook_deliveries.handshake(r.sandbox.env, r.call.app, hook_id)  # Keap starts verifying at once [doc S30]
    return _read(r, hook_id)


@route("GET", "/hooks/{key}", summary="Get a hook subscription", tag="REST Hooks", response=RestHook, key=str)
def get_hook(r: Request, key: str):
    return hook_json(domain.get(r.s, _id(key)))


@route("PUT", "/hooks/{key}", summary="Change a hook subscription", tag="REST Hooks", body=HookBody,
       response=RestHook, transaction=False, key=str)
def update_hook(r: Request, key: str):
    hook_id = _id(key)
    with r.session(write=True) as s:
        domain.change(s, hook_id, r.body.eventKey, r.body.hookUrl)
    hook_deliveries.handshake(r.sandbox.env, r.call.app, hook_id)
    return _read(r, hook_id)


@route("DELETE", "/hooks/{key}", summary="Delete a hook subscription", tag="REST Hooks", status=204, key=str)
def delete_hook(r: Request, key: str):
    domain.unsubscribe(r.s, _id(key))


@route("POST", "/hooks/{key}/verify", summary="Verify a hook again (reactivates an Inactive one)",
       tag="REST Hooks", response=RestHook, transaction=False, key=str)
def verify_hook(r: Request, key: str):
    hook_id = _id(key)
    with r.session(write=False) as s:
        domain.get(s, hook_id)
    hook_deliveries.handshake(r.sandbox.env, r.call.app, hook_id)
    return _read(r, hook_id)


@route("POST", "/hooks/{key}/delayedVerify", summary="Verify a hook with the secret its URL received",
       tag="REST Hooks", response=RestHook, key=str, headers=("X-Hook-Secret",))  # required [doc S1]
def delayed_verify(r: Request, key: str):
    hook_id = _id(key)
    secret = request.headers["X-Hook-Secret"]
    if not domain.verify_delayed(r.s, hook_id, secret):
        raise RestError(400, "X-Hook-Secret does not match the secret sent to the hook's URL")
    return hook_json(domain.get(r.s, hook_id))
