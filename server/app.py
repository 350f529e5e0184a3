"""create_app(config): the Flask application factory.

Everything an application serves and runs is wired here, explicitly: ``build_registry`` (server.wiring) hands
one registry (server.registry) to each installed package (``install(registry, config)``), ``Environment.build``
makes the environment every session is made from (server.environment), and the transports are mounted from
the registry. Two applications built in one process share nothing but the code.
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy.exc
from flask import Flask, Response, request
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from server.auth import front as oauth_front
from server.body_limit import BodyLimit
from server.call_slot import CallSlot
from server.config import Config, from_env
from server.environment import Environment
from server.faults.counts import make_counts
from server.faults.injector import Injector
from server.gate import Gate
from server.jobs import Heartbeat
from server.journal.hints import Hints
from server.journal.journal import Journal
from server.lazy import Once
from server.migration.counter import CallCounter
from server.public import bp as public_bp
from server.registry import Registry
from server.rest import front as rest_v1
from server.rest_v2.front import Front as RestV2
from server.sandbox import front as control_plane
from server.sandbox.card_entry import bp as card_entry_bp
from server.sandbox.control.common import control_path, routing_refusal
from server.sandbox.control.health import bp as health_bp
from server.sandbox.seeding.bootstrap import ensure_default_app
from server.senders import Senders
from server.store import db
from server.store.files import FileStore
from server.store.session import AppRecord
from server.throttle.throttle import Throttle
from server.wiring import build_registry
from server.xmlrpc import transport
from server.xmlrpc.methods import MethodTable

if TYPE_CHECKING:
    from server.auth.oauth import OAuthServer

log = logging.getLogger("sandbox")


@dataclass
class Sandbox:
    """What every request needs, built once at start-up."""

    config: Config
    env: Environment
    engine: Engine
    gate: Gate
    throttle: Throttle
    oauth: Once[OAuthServer]  # built by the first OAuth request (server.auth.front)
    default_app: AppRecord | None
    heartbeat: Heartbeat
    files: FileStore
    methods: MethodTable  # the XML-RPC methods served
    journal: Journal  # every call to an app (server.journal)
    slot: CallSlot  # the API calls' turn at the worker's Python (server.call_slot)

    @property
    def registry(self) -> Registry:
        return self.env.registry


def create_app(config: Config | None = None, *, senders: Senders | None = None) -> Flask:
    """The application; ``senders`` replaces the configuration's senders of outside effects (tests)."""
    config = config or from_env()
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    registry = build_registry(config)
    env = Environment.build(config, db.make_engine(config.sqlalchemy_url), registry, senders)
    default_app = _prepare_store(env, config)

    app = _flask()
    throttle = Throttle.from_url(config.redis_url, config.redis_prefix)
    oauth = oauth_front.authorization_server(env.engine)
    methods = MethodTable(registry.methods)
    counter = CallCounter(env.engine, set(methods.names()),  # the migration report's (server.migration)
                          tabled=frozenset(m.name for m in registry.methods if m.table))
    heartbeat = Heartbeat(env, config.tick_seconds, periodic=(counter.tick,))
    journal = Journal.from_config(config, Hints(
        methods, env, lambda: [(op.method, op.path) for op in registry.operations],
        lambda: app.extensions["rest_v2"].routes()), counter=counter)
    sandbox = Sandbox(config=config, env=env, engine=env.engine, gate=Gate(env, throttle, Injector(
                          env.engine, make_counts(config.redis_url, config.redis_prefix))), throttle=throttle,
                      oauth=oauth, default_app=default_app, heartbeat=heartbeat, files=env.files,
                      methods=methods, journal=journal, slot=CallSlot.for_store(
                          config.serial_calls, env.engine.dialect.name, redis=config.redis_url is not None))
    app.extensions["sandbox"] = sandbox

    # OAuth's endpoints, the control API and the inspector, and REST v1, each loaded by its first request: a Flask
    # application of its own with the main one's extensions (server.auth.front, server.sandbox.front,
    # server.rest.front)
    app.wsgi_app = oauth_front.mount(lambda: _flask(app.extensions), oauth, app.wsgi_app)
    app.wsgi_app = app.extensions["control_plane"] = control_plane.mount(lambda: _flask(app.extensions), app.wsgi_app)
    app.wsgi_app = rest_v1.mount(lambda: _flask(app.extensions), lambda: registry.operations, app.wsgi_app)
    app.wsgi_app = sandbox.slot.outside(app.wsgi_app)  # all of those run without the call slot (server.call_slot)
    transport.mount(app, sandbox)  # the XML-RPC endpoints, in front of REST v1 and Flask
    # REST v2, in front of Flask, loaded by its first call; the migration compare runs v2 operations (server.migration)
    app.wsgi_app = app.extensions["rest_v2"] = RestV2(sandbox, registry.families, app.wsgi_app)
    app.wsgi_app = BodyLimit(app.wsgi_app, config.max_body_bytes)  # outermost: every endpoint's body limit
    app.register_blueprint(health_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(card_entry_bp)
    _settle_memory()
    heartbeat.start()
    return app


def _flask(extensions: dict | None = None) -> Flask:
    """A Flask application with the sandbox's settings; ``extensions``: another's (REST v1's application and the
    control plane's share the main one's, server.rest.front, server.sandbox.front)."""
    app = Flask(__name__)
    app.json.sort_keys = False  # JSON answers keep the real service's key order
    app.config["MAX_CONTENT_LENGTH"] = None  # server.body_limit applies the limit to every endpoint, first
    app.register_error_handler(HTTPException, _http_error)
    if extensions is not None:
        app.extensions = extensions
    return app


M_ARENA_MAX = -8  # mallopt's parameter (glibc's malloc.h)
MALLOC_ARENAS = 2


def _settle_memory() -> None:
    """Hand the start-up's garbage (migrations, the seed, route tables) back to the system: glibc keeps freed
    heap pages otherwise, and an idle server stays as big as its start-up was. And bound glibc's malloc arenas
    before the serving threads start: by default a thread that allocates while another holds an arena gets one
    of its own (up to 8 per core), each keeping its own freed pages, and a worker's threads then held 316 KiB
    more per app served where 2 arenas hold under 200 (issue 18 §8, bench/memory.py)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: neither applies
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
        libc.malloc_trim(0)


def _prepare_store(env: Environment, config: Config) -> AppRecord | None:
    for attempt in range(3):  # several workers may start at once; one of them wins each race
        try:
            db.upgrade(env.engine)
            return ensure_default_app(env, config) if config.seed_on_start else None
        except sqlalchemy.exc.IntegrityError:
            if attempt == 2:
                raise
    return None


def _http_error(exc: HTTPException):
    """Routing errors as plain JSON (never an HTML page): the control API's refusal shape under /sandbox/
    (server.sandbox.control.common), ``{"message": ...}`` elsewhere (REST v1's, v2's and OAuth's own)."""
    if control_path(request.path):
        return routing_refusal(exc)
    body = {"message": exc.description or exc.name}
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # a 405's Allow
    return Response(json.dumps(body), status=exc.code, headers=headers, content_type="application/json")
