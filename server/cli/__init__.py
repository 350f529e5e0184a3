"""The ``sandbox`` command: serve, seed, reset, apps, keys, campaigns (server.cli.campaigns), broadcasts
(server.cli.broadcasts), clock (server.cli.clock)."""
from __future__ import annotations

import ipaddress

import click
import sqlalchemy.exc

from server import __version__, logs
from server.sandbox import inputs
from server.sandbox.seeding import bootstrap
from server.store import advances, apps, credentials
from server.store.db import refresh_statistics, transaction

from . import serving
from .broadcasts import broadcasts_group
from .campaigns import campaigns_group
from .clock import clock_group
from .common import ID, PORT, checked, environment, named_app, options, settings, store_unreachable, user_errors
from .exports import export_command, import_command
from .migration import migration_group
from .progress import Stages
from .trust import trust


@click.group()
@click.version_option(__version__, prog_name="sandbox")
def main():
    """An Infusionsoft (Keap) compatible sandbox server."""


main.add_command(campaigns_group)
main.add_command(broadcasts_group)
main.add_command(trust)
main.add_command(clock_group)
main.add_command(migration_group)


@main.command()
@click.option("--host", default=None, help="Interface to listen on [env SANDBOX_HOST; default 127.0.0.1]")
@click.option("--port", type=PORT, default=None, help="HTTP port [env SANDBOX_PORT; default 8000]")
@options
@click.option("--api-key", default=None,
              help="The seeded app's legacy API key [env SANDBOX_API_KEY; default: generated once and kept "
                   "in the data dir]")
@click.option("--tls/--no-tls", default=None, help="Also serve HTTPS with a self-signed certificate for "
                                                   "127.0.0.1 and localhost [env SANDBOX_TLS]")
@click.option("--tls-port", type=PORT, default=None, help="HTTPS port [env SANDBOX_TLS_PORT; default 8443]")
@click.option("--insecure-control", is_flag=True, default=False,
              help="Serve the control API without SANDBOX_ADMIN_TOKEN on an address other than loopback")
@click.option("--hostnames", is_flag=True, default=False,
              help="Serve HTTPS under the real names (api.infusionsoft.com, <app>.infusionsoft.com, ...) with a "
                   "certificate from a CA made in the data dir; implies --tls (`sandbox trust` tells how to trust it)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="gunicorn worker processes, 8 threads each; with more than one, set SANDBOX_REDIS_URL so that "
                   "they share the throttle state [default: 1]")
@click.option("--log-level", type=click.Choice(logs.LEVELS, case_sensitive=False), default=None,
              help="info: a line per API call; warning: only what went wrong [env SANDBOX_LOG_LEVEL; default info]")
@click.option("--log-format", type=click.Choice(logs.FORMATS, case_sensitive=False), default=None,
              help="Log lines as text or as JSON objects, on stderr [env SANDBOX_LOG_FORMAT; default text]")
def serve(host, port, data_dir, database_url, api_key, tls, tls_port, insecure_control, hostnames, workers,
          log_level, log_format):
    """Run the sandbox (XML-RPC, the control API) until interrupted."""
    config = settings(host=host, port=port, data_dir=data_dir, database_url=database_url, api_key=api_key,
                      tls=True if hostnames else tls, tls_port=tls_port,
                      log_level=log_level and log_level.lower(), log_format=log_format and log_format.lower())
    if config.admin_token is None and not insecure_control and not _loopback(config.host):
        raise click.ClickException(
            f"refusing to listen on {config.host} without SANDBOX_ADMIN_TOKEN: the control API would hand every "
            "app's keys to anyone who can reach it (set the token, or pass --insecure-control)")
    try:
        with user_errors(config):
            serving.run(config, workers or 1, hostnames=hostnames)
    except bootstrap.KeyInUse as exc:
        raise click.ClickException(str(exc)) from None
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise click.ClickException(store_unreachable(config, exc)) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


@main.command()
@click.option("--app", "app_name", default=None, help="The app to seed [default: sandbox]")
@options
def seed(app_name, data_dir, database_url):
    """Create an app from sandbox_data/ if it does not exist yet."""
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config, create=True)
    name = app_name or config.default_app
    with transaction(env.engine, write=False) as conn:
        exists, taken = apps.by_name(conn, name) is not None, apps.name_taken(conn, name)
    if exists:
        raise click.ClickException(f"app {name!r} exists; use `sandbox reset --app {name}` to reseed it")
    if taken is not None:
        raise click.ClickException(taken)
    legacy_key = bootstrap.remembered_key(config) if name == config.default_app else None
    with Stages(f"seeding app {name}") as progress:
        record = bootstrap.create_app_record(env, name, seed_dir=config.seed_dir, legacy_key=legacy_key,
                                             progress=progress)
    bootstrap.ensure_seeded_clients(env.engine, config.seed_dir)
    refresh_statistics(env.engine)  # after a load: the planner's statistics current
    if name == config.default_app:
        bootstrap.remember_key(config, record.legacy_key)
    click.echo(f"seeded app {record.name}; legacy API key {record.legacy_key}")


