"""``sandbox apps export APP FILE`` and ``sandbox apps import FILE [--name NEW]``: an app as one portable file
(server.sandbox.exports), from any store to any store (SQLite, PostgreSQL)."""
from __future__ import annotations

from pathlib import Path

import click

from server.sandbox import exports, inputs

from .common import checked, environment, named_app, options, settings


@click.command("export")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@options
def export_command(name, file, data_dir, database_url):
    """Write the app NAME to FILE (gzip JSON lines; ``-`` for standard output)."""
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    app = named_app(env, name)
    if str(file) == "-":
        exports.export_app_to(env, app, click.get_binary_stream("stdout"))
        return
    try:
        with file.open("wb") as out:
            exports.export_app_to(env, app, out)
    except OSError as exc:  # a folder that does not exist, no permission, a full disk
        raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from None
    click.echo(f"exported app {name} to {file} ({file.stat().st_size} bytes)")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", "new_name", default=None, callback=checked(inputs.app_name),
              help="The new app's name [default: the exported app's]")
@click.option("--progress/--no-progress", default=None,
              help="Count the rows loaded on standard error as it goes [default: when it is a terminal]")
@options
def import_command(file, new_name, progress, data_dir, database_url):
    """Load FILE (made by `sandbox apps export` or GET /sandbox/apps/<app>/export) into a new app, reading it as
    it loads (a file of a million contacts never whole in memory)."""
    try:
        stream = file.open("rb")
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from None
    show = progress if progress is not None else click.get_text_stream("stderr").isatty()
    env = environment(settings(data_dir=data_dir, database_url=database_url), create=True)  # a new store is fine
    try:
        with stream:
            record = exports.import_app(env, stream, new_name, _progress(file) if show else None)
    except (exports.BadExport, exports.AppExists) as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    finally:
        if show:
            click.echo("", err=True)
    click.echo(f"imported app {record.name}; legacy API key {record.legacy_key}")


def _progress(file: Path):
    size = file.stat().st_size

    def tell(rows: int) -> None:
        click.echo(f"\r{file.name}: {rows:,} rows loaded ({size:,} bytes of gzip)", err=True, nl=False)

    return tell
