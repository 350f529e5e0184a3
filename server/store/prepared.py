"""Statements run on every call (the legacy key's app, ContactService.load's row), compiled once per dialect
and run on the driver's cursor in the call's own transaction (a Connection, or a gate call's Transaction,
server.store.db, which need not make a Connection at all).

SQLAlchemy's execution path (cache lookup, execution context, events, result object) costs about ten times
the query itself on SQLite; these statements run once or twice per XML-RPC call, so they skip it and apply
SQLAlchemy's own type processors (dates, booleans, JSON) to the row. Any statement whose parameters need a
bind processor is left to SQLAlchemy.
"""
from __future__ import annotations

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
        driver = source.connection.driver_connection if isinstance(source, Connection) else source.driver()
        cursor = driver.cursor()
        try:
            cursor.execute(compiled.sql, compiled.args(params))
            row = cursor.fetchone()
            return None if row is None else (row, cursor.description)
        finally:
            cursor.close()

    def row(self, source, found):
        compiled = self._compiled(source)
        values, description = found
        if description is None:  # already converted by SQLAlchemy
            return compiled.row_type(*values)
        return compiled.row_type(*compiled.processed(values, description, source.dialect))

    def _compiled(self, source) -> "_Compiled":
        dialect = source.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled


class _Compiled:
    def __init__(self, statement: sa.Select, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.names = list(compiled.positiontup) if dialect.positional else None
        self.fallback = bool(compiled._bind_processors) or bool(getattr(compiled, "escaped_bind_names", None))
        # the statement's own values (literals compiled as parameters: kind = 'contact')
        self.defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        self.columns = list(statement.selected_columns)
        self.row_type = namedtuple("Row", [c.key for c in self.columns], rename=True)
        self.processors = None  # from the first answer's column types (PostgreSQL's depend on them)

    def args(self, params: dict):
        values = {**self.defaults, **params} if self.defaults else params
        return [values[name] for name in self.names] if self.names is not None else values

    def processed(self, row, description, dialect) -> tuple:
        if self.processors is None:
            self.processors = [c.type.dialect_impl(dialect).result_processor(dialect, d[1])
                               for c, d in zip(self.columns, description)]
        return tuple(value if proc is None or value is None else proc(value)
                     for proc, value in zip(self.processors, row))
