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
from datetime import datetime
from typing import BinaryIO

from server.clock import UTC
from server.environment import Environment
from server.store import apps, options, portable
from server.store.db import transaction
from server.store.portable import BadExport
from server.store.session import AppRecord
from server.throttle import settings as throttle_settings

from . import inputs
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
            try:
                inputs.app_name(name)  # the rule of POST /sandbox/apps and `sandbox apps create`
            except inputs.InvalidInput:
                raise BadExport(f"{name[:80]!r} is not an app name: an app name is {inputs.APP_NAME_RULE}") \
                    from None
            taken = apps.name_taken(conn, name)
            if taken is not None:
                raise AppExists(taken)

            def put(app_id: int, blob: bytes) -> None:
                nonlocal folder
                if env.files is None:
                    return
                if folder is None and not (env.files.root / str(app_id)).exists():
                    folder = env.files.root / str(app_id)
                env.files.put(app_id, blob)

            check_app(reader.header["app"])
            made = portable.load(conn, reader, name, put, progress)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return made


def check_app(info: dict) -> None:
    """The header's time zone, options and clock, held to the rules of the routes that set them (the time zone of
    POST /sandbox/apps, PATCH …/options, PUT …/retirement, PATCH …/throttle, …/email/deliverability, and POST
    …/clock's years and rate): BadExport naming the first value that breaks one. Options the sandbox does not
    know are kept as they are (nothing reads them)."""
    def refuse(field: str, problem) -> BadExport:
        return BadExport(f"line 1: app.{field}: {problem}")

    try:
        inputs.time_zone(info.get("time_zone"))
    except inputs.InvalidInput as exc:
        raise refuse("time_zone", exc) from None
    stored = info.get("options") or {}
    if not isinstance(stored, dict):
        raise refuse("options", "not an object")
    for key, value in stored.items():
        try:
            _check_option(key, value)
        except ValueError as exc:
            raise refuse(f"options.{key}", exc) from None
    clock = info.get("clock") or {}
    if not isinstance(clock, dict):
        raise refuse("clock", "not an object")
    if clock.get("real", True) is not True:
        for key, kind in (("time", (int, float)), ("rate", (int, float)), ("frozen", bool)):
            value = clock.get(key)
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                raise refuse(f"clock.{key}", f"missing or of the wrong type: {value!r}")
        try:
            inputs.moment(datetime.fromtimestamp(clock["time"], UTC))
        except (ValueError, OverflowError, OSError):
            raise refuse("clock.time", f"{clock['time']!r} is not a moment between the years {inputs.FIRST_YEAR} "
                                       f"and {inputs.LAST_YEAR}") from None
        try:
            inputs.rate(clock["rate"])
        except inputs.InvalidInput as exc:
            raise refuse("clock.rate", exc) from None


def _check_option(key: str, value) -> None:
    """One stored option as the route that sets it checks it (ValueError if it would refuse it)."""
    if key in options.DEFAULTS:
        options.validate(key, value)
    elif key == "retirement":
        from server.migration.retirement_settings import parse  # noqa: PLC0415  (pydantic, for a file with one)

        parse(value)
    elif key == "throttle":
        if not isinstance(value, dict):
            raise ValueError("not an object")
        throttle_settings.merge(throttle_settings.DEFAULTS, value)
    elif key == "email":
        from pydantic import ValidationError  # noqa: PLC0415

        from server.domain.mail import confirmation_links, deliverability_settings  # noqa: PLC0415

        if not isinstance(value, dict):
            raise ValueError("not an object")
        try:
            if value.get("deliverability") is not None:
                deliverability_settings.Settings.model_validate(value["deliverability"])
            for link in value.get("confirmation_links") or []:
                confirmation_links.ConfirmationLink.model_validate(link)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None

