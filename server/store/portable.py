"""An app as one portable file, and back: gzip-compressed JSON lines, readable by any store (SQLite or
PostgreSQL) and loaded into a new app with every id unchanged.

The lines, in order:

1. the header: ``{"format": "sandbox-app", "version": 1, "schema": "<Alembic revision>", "app": {name, time
   zone, settings, profile, options, clock}, "tables": [names]}``;
2. one ``{"blob": "<sha-256>", "data": "<base64>"}`` per FileService file the rows name;
3. one ``{"table": "<name>", "row": {column: value}}`` per row of every app-owned table (the app id left out;
   values as server.store.rows writes them);
4. the end: ``{"end": {"rows": <row lines>, "blobs": <blob lines>}}``: a file cut short lacks it.

Credentials (keys, tokens) are not in the file: their values are secrets unique across apps; the new app gets
a legacy key of its own. Reading refuses, with a message naming the line, anything that is not such a file, a
file of another schema revision, a damaged or truncated file, and a value that does not fit its column; the
caller loads it in one transaction, so nothing of a refused file stays. Both ways stream: the export is written
as its rows are read, and the import reads a line at a time and writes ``BATCH`` rows per executemany, so a file
of a million contacts is never whole in memory (issue 18 §2).
"""
from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import ClockState, wall

from . import apps, bulk, faults, revisions, rows, schema
from .files import FileStore
from .session import AppRecord

FORMAT, VERSION = "sandbox-app", 1


class BadExport(ValueError):
    """The file is not an app export this server can load (the message says why)."""


def schema_revision(conn: Connection) -> str:
    """The store's Alembic revision (heads joined by "+" if it has several)."""
    return "+".join(sorted(revisions.current(conn)))


def _exported_columns(table: sa.Table) -> list[sa.Column]:
    """Every column but the app id and numbers counted across every app (re-numbered on loading)."""
    return [c for c in table.c if c.name != "app_id" and c.autoincrement is not True]


def export(conn: Connection, app: AppRecord, files: FileStore | None) -> bytes:
    """The app as a gzip file of JSON lines (see the module's docstring), in memory."""
    out = io.BytesIO()
    export_to(conn, app, files, out)
    return out.getvalue()


def export_to(conn: Connection, app: AppRecord, files: FileStore | None, out: BinaryIO) -> None:
    """Write the export to ``out`` as its lines are made (a large app never whole in memory)."""
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as gz:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for line in _lines(conn, app, files):
            gz.write(dumps(line).encode() + b"\n")


def _lines(conn: Connection, app: AppRecord, files: FileStore | None) -> Iterator[dict]:
    tables = schema.app_data_tables()
    state = app.clock_state
    yield {"format": FORMAT, "version": VERSION, "schema": schema_revision(conn),
           "app": {"name": app.name, "time_zone": app.time_zone, "settings": app.settings, "profile": app.profile,
                   "options": app.options, "clock": {"real": state.is_real, "time": state.timestamp(),
                                                     "rate": state.rate, "frozen": state.frozen}},
           "tables": [t.name for t in tables]}
    blobs = 0
    fb = schema.file_box
    keys = conn.execute(sa.select(fb.c.storage_key).where(fb.c.app_id == app.id).distinct()).scalars().all()
    for key in sorted(set(keys)):
        data = files.get(key) if files is not None else None
        if data is not None:
            blobs += 1
            yield {"blob": key.rsplit("/", 1)[-1], "data": base64.b64encode(data).decode("ascii")}
    count = 0
    for table in tables:
        columns = _exported_columns(table)
        query = sa.select(*columns).where(table.c.app_id == app.id).order_by(*table.primary_key.columns)
        for row in conn.execute(query):
            count += 1
            yield {"table": table.name, "row": rows.encode(table, row, columns)}
    yield {"end": {"rows": count, "blobs": blobs}}


BATCH = 5000  # rows a table's executemany takes at a time: memory bounded whatever the file's size


class Reader:
    """An export read as it is loaded: ``header`` is read and checked at once (``open``); the rest streams
    through ``load``, a line at a time, so memory holds one batch of rows however large the file."""

    def __init__(self, stream: BinaryIO, revision: str):
        self._gz = gzip.GzipFile(fileobj=stream, mode="rb")
        self._lines = self._numbered()
        first = next(self._lines, None)
        header = _json(first[1], 1) if first is not None else None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise BadExport("not an app export of this sandbox (its first line has no \"format\": \"sandbox-app\")")
        if header.get("version") != VERSION:
            raise BadExport(f"export format version {header.get('version')!r} is not {VERSION}, the one this "
                            "server reads")
        if header.get("schema") != revision:
            raise BadExport(f"the export was made with schema revision {header.get('schema')!r}; this store is at "
                            f"{revision!r} (export and import with the same version of the sandbox)")
        if not isinstance(header.get("app"), dict):
            raise BadExport("line 1: the header has no app")
        self.header = header

    def _numbered(self) -> Iterator[tuple[int, bytes]]:
        try:
            for number, raw in enumerate(self._gz, start=1):
                if raw.strip():
                    yield number, raw
        except (OSError, EOFError, zlib.error) as exc:
            what = "is cut short" if isinstance(exc, EOFError) else "is not a gzip file"
            raise BadExport(f"the file {what}: not an app export of this sandbox") from None

    def items(self) -> Iterator[tuple[int, dict]]:
        """The lines after the header, each a JSON object, up to and including the end line."""
        for number, raw in self._lines:
            line = _json(raw, number)
            if not isinstance(line, dict):
                raise BadExport(f"line {number} is not a JSON object")
            yield number, line


