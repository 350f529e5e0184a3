"""The WSGI entry point for production servers: ``gunicorn -w 4 wsgi:app``.

Configuration comes from the environment (see server/config.py): DATABASE_URL, SANDBOX_DATA_DIR, ..."""
from server.app import create_app

app = create_app()
