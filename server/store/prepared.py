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

In a reader, in autocommit, they skip psycopg's cursor too and run on libpq (``_Direct``), as the cursor would run
them: parameters dumped by psycopg's dumpers, with their types; prepared on a connection from their fifth run there;
answers converted by psycopg's own loaders (the kept cursor's: JSON as text). psycopg's execute path around
libpq (its statement cache, its generators, setting up its result) costs about 20 µs of client CPU a statement,
two fifths of what the statement costs the worker in all (issue 18 §7). libpq lets go of the GIL while it waits,
as psycopg does.
"""
from __future__ import annotations

import itertools
import json
import os
import secrets
from collections import OrderedDict, namedtuple

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
        direct = _direct(source)
        if direct is not None:
            result = direct.run(compiled.sql_bytes, compiled.args(params))
            _learned_types(result, compiled, source.dialect)
            rows = direct.rows(result, 1)
            return (rows[0], _KNOWN) if rows else None
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
        self.sql_bytes = self.sql.encode()  # (on libpq, ``_Direct``)
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

    def learn(self, type_codes, dialect) -> None:
        """The columns' processors, from an answer's column types (PostgreSQL's depend on them)."""
        processors = [_processor(c.type, dialect, code) for c, code in zip(self.columns, type_codes)]
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
        compiled.learn([d[1] for d in cursor.description], dialect)
    return _KNOWN


def _learned_types(result, compiled: _Compiled, dialect) -> None:
    """``_learned`` for an answer read on libpq: the column types from the result itself."""
    if compiled.processors is None:
        compiled.learn([result.ftype(i) for i in range(result.nfields)], dialect)


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


_DIRECT = "prepared.direct"  # the pooled connection's ``_Direct``, in its ``info`` (emptied when it reconnects)


def _direct(source) -> _Direct | None:
    """The pooled PostgreSQL connection's ``_Direct`` where a statement can run on libpq: a reader's, in
    autocommit. None on SQLite and in a transaction, whose statements go through psycopg's cursor: psycopg sends
    a connection's ``BEGIN`` before its first statement, and after a rollback it drops every prepared statement of
    the connection (``DEALLOCATE ALL``), ours too, which a statement in a transaction could not recover from
    (its failure aborts the transaction); in autocommit ``_Direct.run`` prepares it again."""
    if source.dialect.name != "postgresql":
        return None
    pooled = source.connection if isinstance(source, Connection) else source.pooled()
    driver = pooled.driver_connection
    if not driver.autocommit or driver.pgconn.transaction_status != _IDLE:
        return None
    direct = pooled.info.get(_DIRECT)
    if direct is None or direct.driver is not driver:
        direct = pooled.info[_DIRECT] = _Direct(driver, _cursor(source)[0])
    return direct


_IDLE = 0  # libpq's PQTRANS_IDLE


class _Direct:
    """A PostgreSQL connection's statements run on libpq as psycopg's cursor would run them, without the cursor:
    parameters dumped by psycopg's own dumpers (as text, each with the type psycopg gives it, so the server reads
    ``5.0``, an aware datetime or a bool as psycopg's cursor had it read them), answers loaded by the kept
    cursor's loaders (JSON as text). As psycopg does, a statement runs unprepared until its ``PREPARE_AFTER``th
    run on the connection, then prepared (named by ``_name_of``), and a connection keeps at most ``KEEP_PREPARED``, the
    least recently run closed first: the statements built for a query's shape, or a page's size, come and go."""

    __slots__ = ("driver", "pgconn", "transformer", "runs", "prepared", "_text")

    PREPARE_AFTER = 5  # psycopg's prepare_threshold
    KEEP_PREPARED = 100  # psycopg's prepared_max

    def __init__(self, driver, cursor):
        from psycopg.adapt import PyFormat, Transformer  # noqa: PLC0415  (a SQLite server never loads psycopg)

        self.driver = driver
        self.pgconn = driver.pgconn
        self.transformer = Transformer(cursor)
        self.runs: dict[tuple, int] = {}  # (sql, parameter types) -> runs unprepared so far
        self.prepared: OrderedDict[tuple, bytes] = OrderedDict()  # (sql, parameter types) -> its name here
        self._text = PyFormat.TEXT

    def run(self, sql: bytes, args: list):
        """The statement's result, or the error psycopg's cursor would raise."""
        transformer = self.transformer
        params = transformer.dump_sequence(args, [self._text] * len(args))
        types = transformer.types
        key = (sql, types)
        name = self.prepared.get(key)
        if name is None:
            runs = self.runs.get(key, 0) + 1
            if runs < self.PREPARE_AFTER:
                if len(self.runs) > 4 * self.KEEP_PREPARED:
                    self.runs.clear()
                self.runs[key] = runs
                return self._checked(self.pgconn.exec_params(sql, params, types))
            self.runs.pop(key, None)
            name = self._prepare(key)
        else:
            self.prepared.move_to_end(key)
        result = self.pgconn.exec_prepared(name, params)
        if result.status == _FATAL_ERROR and result.error_field(_SQLSTATE) == _NO_SUCH_STATEMENT:
            # dropped since it was prepared: psycopg sends DEALLOCATE ALL after a rollback (or a savepoint's) on a
            # connection where it has prepared statements of its own; each of ours is found missing once
            del self.prepared[key]
            result = self.pgconn.exec_prepared(self._prepare(key), params)
        return self._checked(result)

    def rows(self, result, most: int | None = None) -> list[tuple]:
        """The rows of ``result`` (its first ``most``), loaded as psycopg's cursor loads them."""
        count = result.ntuples if most is None else min(most, result.ntuples)
        if not count:
            return []
        transformer = self.transformer
        transformer.set_pgresult(result)
        try:
            return transformer.load_rows(0, count, tuple)
        finally:
            transformer.set_pgresult(None)  # (the answer is not kept alive with the connection)

    def _prepare(self, key: tuple) -> bytes:
        name = _name_of(key)
        result = self.pgconn.prepare(name, key[0], key[1])
        if result.status != _FATAL_ERROR or result.error_field(_SQLSTATE) != _ALREADY_PREPARED:
            self._checked(result)  # (already there under this name: this statement, ``_name_of``)
        self.prepared[key] = name
        if len(self.prepared) > self.KEEP_PREPARED:
            _, oldest = self.prepared.popitem(last=False)
            self.pgconn.close_prepared(oldest)  # (protocol-level, as psycopg does; one already dropped is no error)
        return name

    def _checked(self, result):
        if result.status == _TUPLES_OK or result.status == _COMMAND_OK:
            return result
        from psycopg import errors  # noqa: PLC0415

        if self.pgconn.status != _CONNECTION_OK:  # the connection is lost: what psycopg's cursor raises then
            raise errors.OperationalError(result.error_message.decode(errors="replace").strip()
                                          or "the connection to the server was lost")
        raise errors.error_from_result(result, encoding=self.driver.info.encoding)


_COMMAND_OK, _TUPLES_OK, _FATAL_ERROR = 1, 2, 7  # libpq's PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_FATAL_ERROR
_CONNECTION_OK = 0
_SQLSTATE = ord("C")  # PG_DIAG_SQLSTATE
_NO_SUCH_STATEMENT, _ALREADY_PREPARED = b"26000", b"42P05"  # invalid_sql_statement_name, duplicate_prepared_statement


def _name_of(key: tuple) -> bytes:
    """The name a statement (its SQL and its parameters' types) is prepared under, on every connection of this
    process: one name is never given to two statements (a count that only goes up), nor taken by another process's
    statement (a random prefix; a forked child keeps the names it was born with, for the same statements, and
    draws a prefix of its own for new ones)."""
    name = _NAMES.get(key)
    if name is None:
        if len(_NAMES) > 4096:  # (statements built for a query's shape come and go)
            _NAMES.clear()
        name = _NAMES.setdefault(key, b"sandbox_%s_%d" % (_PREFIX[0], next(_COUNT)))
    return name


_NAMES: dict[tuple, bytes] = {}
_COUNT = itertools.count(1)
_PREFIX = [secrets.token_hex(4).encode()]


def _new_prefix() -> None:
    _PREFIX[0] = secrets.token_hex(4).encode()


os.register_at_fork(after_in_child=_new_prefix)


class PreparedAll(Prepared):
    """A Prepared statement answering every row."""

    def all(self, source, params: dict) -> list:
        compiled = self._compiled(source)
        if compiled.fallback:
            conn = source if isinstance(source, Connection) else source.conn()
            return [compiled.row_type(*r) for r in conn.execute(self.statement, params)]
        direct = _direct(source)
        if direct is not None:
            result = direct.run(compiled.sql_bytes, compiled.args(params))
            _learned_types(result, compiled, source.dialect)
            rows = direct.rows(result)
        else:
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
        cursor, kept = _cursor(source)  # (writes run in a writer's transaction: psycopg's cursor, ``_direct``)
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
