"""What a sandbox is made of: the packages that install what they serve and run (``INSTALLED``), the registry
built from them, and the environment of a store (server.environment).

``create_app`` (server.app) builds both to serve them; the command line and benchmarks build an environment to
work on a store without serving it, and the coverage document reads a registry.
"""
from __future__ import annotations

from pathlib import Path

from server import domain, rest, rest_v2, services
from server import engine as campaign_engine
from server.config import Config
from server.environment import Environment
from server.registry import Registry
from server.senders import Senders
from server.store import db

# In this order: a listener subscribed first runs first, due work registered first runs first.
INSTALLED = (domain, campaign_engine, services, rest, rest_v2)


def build_registry(config: Config) -> Registry:
    registry = Registry()
    for package in INSTALLED:
        package.install(registry, config)
    return registry


def build_environment(config: Config, senders: Senders | None = None) -> Environment:
    """The environment of the store of ``config`` without a server (the command line, benchmarks): its engine,
    migrated, and everything installed, so what a tool writes fires the listeners the server's writes do."""
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(config.sqlalchemy_url)
    db.upgrade(engine)
    return Environment.build(config, engine, build_registry(config), senders)
