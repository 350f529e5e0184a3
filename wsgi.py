"""The WSGI entry point for production servers:

    gunicorn -w 4 -k gthread --threads 8 -b 127.0.0.1:8000 wsgi:app

Use threaded workers (``gthread``), not the default sync ones: a throttled legacy-key call is held in its
worker until its token arrives (up to 2 s, longer on a slowed clock), and a sync worker holding it can serve
nobody else meanwhile. With several workers set SANDBOX_REDIS_URL, so that they share one throttle state.
Installing the ``fast`` extra (``pip install -e '.[fast]'``) gives gunicorn its C HTTP parser, a third less CPU
per call.

Started in this directory, gunicorn reads gunicorn.conf.py beside this file: the master migrates the store, seeds
the default app and prints the banner of ``sandbox serve`` once, with a warning when several workers have no
SANDBOX_REDIS_URL to share. ``sandbox serve --workers 4`` runs the same server without writing the command
(and plain ``sandbox serve`` the same with one worker: server/master.py).

Configuration comes from the environment (see server/config.py): DATABASE_URL, SANDBOX_DATA_DIR,
SANDBOX_API_KEY, SANDBOX_REDIS_URL, SANDBOX_ADMIN_TOKEN, ..."""
from server import logs
from server.app import create_app
from server.config import from_env

config = from_env()
logs.configure(config.log_level, config.log_format)  # SANDBOX_LOG_LEVEL, SANDBOX_LOG_FORMAT (server/logs.py)
app = create_app(config)
