"""Statements run on every call (the legacy key's app, ContactService.load's row), compiled once per dialect
and run on the driver's cursor in the call's own transaction (a Connection, or a gate call's Transaction,
server.store.db, which need not make a Connection at all).

SQLAlchemy's execution path (cache lookup, execution context, events, result object) costs about ten times
the query itself on SQLite; these statements run once or twice per XML-RPC call, so they skip it and apply
SQLAlchemy's own type processors (dates, booleans, JSON) to the row. Any statement whose parameters need a
bind processor is left to SQLAlchemy.

On PostgreSQL the rows come as SQLite's do: ``json`` columns as their text, parsed by the row's processors, so
that a row as the driver gives it can be compared and hashed (an app's record is parsed once per change of its
row, server.store.apps, where psycopg's parsed dicts made every call parse the app's settings again). The
cursor is kept with the pooled connection (``_cursor``): a new psycopg cursor costs about a third of a
prepared statement's client CPU. It is a ``RawCursor``, and the statements are compiled with ``$n`` parameters
for it: psycopg's default cursor rewrites a ``%(name)s`` query and orders its parameters at every call (about 2%
of a ``ContactService.load`` in process).
"""
from __future__ import annotations

import json
from collections import namedtuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class Prepared:
    def __init__(self, statement: sa.Select):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def first(self, source, params: dict):
        """The first row (a named tuple, columns by their keys) or None. ``source``: a Connection or a
        Transaction."""
        found = self.first_raw(source, params)
        return None if found is None else self.row(source, found)

    def first_raw(self, source, params: dict):
        """The first row as the driver gives it, or None; ``row`` makes it a row of Python values."""
        compiled = self._compiled(source)
        if compiled.fallback:
            conn = source if isinstance(source, Connection) else source.conn()
            row = conn.execute(self.statement, params).first()
            return None if row is None else (tuple(row), None)
        cursor, kept = _cursor(source)
        try:
            cursor.execute(compiled.sql, compiled.args(params))
            row = cursor.fetchone()
            return None if row is None else (row, _learned(cursor, compiled, source.dialect))
        finally:
            if not kept:
                cursor.close()

    def row(self, source, found):
        compiled = self._compiled(source)
        values, description = found
        if description is None:  # already converted by SQLAlchemy
            return compiled.row_type(*values)
        return compiled.row_type(*compiled.processed(values))

    def values(self, source, found, part: slice) -> tuple:
        """The columns ``part`` of a ``first_raw`` row, converted (the others are left as they are)."""
        values, description = found
        if description is None:
            return tuple(values[part])
        return self._compiled(source).processed(values, part)

    def _compiled(self, source) -> _Compiled:
        dialect = source.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:  # (threads that compile it at once all keep the first one stored: the one that
            # learns the columns' processors is the one that converts the rows)
            compiled = self._by_dialect.setdefault(dialect.name, _Compiled(self.statement, dialect))
        return compiled


def _compile(statement, dialect):
    """The statement compiled for the driver's cursor: on PostgreSQL with positional ``$n`` parameters, for the
    kept cursor (``_cursor``), a psycopg ``RawCursor``, which sends the query as it is (psycopg's own cursor
    rewrites a ``%(name)s`` query into that form, and checks and orders its parameters, at every call)."""
    if dialect.name == "postgresql":
        dollar = _DOLLAR.get(type(dialect))
        if dollar is None:
            dollar = _DOLLAR[type(dialect)] = type(dialect)(paramstyle="numeric_dollar")
            dollar.server_version_info = dialect.server_version_info
        dialect = dollar
    return statement.compile(dialect=dialect), dialect.positional


_DOLLAR: dict[type, object] = {}


class _Compiled:
    def __init__(self, statement: sa.Select, dialect):
        compiled, positional = _compile(statement, dialect)
        self.sql = compiled.string
        self.names = list(compiled.positiontup) if positional else None
        self.fallback = bool(compiled._bind_processors) or bool(getattr(compiled, "escaped_bind_names", None))
        # the statement's own values (literals compiled as parameters: kind = 'contact')
        self.defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        self.columns = list(statement.selected_columns)
        self.row_type = namedtuple("Row", [c.key for c in self.columns], rename=True)
        self.processors = None  # from the first answer's column types (PostgreSQL's depend on them)
        self.converted: list[tuple[int, object]] = []  # (position, processor) of the columns that have one

    def args(self, params: dict):
        values = {**self.defaults, **params} if self.defaults else params
        return [values[name] for name in self.names] if self.names is not None else values

    def learn(self, description, dialect) -> None:
        """The columns' processors, from an answer's column types (PostgreSQL's depend on them)."""
        processors = [_processor(c.type, dialect, d[1]) for c, d in zip(self.columns, description)]
        self.converted = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
        self.processors = processors  # (last: a thread that sees it set finds ``converted`` set too)

    def processed(self, row, part: slice | None = None) -> tuple:
        """``row`` (as the driver gave it) converted by the processors ``learn`` found."""
        if self.processors is None:  # (never: a row comes from an answer, which taught them)
            raise RuntimeError("a prepared statement's row converted before its columns' types were read")
        if part is None:  # the whole row: only the columns that have a processor (a few of a contact's 150)
            values = list(row)
            for i, proc in self.converted:
                if values[i] is not None:
                    values[i] = proc(values[i])
            return tuple(values)
        processors = self.processors[part]
        return tuple(value if proc is None or value is None else proc(value)
                     for proc, value in zip(processors, row[part]))


