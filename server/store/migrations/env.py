"""Alembic environment: migrations run on the connection the sandbox hands over (server.store.db.upgrade)
or, from the alembic command line, on DATABASE_URL."""
from __future__ import annotations

from alembic import context

from server.store.schema import metadata

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from server.config import from_env
    from server.store.db import make_engine

    with make_engine(from_env().sqlalchemy_url).begin() as conn:
        run(conn)
