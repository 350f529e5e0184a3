"""REST v1's place in front of Flask, loaded by its first call (server.lazy).

REST v1's resource modules (their pydantic models) and its 150 Flask routes take some 6 MiB of a worker (issue 18
§8, docs/performance.md "Memory of the server"), which a server that serves only XML-RPC never needs. ``mount``
passes every other path to the application's Flask and, at the first request under ``/crm/rest/v1/``, builds
REST v1's own Flask application (the same settings and the same ``extensions``, so its views find the sandbox as
before) with the registry's operations, once per process.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from server.lazy import Mounted

from . import blueprint

if TYPE_CHECKING:
    from flask import Flask

PREFIX = "/crm/rest/v1"


def mount(make_app: Callable[[], Flask], operations: Callable[[], list], fallback: Callable) -> Mounted:
    """``make_app``: a Flask application with the sandbox's settings; ``operations``: the registry's."""

    def build() -> Flask:
        app = make_app()
        app.register_blueprint(blueprint(operations()))
        return app

    return Mounted(lambda path: path.startswith(PREFIX + "/"), build, fallback)
