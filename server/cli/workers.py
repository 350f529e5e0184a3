"""``sandbox serve --workers N``: the sandbox under gunicorn, N worker processes of threads, for those who would
rather not write the gunicorn command (wsgi.py shows it).

Threaded workers (``gthread``), as wsgi.py explains: a throttled legacy-key call is held in its worker until its
token arrives. The store is migrated and the default app seeded once, before gunicorn starts (so a store that
cannot be reached is one line and exit status 1, as for ``sandbox serve``); each worker then builds its own
application (``create_app``) after the fork, with its own connections and heartbeat.
"""
from __future__ import annotations

import click
from gunicorn.app.base import BaseApplication

from server import logs
from server.app import create_app
from server.config import Config

from . import banner

THREADS = 8


class SandboxGunicorn(BaseApplication):
    def __init__(self, config: Config, workers: int, printed: list[str]):
        self.config = config
        self.settings = {"bind": f"{config.host}:{config.port}", "workers": workers, "worker_class": "gthread",
                         "threads": THREADS, "when_ready": lambda server: click.echo("\n".join(printed))}
        super().__init__()

    def load_config(self):
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):  # in each worker, after the fork
        logs.configure(self.config.log_level, self.config.log_format)
        return create_app(self.config)


def run(config: Config, workers: int) -> None:
    logs.configure(config.log_level, config.log_format)  # the master's lines (each worker configures its own)
    store, default_app = banner.prepare(config)
    printed = banner.lines(config, f"http://{config.host}:{config.port}", store, default_app)
    printed.append(f"  workers               {workers} (gunicorn, {THREADS} threads each)")
    warning = banner.workers_warning(config, workers)
    if warning:
        click.echo(warning, err=True)
    SandboxGunicorn(config, workers, printed).run()
