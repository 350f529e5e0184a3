"""OAuth's endpoints in front of Flask, loaded by their first request (server.lazy).

authlib and the authorization server take most of a MiB of a worker (issue 18 §8, docs/performance.md "Memory of
the server") that a server called with legacy keys and tokens it already issued never needs. ``mount`` passes every
other path to the application's Flask and, at the first request to the consent page or the token endpoint
(server.auth.routes), builds their Flask application (the same settings and the same ``extensions``) and the
authorization server (``authorization_server``, the sandbox's ``oauth``), once per process.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from server.lazy import Mounted, Once

if TYPE_CHECKING:
    from flask import Flask

    from .oauth import OAuthServer

PATHS = frozenset({"/app/oauth/authorize", "/token"})  # server.auth.routes


def authorization_server(engine: Engine) -> Once[OAuthServer]:
    def build() -> OAuthServer:
        from .oauth import OAuthServer  # noqa: PLC0415 (the point of this module: loaded by the first request)

        return OAuthServer(engine)

    return Once(build)


def mount(make_app: Callable[[], Flask], oauth: Once[OAuthServer], fallback: Callable) -> Mounted:
    """``make_app``: a Flask application with the sandbox's settings; ``oauth``: the sandbox's."""

    def build() -> Flask:
        from .routes import bp  # noqa: PLC0415 (the point of this module: loaded by the first request)

        app = make_app()
        oauth.get().init_app(app)
        app.register_blueprint(bp)
        return app

    return Mounted(PATHS.__contains__, build, fallback)
