"""REST v1's place in front of Flask, loaded by its first call.

REST v1's resource modules (their pydantic models) and its 150 Flask routes take some 6 MiB of a worker (issue 18
§8, docs/performance.md "Memory of the server"), which a server that serves only XML-RPC never needs. ``Front``
passes every other path to the application's Flask and, at the first request under ``/crm/rest/v1/``, builds
REST v1's own Flask application (the same settings and the same ``extensions``, so its views find the sandbox as
before) with the registry's operations, once per process: the threads of a worker wait on one lock for the one
that builds it. From then on a call costs one path check more than when its routes were the main application's.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import blueprint

if TYPE_CHECKING:
    from flask import Flask

PREFIX = "/crm/rest/v1"


class Front:
    def __init__(self, make_app: Callable[[], Flask], operations: Callable[[], list], fallback: Callable):
        """``make_app``: a Flask application with the sandbox's settings; ``operations``: the registry's."""
        self.make_app = make_app
        self.operations = operations
        self.fallback = fallback
        self._app: Flask | None = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(PREFIX + "/"):
            return self.fallback(environ, start_response)
        return (self._app or self._load())(environ, start_response)

    @property
    def loaded(self) -> bool:
        return self._app is not None

    def _load(self) -> Flask:
        with self._lock:
            if self._app is None:
                app = self.make_app()
                app.register_blueprint(blueprint(self.operations()))
                self._app = app
            return self._app