def _learned(cursor, compiled: _Compiled, dialect):
    """``_KNOWN``, the statement's processors learnt from its first answer's column types: the description is
    read once per statement (psycopg builds a Column object for each column every time ``description`` is read,
    which costs more than the row itself). Learnt here, not when a row is first converted: a row some callers
    never convert (an app's row whose record is known, server.store.apps) would have the description read again
    at every call."""
    if compiled.processors is None:
        compiled.learn(cursor.description, dialect)
    return _KNOWN


_KNOWN = ()  # (the processors are known: the description is not needed; None means SQLAlchemy converted)


def _processor(type_, dialect, type_code):
    if type_code in _JSON_TEXT:  # the text of a json column (``_cursor``)
        return json.loads
    return type_.dialect_impl(dialect).result_processor(dialect, type_code)


_JSON_TEXT = (114, 3802)  # PostgreSQL's json and jsonb type codes
_KEPT = "prepared.cursor"  # the pooled connection's cursor, in its ``info`` (emptied when it reconnects)


def _cursor(source) -> tuple:
    """A cursor on the driver's connection, and whether it is kept (not to be closed). psycopg's is made once
    per connection, reading json as text; SQLite's is new and closed after use: an unfinished SELECT would keep
    its read snapshot open."""
    pooled = source.connection if isinstance(source, Connection) else source.pooled()
    if source.dialect.name != "postgresql":
        return pooled.driver_connection.cursor(), False
    info = pooled.info
    cursor = info.get(_KEPT)
    if cursor is None:
        from psycopg import RawCursor  # noqa: PLC0415  (a SQLite server never loads psycopg)

        cursor = info[_KEPT] = RawCursor(pooled.driver_connection)
        adapters = cursor.adapters  # (the cursor's own: SQLAlchemy's statements still get json parsed)
        text = adapters.get_loader(adapters.types["text"].oid, 0)  # (0: the text format)
        for oid in _JSON_TEXT:
            adapters.register_loader(oid, text)
    return cursor, True


class PreparedAll(Prepared):
    """A Prepared statement answering every row."""

    def all(self, source, params: dict) -> list:
        compiled = self._compiled(source)
        if compiled.fallback:
            conn = source if isinstance(source, Connection) else source.conn()
            return [compiled.row_type(*r) for r in conn.execute(self.statement, params)]
        cursor, kept = _cursor(source)
        try:
            cursor.execute(compiled.sql, compiled.args(params))
            rows = cursor.fetchall()
            _learned(cursor, compiled, source.dialect)
        finally:
            if not kept:
                cursor.close()
        if not rows:
            return []
        if not compiled.converted:
            return [compiled.row_type(*r) for r in rows]
        return [compiled.row_type(*compiled.processed(r)) for r in rows]

    def scalar(self, source, params: dict):
        found = self.first(source, params)
        return None if found is None else found[0]


class PreparedWrite:
    """An INSERT, UPDATE or DELETE run the same way: compiled once per dialect, on the driver's cursor. A
    statement whose parameters need SQLAlchemy's bind processors (dates on SQLite, JSON) goes through
    SQLAlchemy instead. ``run`` answers the row count; with ``RETURNING``, ``returned`` answers the first
    column of the first row, as the driver gives it (unconverted: a json column would come as its text)."""

    def __init__(self, statement):
        self.statement = statement
        self._by_dialect: dict[str, tuple] = {}

    def _compiled(self, source) -> tuple:
        dialect = source.dialect
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled, positional = _compile(self.statement, dialect)
            fallback = bool(compiled._bind_processors) or bool(getattr(compiled, "escaped_bind_names", None))
            names = list(compiled.positiontup) if positional else None
            defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
            found = self._by_dialect[dialect.name] = (compiled.string, names, defaults, fallback)
        return found

    def _execute(self, source, params: dict, fetch: bool):
        sql, names, defaults, fallback = self._compiled(source)
        if fallback:
            conn = source if isinstance(source, Connection) else source.conn()
            result = conn.execute(self.statement, params)
            return result.scalar() if fetch else result.rowcount
        values = {**defaults, **params} if defaults else params
        args = [values[n] for n in names] if names is not None else values
        cursor, kept = _cursor(source)
        try:
            cursor.execute(sql, args)
            if fetch:
                row = cursor.fetchone()
                return None if row is None else row[0]
            return cursor.rowcount
        finally:
            if not kept:
                cursor.close()

    def run(self, source, params: dict) -> int:
        return self._execute(source, params, False)

    def returned(self, source, params: dict):
        return self._execute(source, params, True)
