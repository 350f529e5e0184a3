"""A sandbox in this process, on a free loopback port: what a test session starts when no sandbox runs already.

The server is the same application ``sandbox serve`` runs (``create_app``), served by werkzeug's threaded
server on 127.0.0.1 in a daemon thread. Its settings are given here, not read from the environment, so a
variable set for something else (``DATABASE_URL``, ``SANDBOX_PORT``) cannot point a test session at the wrong
store.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from server.app import create_app
from server.config import Config


@dataclass
class LocalSandbox:
    url: str
    data_dir: Path
    config: Config
    _server: BaseWSGIServer = field(repr=False)
    _app: object = field(repr=False)

    def stop(self) -> None:
        sandbox = self._app.extensions["sandbox"]
        sandbox.heartbeat.stop()
        self._server.shutdown()
        self._server.server_close()
        sandbox.engine.dispose()


def start(data_dir: Path, *, database_url: str | None = None, admin_token: str | None = None,
          tick_seconds: float = 1.0, **settings) -> LocalSandbox:
    """Start a sandbox keeping its store and files in ``data_dir`` (a SQLite file there unless ``database_url``);
    ``settings`` are any other ``server.config.Config`` fields. ``tick_seconds`` is the heartbeat that delivers
    REST hooks and HTTP posts and runs what falls due on a running clock (0: none; a frozen clock moves only
    when a test moves it)."""
    config = Config(data_dir=Path(data_dir), database_url=database_url, admin_token=admin_token,
                    tick_seconds=tick_seconds, **settings)
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="infusionsoft-sandbox", daemon=True).start()
    return LocalSandbox(f"http://127.0.0.1:{server.server_port}", Path(data_dir), config, server, app)