@main.command()
@click.option("--app", "app_name", default=None, help="The app to reset [default: sandbox]")
@options
def reset(app_name, data_dir, database_url):
    """Put an app back to its seed (its key, clock and options are kept)."""
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config)
    name = app_name or config.default_app
    with transaction(env.engine, write=False) as conn:
        record = apps.by_name(conn, name)
    if record is None:
        raise click.ClickException(f"no app named {name!r}")
    try:
        with Stages(f"resetting app {name}") as progress:
            counts = bootstrap.reset_app(env, record, config.seed_dir, progress)
    except advances.Busy as exc:
        raise click.ClickException(f"the clock of app {name!r} is being advanced (advance {exc.advance_id}): "
                                   "wait until it is ready before resetting it") from None
    click.echo(f"reset app {name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.group("apps")
def apps_group():
    """Create and list apps (accounts) and their keys."""


apps_group.add_command(export_command)
apps_group.add_command(import_command)


@apps_group.command("list")
@options
def apps_list(data_dir, database_url):
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    with transaction(env.engine, write=False) as conn:
        records = apps.all_apps(conn)
    for record in records:
        click.echo(f"{record.name}\tlegacy API key {record.legacy_key}\t{record.time_zone}")


@apps_group.command("create")
@click.argument("name", callback=checked(inputs.app_name))
@click.option("--api-key", default=None, callback=checked(inputs.legacy_key),
              help="Its legacy API key [default: generated]")
@click.option("--time-zone", default=None, callback=checked(inputs.time_zone),
              help="Its time zone, an IANA name [default: the seed's, or America/New_York]")
@click.option("--seed/--no-seed", default=True, help="Fill it from sandbox_data/ [default: seed]")
@options
def apps_create(name, api_key, time_zone, seed, data_dir, database_url):
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config, create=True)
    with transaction(env.engine, write=False) as conn:
        taken = apps.name_taken(conn, name)
        if taken is not None:
            raise click.ClickException(taken)
    with Stages(f"seeding app {name}") as progress:
        record = bootstrap.create_app_record(env, name, seed_dir=config.seed_dir if seed else None,
                                             legacy_key=api_key, time_zone=time_zone, progress=progress)
    click.echo(f"created app {record.name}; legacy API key {record.legacy_key}")


@apps_group.command("rotate-key")
@click.argument("name")
@click.option("--api-key", default=None, callback=checked(inputs.legacy_key),
              help="The new legacy key [default: generated]")
@options
def apps_rotate_key(name, api_key, data_dir, database_url):
    """Give an app a new legacy API key; the old one stops working at once."""
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config)
    record = named_app(env, name)
    with transaction(env.engine, write=True) as conn:
        owner = apps.by_legacy_key(conn, api_key) if api_key else None
        if owner is not None and owner.id != record.id:
            raise click.ClickException("that key is the legacy key of another app")
        key = apps.rotate_legacy_key(conn, record.id, api_key)
    if name == config.default_app:
        bootstrap.remember_key(config, key)  # the data dir's key file follows the default app's key
    click.echo(f"app {name}: new legacy API key {key}")


@apps_group.group("oauth-clients")
def oauth_clients():
    """OAuth clients (developer apps): client id, secret and redirect URIs."""


@oauth_clients.command("create")
@click.argument("client_name")
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True, help="An allowed redirect URI (repeat)")
@click.option("--client-id", default=None)
@click.option("--client-secret", default=None)
@options
def oauth_clients_create(client_name, redirect_uris, client_id, client_secret, data_dir, database_url):
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    with transaction(env.engine, write=True) as conn:
        if client_id and credentials.client(conn, client_id) is not None:
            raise click.ClickException(f"a client {client_id!r} exists")
        row = credentials.add_client(conn, client_name, list(redirect_uris), client_id=client_id,
                                     client_secret=client_secret)
    click.echo(f"client_id {row['client_id']}\nclient_secret {row['client_secret']}")


@oauth_clients.command("list")
@options
def oauth_clients_list(data_dir, database_url):
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    with transaction(env.engine, write=False) as conn:
        for row in credentials.clients(conn):
            click.echo(f"{row.client_id}\t{row.client_secret}\t{row.name}\t{' '.join(row.redirect_uris)}")


@main.group("keys")
def keys_group():
    """Keap API keys: Personal Access Tokens and Service Account Keys, each bound to one app."""


@keys_group.command("create")
@click.option("--app", "app_name", default=None, help="The app [default: sandbox]")
@click.option("--kind", type=click.Choice(["pat", "sak"]), default="pat")
@click.option("--name", "key_name", default=None)
@options
def keys_create(app_name, kind, key_name, data_dir, database_url):
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config)
    record = named_app(env, app_name or config.default_app)
    with transaction(env.engine, write=True) as conn:
        key_id, key = credentials.add_key(conn, record.id, kind, key_name or kind.upper(), None)
    click.echo(f"key {key_id} ({kind}) for app {record.name}: {key}")


@keys_group.command("list")
@click.option("--app", "app_name", default=None)
@options
def keys_list(app_name, data_dir, database_url):
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config)
    record = named_app(env, app_name or config.default_app)
    with transaction(env.engine, write=False) as conn:
        for row in credentials.keys_of_app(conn, record.id):
            click.echo(f"{row.id}\t{row.kind}\t{row.name}\t{row.hint}\t{'revoked' if row.revoked else 'active'}")


@keys_group.command("revoke")
@click.argument("key_id", type=ID)
@click.option("--app", "app_name", default=None)
@options
def keys_revoke(key_id, app_name, data_dir, database_url):
    config = settings(data_dir=data_dir, database_url=database_url)
    env = environment(config)
    record = named_app(env, app_name or config.default_app)
    with transaction(env.engine, write=True) as conn:
        if not credentials.revoke_key(conn, record.id, key_id):
            raise click.ClickException(f"no active key {key_id} in app {record.name}")
    click.echo(f"revoked key {key_id}")


if __name__ == "__main__":
    main()

