"""The control plane's place in front of Flask, loaded by its first request (server.lazy).

The control API's modules, the inspector and their 170 Flask routes take some 4 MiB of a worker (issue 18 §8,
docs/performance.md "Memory of the server") that an idle server, asked only for its health and XML-RPC calls,
never needs. ``mount`` passes every other path to the application's Flask, the health probes included (polled
before anything else is asked), and at the first request to ``/`` or under ``/sandbox/`` builds the control
plane's own Flask application (the same settings and the same ``extensions``) with server.sandbox.plane's
blueprints, once per process.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from server.lazy import Mounted

if TYPE_CHECKING:
    from flask import Flask

HEALTH = frozenset({"/sandbox/health", "/sandbox/livez", "/sandbox/readyz"})  # server.sandbox.control.health


def serves(path: str) -> bool:
    return path == "/" or (path.startswith("/sandbox/") and path not in HEALTH)


def mount(make_app: Callable[[], Flask], fallback: Callable) -> Mounted:
    """``make_app``: a Flask application with the sandbox's settings."""

    def build() -> Flask:
        from server.sandbox import plane  # noqa: PLC0415 (the point of this module: loaded by the first request)

        app = make_app()
        plane.register(app)
        return app

    return Mounted(serves, build, fallback)
