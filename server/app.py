"""create_app(config): the Flask application factory."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy.exc
from flask import Flask, Response
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from server import services  # noqa: F401  (registers every XML-RPC method)
from server.auth.oauth import OAuthServer
from server.config import Config, from_env
from server.gate import Gate
from server.jobs import Heartbeat
from server.store import db, session
from server.store.files import FileStore
from server.store.session import AppRecord
from server.throttle.throttle import Throttle

log = logging.getLogger("sandbox")


@dataclass
class Sandbox:
    """What every request needs, built once at start-up."""

    config: Config
    engine: Engine
    gate: Gate
    throttle: Throttle
    oauth: OAuthServer
    default_app: AppRecord | None
    heartbeat: Heartbeat
    files: FileStore


def create_app(config: Config | None = None) -> Flask:
    config = config or from_env()
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(config.sqlalchemy_url)
    default_app = _prepare_store(engine, config)

    app = Flask(__name__)
    app.json.sort_keys = False  # JSON answers keep the real service's key order
    app.config["MAX_CONTENT_LENGTH"] = None  # the XML-RPC transport applies its own limit, as a fault
    throttle = Throttle.from_url(config.redis_url, config.redis_prefix)
    oauth = OAuthServer(engine)
    oauth.init_app(app)
    session.DEFAULT_BASE_URL = config.default_base_url  # public URLs of work no request asked for
    heartbeat = Heartbeat(engine, config.tick_seconds)
    files = FileStore(Path(config.data_dir) / "files")
    app.extensions["sandbox"] = Sandbox(config=config, engine=engine, gate=Gate(engine, throttle, files),
                                        throttle=throttle, oauth=oauth, default_app=default_app,
                                        heartbeat=heartbeat, files=files)

    from server import rest_v2
    from server.auth.routes import bp as oauth_bp
    from server.public import bp as public_bp
    from server.rest import bp as rest_bp
    from server.rest_v2 import transport as rest_v2_transport
    from server.sandbox.card_entry import bp as card_entry_bp
    from server.sandbox.control.apps import bp as control_bp
    from server.sandbox.control.campaigns import bp as campaigns_bp
    from server.sandbox.control.credentials import bp as credentials_bp
    from server.sandbox.control.hooks import bp as hooks_bp
    from server.sandbox.control.vendor_keys import bp as vendor_keys_bp
    from server.xmlrpc import transport

    transport.mount(app, app.extensions["sandbox"])  # the XML-RPC endpoints, in front of Flask
    rest_v2_transport.mount(app, app.extensions["sandbox"], rest_v2.build())  # REST v2, in front of Flask
    app.register_blueprint(oauth_bp)
    app.register_blueprint(rest_bp)
    app.register_blueprint(control_bp)
    app.register_blueprint(credentials_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(vendor_keys_bp)
    app.register_blueprint(card_entry_bp)
    app.register_blueprint(hooks_bp)
    app.register_error_handler(HTTPException, _http_error)
    heartbeat.start()
    return app


def _prepare_store(engine: Engine, config: Config) -> AppRecord | None:
    from server.sandbox.seeding.bootstrap import ensure_default_app

    for attempt in range(3):  # several workers may start at once; one of them wins each race
        try:
            db.upgrade(engine)
            return ensure_default_app(engine, config) if config.seed_on_start else None
        except sqlalchemy.exc.IntegrityError:
            if attempt == 2:
                raise
    return None


def _http_error(exc: HTTPException):
    """Routing errors as plain JSON (never an HTML page)."""
    body = {"message": exc.description or exc.name}
    return Response(json.dumps(body), status=exc.code, content_type="application/json")
