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
caller loads it in one transaction, so nothing of a refused file stays.
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
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.clock import ClockState, wall

from . import apps, bulk, faults, rows, schema
from .files import FileStore
from .session import AppRecord

FORMAT, VERSION = "sandbox-app", 1


class BadExport(ValueError):
    """The file is not an app export this server can load (the message says why)."""


def schema_revision(conn: Connection) -> str:
    """The store's Alembic revision (heads joined by "+" if it has several)."""
    return "+".join(sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()))


def _exported_columns(table: sa.Table) -> list[sa.Column]:
    """Every column but the app id and numbers counted across every app (re-numbered on loading)."""
    return [c for c in table.c if c.name != "app_id" and c.autoincrement is not True]


def export(conn: Connection, app: AppRecord, files: FileStore | None) -> bytes:
    """The app as a gzip file of JSON lines (see the module's docstring)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) as gz:
        for line in _lines(conn, app, files):
            gz.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return out.getvalue()


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


@dataclass
class Parsed:
    header: dict
    blobs: dict[str, bytes] = field(default_factory=dict)  # sha-256 -> bytes
    rows: dict[str, list[dict]] = field(default_factory=dict)  # table -> rows as Python values


def read(data: bytes, revision: str) -> Parsed:
    """Check and decode a whole export (BadExport if anything is wrong) before anything is written."""
    try:
        text = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        what = "is cut short" if isinstance(exc, EOFError) else "is not a gzip file"
        raise BadExport(f"the file {what}: not an app export of this sandbox") from None
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    header = _json(lines[0], 1) if lines else None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BadExport("not an app export of this sandbox (its first line has no \"format\": \"sandbox-app\")")
    if header.get("version") != VERSION:
        raise BadExport(f"export format version {header.get('version')!r} is not {VERSION}, the one this server reads")
    if header.get("schema") != revision:
        raise BadExport(f"the export was made with schema revision {header.get('schema')!r}; this store is at "
                        f"{revision!r} (export and import with the same version of the sandbox)")
    if not isinstance(header.get("app"), dict):
        raise BadExport("line 1: the header has no app")
    parsed = Parsed(header)
    tables = {t.name: t for t in schema.app_data_tables()}
    end = None
    count = 0
    for number, raw in enumerate(lines[1:], start=2):
        if end is not None:
            raise BadExport(f"line {number}: lines after the end")
        line = _json(raw, number)
        if not isinstance(line, dict):
            raise BadExport(f"line {number} is not a JSON object")
        if "table" in line:
            table = tables.get(line["table"]) if isinstance(line["table"], str) else None
            if table is None:
                raise BadExport(f"line {number}: unknown table {line['table']!r}")
            try:
                values = rows.decode(table, line.get("row"))
            except rows.BadRow as exc:
                raise BadExport(f"line {number}: {exc}") from None
            values.pop("app_id", None)
            parsed.rows.setdefault(table.name, []).append(values)
            count += 1
        elif "blob" in line:
            parsed.blobs[str(line["blob"])] = _blob(line, number)
        elif "end" in line:
            end = line["end"]
        else:
            raise BadExport(f"line {number}: neither a row, a file nor the end")
    if not isinstance(end, dict) or end.get("rows") != count or end.get("blobs") != len(parsed.blobs):
        raise BadExport("the file is cut short or was changed: its end line is missing or does not count "
                        f"its {count} rows and {len(parsed.blobs)} files")
    return parsed


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


def load(conn: Connection, parsed: Parsed, name: str,
         progress: Callable[[str, int, int], None] | None = None) -> AppRecord:
    """A new app ``name`` holding the parsed export, ids unchanged, its files named by the storage keys they get
    under the new app (the caller writes their bytes: ``parsed.blobs``). Raises BadExport for rows that do not
    fit (a repeated key, a missing column); the caller's transaction then rolls back. ``progress("rows", done,
    total)`` is told after each table."""
    info = parsed.header["app"]
    try:
        record = apps.create(conn, name, time_zone=str(info["time_zone"]), settings=dict(info.get("settings") or {}),
                             profile=dict(info.get("profile") or {}), options=dict(info.get("options") or {}))
        clock = info.get("clock") or {}
        if not clock.get("real", True):
            apps.set_clock(conn, record.id, ClockState(wall(), float(clock["time"]), float(clock["rate"]),
                                                       bool(clock["frozen"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadExport(f"line 1: the app's settings are damaged ({exc})") from None
    keys = {digest: FileStore.key(record.id, data) for digest, data in parsed.blobs.items()}
    total, done = sum(len(v) for v in parsed.rows.values()), 0
    for table in schema.app_data_tables():
        values = parsed.rows.get(table.name, [])
        if table is schema.file_box:
            for v in values:
                v["storage_key"] = keys.get(str(v.get("storage_key", "")).rsplit("/", 1)[-1], v.get("storage_key"))
        groups: dict[tuple, list[dict]] = {}
        for v in values:
            groups.setdefault(tuple(v), []).append(v)
        for group in groups.values():
            try:
                bulk.insert_rows(conn, table, group, {"app_id": record.id})
            except conn.dialect.loaded_dbapi.Error as exc:  # (bulk writes on the driver's cursor)
                raise BadExport(f"the rows of {table.name} do not fit the table: "
                                f"{str(exc).splitlines()[0][:200]}") from None
        done += len(values)
        if progress is not None and values:
            progress("rows", done, total)
    faults.recount(conn, record.id)  # the fault-injection rules imported with its rows
    return apps.by_id(conn, record.id)
