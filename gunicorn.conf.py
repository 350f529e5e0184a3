"""gunicorn's settings file, read when gunicorn starts in this directory (``gunicorn wsgi:app``, see wsgi.py): the
master migrates the store and seeds the default app once, then prints the banner ``sandbox serve`` prints, and
warns when several workers would throttle each on their own (no SANDBOX_REDIS_URL); each worker stops its
heartbeat as it exits, as under ``sandbox serve`` (server.master)."""
from server.cli import banner
from server.config import from_env
from server.master import worker_exit  # noqa: F401  (a gunicorn hook: gunicorn reads it from this module)


def when_ready(server):
    config = from_env()
    store, default_app = banner.prepare(config)
    warning = banner.workers_warning(config, server.cfg.workers)
    if warning:
        server.log.warning(warning)
    print("\n".join(banner.lines(config, banner.gunicorn_base(server), store, default_app)), flush=True)
