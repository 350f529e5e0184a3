"""What every ``sandbox`` command shares: the store options, the settings, the environment of the store, and
turning what a user got wrong (a setting, the store's URL, a data directory that is not one) into a message,
never a traceback (issue 17 §2)."""
from __future__ import annotations

import contextlib
import functools

import click
import sqlalchemy as sa
import sqlalchemy.exc

from server.config import Config, ConfigError, from_env
from server.domain.errors import SandboxError
from server.environment import Environment
from server.sandbox.inputs import InvalidInput
from server.store import apps
from server.store.db import transaction
from server.store.session import AppRecord
from server.tables import INT_MAX
from server.wiring import build_environment

ID = click.IntRange(1, INT_MAX)  # a record's id: the stores' ids are 32-bit
PORT = click.IntRange(0, 65535)  # as SANDBOX_PORT is read (server.config)


def options(f):
    f = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                     help="Where the SQLite file, the remembered API key and the TLS certificate live "
                          "[env SANDBOX_DATA_DIR; default ./.sandbox]")(f)
    f = click.option("--database-url", default=None,
                     help="SQLAlchemy URL of the store, e.g. postgresql://user@host/db [env DATABASE_URL; "
                          "default a SQLite file in the data dir]")(f)
    return f


def app_options(f):
    """The store options and ``--app``, for a command on one app."""
    f = options(f)
    return click.option("--app", "app_name", default="sandbox", show_default=True, help="The app (account)")(f)


def guarded(fn=None, /, *, problems: tuple[type[Exception], ...] = (), heading: str = ""):
    """A command whose lookup and validation errors (SandboxError) are plain messages (exit 1), never a
    traceback; an error of ``problems`` (one carrying a list ``.problems``) is listed a problem a line under
    ``heading``."""
    if fn is None:
        return functools.partial(guarded, problems=problems, heading=heading)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except problems as exc:
            raise click.ClickException("\n  ".join([heading, *exc.problems])) from None
        except SandboxError as exc:
            raise click.ClickException(exc.message) from None
    return wrapper


def settings(**overrides) -> Config:
    try:
        return from_env(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def environment(config: Config, *, create: bool = False) -> Environment:
    """The store of ``config``, migrated, with everything installed (a command's writes fire the same listeners
    as the server's). Without ``create``, a SQLite store must exist already: a command run outside the data
    directory says so instead of making an empty database there."""
    if not create and config.database_url is None and not (config.data_dir / "sandbox.db").exists():
        raise click.ClickException(
            f"no sandbox store in {config.data_dir}/ (no sandbox.db): run this where `sandbox serve` or `sandbox "
            "seed` ran, or pass --data-dir (SANDBOX_DATA_DIR) or --database-url (DATABASE_URL)")
    with user_errors(config):
        return build_environment(config)


def checked(rule):
    """A click callback applying one of server.sandbox.inputs' rules (the control API applies the same)."""

    def callback(_ctx, _param, value):
        if value is None:
            return None
        try:
            return rule(value)
        except InvalidInput as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


@contextlib.contextmanager
def user_errors(config: Config):
    """A store that cannot be opened, or an input the sandbox refuses, as a one-line message (exit 1)."""
    if config.database_url and not config.sqlalchemy_url.startswith(("sqlite", "postgresql")):
        raise click.ClickException(f"unsupported DATABASE_URL {_shown(config.database_url)}: {_SUPPORTED}")
    try:
        yield
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    except (sqlalchemy.exc.ArgumentError, sqlalchemy.exc.NoSuchModuleError):
        raise click.ClickException(
            f"unsupported DATABASE_URL {_shown(config.database_url)}: {_SUPPORTED}") from None
    except sqlalchemy.exc.OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot reach the store at {_shown(config.database_url) or config.data_dir}: "
                                   f"{reason}") from None


_SUPPORTED = "use postgresql://user:password@host/db, or leave it unset for a SQLite file in the data directory"


def _shown(url: str | None) -> str | None:
    """The URL without its password."""
    if url is None:
        return None
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return repr(url.split("://")[0] + "://…")


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
        url = sa.engine.make_url(config.sqlalchemy_url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        url = "the configured DATABASE_URL"
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"cannot reach the store at {url}: {reason[0] if reason else type(exc).__name__}"


@contextlib.contextmanager
def session_scope(app_name: str, data_dir, database_url, *, write: bool):
    """A session on the app in one transaction, committed when the command's work is done."""
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    record = named_app(env, app_name)
    with transaction(env.engine, write=write) as conn:
        yield env.session(conn, record)
