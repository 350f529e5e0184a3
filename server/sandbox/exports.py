"""Exporting an app as one portable file and importing it as a new app (server.store.portable): what the
control API (``GET /sandbox/apps/<app>/export``, ``POST /sandbox/apps/import``) and the command line
(``sandbox apps export``, ``sandbox apps import``) call.

An import is one transaction: a refused file (server.store.portable.BadExport) leaves no app, no row and no
file behind.
"""
from __future__ import annotations

import shutil

from server.environment import Environment
from server.store import apps, portable
from server.store.db import transaction
from server.store.portable import BadExport
from server.store.session import AppRecord

from .snapshots import consistent

__all__ = ["BadExport", "AppExists", "export_app", "import_app"]


class AppExists(ValueError):
    pass


def export_app(env: Environment, app: AppRecord) -> bytes:
    with consistent(env, write=False) as conn:
        return portable.export(conn, apps.by_id(conn, app.id), env.files)


def import_app(env: Environment, data: bytes, name: str | None = None, progress=None) -> AppRecord:
    """Load an export into a new app ``name`` (by default the exported app's name). Raises BadExport for a file
    it refuses, AppExists if the name is taken. ``progress(stage, done, total)`` is told as rows are loaded."""
    with transaction(env.engine, write=False) as conn:
        parsed = portable.read(data, portable.schema_revision(conn))
    name = name or str(parsed.header["app"].get("name") or "")
    if not valid_app_name(name):
        raise BadExport(f"{name[:80]!r} is not an app name (at most 63 letters, digits and dashes)")
    folder = None  # the new app's file folder, removed if the import fails after writing to it
    try:
        with transaction(env.engine, write=True) as conn:
            if apps.by_name(conn, name, internal=True) is not None:
                raise AppExists(f"an app named {name!r} exists")
            made = portable.load(conn, parsed, name, progress)
            if env.files is not None and parsed.blobs:
                if not (env.files.root / str(made.id)).exists():
                    folder = env.files.root / str(made.id)
                for blob in parsed.blobs.values():
                    env.files.put(made.id, blob)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return made


def valid_app_name(name: str) -> bool:
    """What POST /sandbox/apps accepts: letters, digits and dashes (the app's URL prefix), at most 63."""
    return 0 < len(name) <= 63 and name.replace("-", "").isalnum() and name.isascii()
