"""What every ``sandbox`` command shares: the store options, the settings, the environment of the store."""
from __future__ import annotations

import click
import sqlalchemy.exc
from sqlalchemy.engine import make_url

from server.config import Config, from_env
from server.environment import Environment
from server.store import apps
from server.store.db import transaction
from server.store.session import AppRecord
from server.wiring import build_environment


def options(f):
    f = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                     help="Where the SQLite file, the remembered API key and the TLS certificate live "
                          "[env SANDBOX_DATA_DIR; default ./.sandbox]")(f)
    f = click.option("--database-url", default=None,
                     help="SQLAlchemy URL of the store, e.g. postgresql://user@host/db [env DATABASE_URL; "
                          "default a SQLite file in the data dir]")(f)
    return f


def settings(**overrides) -> Config:
    return from_env(**{k: v for k, v in overrides.items() if v is not None})


def environment(config: Config) -> Environment:
    """The store of ``config``, migrated, with everything installed (a command's writes fire the same listeners
    as the server's)."""
    return build_environment(config)


def named_app(env: Environment, name: str) -> AppRecord:
    with transaction(env.engine, write=False) as conn:
        record = apps.by_name(conn, name)
    if record is None:
        raise click.ClickException(f"no app named {name!r}")
    return record


def store_unreachable(config: Config, exc: sqlalchemy.exc.SQLAlchemyError) -> str:
    """One line for a store that cannot be reached or migrated: its URL (without the password) and the
    driver's own first line."""
    try:
        url = make_url(config.sqlalchemy_url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        url = "the configured DATABASE_URL"
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"cannot reach the store at {url}: {reason[0] if reason else type(exc).__name__}"
