"""Writing many rows at once, fast: the driver's executemany with SQL built once per table and column set.

SQLAlchemy's executemany builds and type-processes a parameter dict per row, which costs more than the database
for the engine's batches (500 enrollments, their step runs and their messages at a time), and its execution path
(context, events, result) costs more than SQLite's insert for the one-row writes of a goal event. Here each
column's bind processor and Python-side default are looked up once, rows become tuples, and the driver's cursor
gets them directly, in the Connection's own transaction; the values stored are exactly what SQLAlchemy would
store (its own bind processors do the conversion).
"""
from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_PLANS: dict[tuple, tuple] = {}


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _processors(conn: Connection, columns: list[sa.Column]) -> list:
    return [c.type._cached_bind_processor(conn.dialect) for c in columns]


def _default(column: sa.Column):
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)
    return None


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[dict], constants: dict | None = None,
                columns: Sequence[str] | None = None) -> None:
    """INSERT every row of ``rows`` (dicts of column name → Python value, all with the same keys) in one
    executemany; ``constants`` are columns with one value for every row (the app id); ``columns``, if given, the
    rows' keys to write (the others are left out). Columns missing from all get their Python-side default, as a
    SQLAlchemy insert would give them."""
    if not rows:
        return
    constants = constants or {}
    names = list(columns if columns is not None else rows[0])
    key = ("insert", conn.dialect.name, table.name, tuple(names), tuple(constants))
    plan = _PLANS.get(key)
    if plan is None:
        given = [table.c[n] for n in names]
        fixed = [table.c[n] for n in constants]
        defaulted = [c for c in table.c if c.name not in names and c.name not in constants and
                     c.default is not None and c.autoincrement is not True]
        quote = conn.dialect.identifier_preparer.quote
        mark = _placeholder(conn)
        columns = given + fixed + defaulted
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
               f"VALUES ({', '.join([mark] * len(columns))})")
        # the defaults, converted once (a JSON default becomes its text, so sharing it is safe)
        defaults = tuple(p(v) if p is not None and v is not None else v
                         for p, v in zip(_processors(conn, defaulted), (_default(c) for c in defaulted)))
        plan = _PLANS[key] = (sql, _processors(conn, given), _processors(conn, fixed), defaults)
    sql, processors, fixed_processors, defaults = plan
    tail = _converted(tuple(constants.values()), fixed_processors) + defaults
    _run(conn, sql, _tuples(rows, names, processors, tail))


def update_rows(conn: Connection, table: sa.Table, keys: Sequence[str], rows: Sequence[dict],
                constants: dict | None = None) -> None:
    """UPDATE ``table`` SET the rows' other columns WHERE the ``keys`` columns (and the ``constants``) equal
    the row's, in one executemany."""
    if not rows:
        return
    constants = constants or {}
    names = [n for n in rows[0] if n not in keys]
    key = ("update", conn.dialect.name, table.name, tuple(names), tuple(keys), tuple(constants))
    plan = _PLANS.get(key)
    if plan is None:
        quote = conn.dialect.identifier_preparer.quote
        mark = _placeholder(conn)
        where = [*keys, *constants]
        sql = (f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(n)} = {mark}' for n in names)} "
               f"WHERE {' AND '.join(f'{quote(k)} = {mark}' for k in where)}")
        plan = _PLANS[key] = (sql, _processors(conn, [table.c[n] for n in [*names, *keys]]),
                              _processors(conn, [table.c[n] for n in constants]))
    sql, processors, fixed_processors = plan
    tail = _converted(tuple(constants.values()), fixed_processors)
    _run(conn, sql, _tuples(rows, [*names, *keys], processors, tail))


def _run(conn: Connection, sql: str, params: list[tuple]) -> None:
    cursor = conn.connection.driver_connection.cursor()
    try:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
    finally:
        cursor.close()


def _converted(values: tuple, processors: list) -> tuple:
    return tuple(p(v) if p is not None and v is not None else v for p, v in zip(processors, values))


def _tuples(rows: Sequence[dict], names: list[str], processors: list, tail: tuple) -> list[tuple]:
    """The rows as parameter tuples, converted only where a column's type converts (dates, JSON …); a value
    repeated across the rows (a batch's one timestamp, one list shared by many rows) is converted once."""
    pick = itemgetter(*names) if len(names) > 1 else (lambda row, n=names[0]: (row[n],))
    convert = [(i, p, {}) for i, p in enumerate(processors) if p is not None]
    if not convert:
        return [pick(row) + tail for row in rows]
    out = []
    shared: dict[tuple[int, int], object] = {}  # (column, id of an unhashable value): the rows keep it alive
    for row in rows:
        values = list(pick(row))
        for i, p, seen in convert:
            value = values[i]
            if value is None:
                continue
            try:
                converted = seen.get(value)
                if converted is None:
                    converted = seen[value] = p(value)
            except TypeError:  # unhashable (a JSON dict or list): converted once per object
                converted = shared.get((i, id(value)))
                if converted is None:
                    converted = shared[(i, id(value))] = p(value)
            values[i] = converted
        out.append(tuple(values) + tail)
    return out
