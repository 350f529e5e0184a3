"""Exporting an app as one portable file and importing it as a new app (server.store.portable): what the
control API (``GET /sandbox/apps/<app>/export``, ``POST /sandbox/apps/import``) and the command line
(``sandbox apps export``, ``sandbox apps import``) call.

An import is one transaction, read from the file as it is loaded (a batch of rows in memory at a time): a
refused file (server.store.portable.BadExport) leaves no app, no row and no file behind.
"""
from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from typing import BinaryIO

from server.environment import Environment
from server.store import apps, portable
from server.store.db import transaction
from server.store.portable import BadExport
from server.store.session import AppRecord

from .snapshots import consistent

__all__ = ["BadExport", "AppExists", "export_app", "export_app_to", "import_app"]


class AppExists(ValueError):
    pass


def export_app(env: Environment, app: AppRecord) -> bytes:
    with consistent(env, write=False) as conn:
        return portable.export(conn, apps.by_id(conn, app.id), env.files)


def export_app_to(env: Environment, app: AppRecord, out: BinaryIO) -> None:
    """The export written to ``out`` as it is made (a file: a large app is never whole in memory)."""
    with consistent(env, write=False) as conn:
        portable.export_to(conn, apps.by_id(conn, app.id), env.files, out)


def import_app(env: Environment, data: bytes | BinaryIO, name: str | None = None,
               progress: Callable[[int], None] | None = None) -> AppRecord:
    """Load an export (its bytes, or a binary file read as it is loaded) into a new app ``name`` (by default the
    exported app's name). Raises BadExport for a file it refuses, AppExists if the name is taken. ``progress``
    is told the count of rows loaded so far, after each batch."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    folder = None  # the new app's file folder, removed if the import fails after writing to it
    try:
        with transaction(env.engine, write=True) as conn:
            reader = portable.open_export(stream, portable.schema_revision(conn))
            name = name or str(reader.header["app"].get("name") or "")
            if not valid_app_name(name):
                raise BadExport(f"{name[:80]!r} is not an app name (at most 63 letters, digits and dashes)")
            if apps.by_name(conn, name, internal=True) is not None:
                raise AppExists(f"an app named {name!r} exists")

            def put(app_id: int, blob: bytes) -> None:
                nonlocal folder
                if env.files is None:
                    return
                if folder is None and not (env.files.root / str(app_id)).exists():
                    folder = env.files.root / str(app_id)
                env.files.put(app_id, blob)

            made = portable.load(conn, reader, name, put, progress)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return made


def valid_app_name(name: str) -> bool:
    """What POST /sandbox/apps accepts: letters, digits and dashes (the app's URL prefix), at most 63."""
    return 0 < len(name) <= 63 and name.replace("-", "").isalnum() and name.isascii()
