"""A table's rows as JSON values and back, column by column by the column's type: what a snapshot keeps of
rows it cannot copy inside the database (credentials) and what an app export writes.

Dates become ISO 8601 text (naive UTC, as stored), bytes base64; JSON, numbers, text and booleans stay as they
are. ``decode`` checks each value against its column's type, so a hand-edited or damaged file is refused with
the table and column named instead of reaching the database.
"""
from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa


class BadRow(ValueError):
    """A value that does not fit its column (the message names the table and column)."""


def _encoder(column: sa.Column) -> Callable | None:
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return lambda v: v.isoformat()
    if isinstance(kind, sa.LargeBinary):
        return lambda v: base64.b64encode(v).decode("ascii")
    return None


def encode(table: sa.Table, row, columns: list[sa.Column] | None = None) -> dict:
    """``row`` (a Row or mapping with the table's columns) as ``{column: JSON value}``."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    out = {}
    for column in columns if columns is not None else table.c:
        value = mapping[column.name]
        convert = _encoder(column)
        out[column.name] = value if value is None or convert is None else convert(value)
    return out


def _datetime(value):
    if not isinstance(value, str):
        raise TypeError
    return datetime.fromisoformat(value)


def _bytes(value):
    if not isinstance(value, str):
        raise TypeError
    return base64.b64decode(value, validate=True)


def _integer(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _float(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError
    return float(value)


def _boolean(value):
    if not isinstance(value, bool):
        raise TypeError
    return value


def _text(value):
    if not isinstance(value, str):
        raise TypeError
    return value


def _decoder(column: sa.Column) -> Callable:
    kind = column.type
    for sql_type, convert in ((sa.DateTime, _datetime), (sa.LargeBinary, _bytes), (sa.Boolean, _boolean),
                              (sa.Integer, _integer), (sa.Float, _float), (sa.String, _text)):
        if isinstance(kind, sql_type):
            return convert
    return lambda v: v  # JSON: any JSON value


_PLANS: dict[sa.Table, dict[str, tuple[Callable, bool]]] = {}


def _plan(table: sa.Table) -> dict[str, tuple[Callable, bool]]:
    """Each column's decoder and whether it takes null, looked up once per table (an import decodes millions)."""
    plan = _PLANS.get(table)
    if plan is None:
        plan = _PLANS[table] = {c.name: (_decoder(c), c.nullable or c.primary_key) for c in table.c}
    return plan


def decode(table: sa.Table, values: dict) -> dict:
    """``values`` (as ``encode`` wrote them) as the Python values of the table's columns; a column missing from
    ``values`` is left out (its default applies), an unknown column or a value of the wrong type is a BadRow."""
    if not isinstance(values, dict):
        raise BadRow(f"a row of {table.name} must be a JSON object")
    plan = _plan(table)
    out = {}
    for name, value in values.items():
        found = plan.get(name)
        if found is None:
            raise BadRow(f"{table.name} has no column {name!r}")
        if value is None:
            if not found[1]:
                raise BadRow(f"{table.name}.{name} cannot be null")
            out[name] = None
            continue
        try:
            out[name] = found[0](value)
        except (TypeError, ValueError, binascii.Error):
            raise BadRow(f"{table.name}.{name}: {value!r:.60} is not a valid {table.c[name].type}") from None
    return out
