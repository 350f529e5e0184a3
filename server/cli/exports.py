"""``sandbox apps export APP FILE`` and ``sandbox apps import FILE [--name NEW]``: an app as one portable file
(server.sandbox.exports), from any store to any store (SQLite, PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import click

from server.sandbox import exports

from .common import environment, named_app, options, settings
from .progress import Stages


@click.command("export")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@options
def export_command(name, file, data_dir, database_url):
    """Write the app NAME to FILE (gzip JSON lines; ``-`` for standard output)."""
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    data = exports.export_app(env, named_app(env, name))
    if str(file) == "-":
        click.get_binary_stream("stdout").write(data)
        return
    file.write_bytes(data)
    click.echo(f"exported app {name} to {file} ({len(data)} bytes)")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", "new_name", default=None, help="The new app's name [default: the exported app's]")
@options
def import_command(file, new_name, data_dir, database_url):
    """Load FILE (made by `sandbox apps export` or GET /sandbox/apps/<app>/export) into a new app."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from None
    env = environment(settings(data_dir=data_dir, database_url=database_url), create=True)  # a new store is fine
    try:
        with Stages(f"importing {file.name}") as progress:
            record = exports.import_app(env, data, new_name, progress)
    except (exports.BadExport, exports.AppExists) as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    click.echo(f"imported app {record.name}; legacy API key {record.legacy_key}")