def open_export(stream: BinaryIO, revision: str) -> Reader:
    """An export read from ``stream`` (a file), its header checked."""
    return Reader(stream, revision)


def _json(raw: bytes, number: int):
    try:
        return json.loads(raw)
    except ValueError:
        raise BadExport(f"line {number} is not JSON") from None


def _blob(line: dict, number: int) -> bytes:
    try:
        data = base64.b64decode(line.get("data"), validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise BadExport(f"line {number}: a file's data is not base64") from None
    if hashlib.sha256(data).hexdigest() != line["blob"]:
        raise BadExport(f"line {number}: a file's bytes do not match its digest")
    return data


def load(conn: Connection, reader: Reader, name: str, put: Callable[[int, bytes], None] | None = None,
         progress: Callable[[int], None] | None = None) -> AppRecord:
    """A new app ``name`` holding the export, ids unchanged. Each file's bytes go to ``put(app id, bytes)`` as
    they are read, its rows naming the storage key they get under the new app. Raises BadExport for anything
    wrong in the file (a line that is not a row, a value that does not fit, a repeated key, a file cut short);
    the caller's transaction then rolls back. ``progress`` is told the count of rows written after each batch."""
    info = reader.header["app"]
    try:
        record = apps.create(conn, name, time_zone=str(info["time_zone"]), settings=dict(info.get("settings") or {}),
                             profile=dict(info.get("profile") or {}), options=dict(info.get("options") or {}))
        clock = info.get("clock") or {}
        if not clock.get("real", True):
            apps.set_clock(conn, record.id, ClockState(wall(), float(clock["time"]), float(clock["rate"]),
                                                       bool(clock["frozen"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadExport(f"line 1: the app's settings are damaged ({exc})") from None
    tables = {t.name: t for t in schema.app_data_tables()}
    keys: dict[str, str] = {}  # sha-256 -> the storage key under the new app
    pending: dict[tuple, list[dict]] = {}  # (table, columns) -> rows not yet written
    held = count = 0
    end = None

    def flush():
        nonlocal held
        for (table_name, _), values in pending.items():
            table = tables[table_name]
            try:
                bulk.insert_rows(conn, table, values, {"app_id": record.id})
            except conn.dialect.loaded_dbapi.Error as exc:  # (bulk writes on the driver's cursor)
                raise BadExport(f"the rows of {table.name} do not fit the table: "
                                f"{str(exc).splitlines()[0][:200]}") from None
        pending.clear()
        held = 0
        if progress is not None:
            progress(count)

    for number, line in reader.items():
        if end is not None:
            raise BadExport(f"line {number}: lines after the end")
        if "table" in line:
            table = tables.get(line["table"]) if isinstance(line["table"], str) else None
            if table is None:
                raise BadExport(f"line {number}: unknown table {line['table']!r}")
            try:
                values = rows.decode(table, line.get("row"))
            except rows.BadRow as exc:
                raise BadExport(f"line {number}: {exc}") from None
            values.pop("app_id", None)
            if table is schema.file_box:
                stored = str(values.get("storage_key", ""))
                values["storage_key"] = keys.get(stored.rsplit("/", 1)[-1], values.get("storage_key"))
            group = (table.name, tuple(values))
            if pending and group not in pending and next(iter(pending))[0] != table.name:
                flush()  # a new table: the one before is written first, in the file's order
            pending.setdefault(group, []).append(values)
            count += 1
            held += 1
            if held >= BATCH:
                flush()
        elif "blob" in line:
            data = _blob(line, number)
            if line["blob"] not in keys:
                keys[line["blob"]] = FileStore.key(record.id, data)
                if put is not None:
                    put(record.id, data)
        elif "end" in line:
            end = line["end"]
        else:
            raise BadExport(f"line {number}: neither a row, a file nor the end")
    flush()
    if not isinstance(end, dict) or end.get("rows") != count or end.get("blobs") != len(keys):
        raise BadExport("the file is cut short or was changed: its end line is missing or does not count "
                        f"its {count} rows and {len(keys)} files")
    faults.recount(conn, record.id)  # the fault-injection rules imported with its rows
    return apps.by_id(conn, record.id)
