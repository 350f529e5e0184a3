"""The DataService query language, compiled to SQLAlchemy (spec xmlrpc-api.md §4).

``queryData`` is a struct of criteria, AND-ed. A criterion is, by the shape of its value: a plain string
(case-insensitive equality), a string with ``%`` (case-insensitive LIKE; ``%`` alone: any non-null value),
``~null~`` (IS NULL), ``~<>~v`` / ``~>~v`` / ``~>=~v`` / ``~<~v`` / ``~<=~v`` (comparisons, spaces after the
operator allowed), a typed scalar (equality), an array (IN, at most 1000 values), or a struct
``{since, before}`` (a date range, as yail sends). Dates compare in the app's local time; a date-only
string on a datetime field matches that whole day; ``%`` patterns on dates match their
``YYYY-MM-DD HH:MM:SS`` text, as MySQL does. Every table gets the same semantics because every table is
compiled here from its description.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from server.domain.errors import InvalidParameter, NoFieldAccess, NoFieldFound, OutOfRange
from server.store import folding, schema
from server.store.prepared import Prepared, PreparedAll
from server.store.session import AppSession
from server.tables import REGISTRY, Field, FieldType, Table

from . import custom_fields
from .values import coerce, day_range, outgoing, outgoing_converter, to_local

MAX_LIMIT = 1000
MAX_IN = 1000

_OPERATOR = re.compile(r"^~(<>|>=|<=|>|<)~\s*(.*)$", re.S)


@dataclass(frozen=True)
class Resolved:
    name: str
    expr: sa.ColumnElement
    type: FieldType
    access: str


class Resolver:
    """Resolves a table's field names (standard, ``_Custom``, joined, ``Contact.X``) to SQL expressions,
    adding the joins they need, every join restricted to the session's app."""

    def __init__(self, s: AppSession, table: Table, app_id=None):
        self.s = s
        self.table = table
        # the app's id as a literal, or a bind parameter for statements cached across apps
        self.app_id = s.app.id if app_id is None else app_id
        self.base = schema.ENTITIES[table.entity]
        self._joins: dict[str, tuple[sa.FromClause, sa.ColumnElement]] = {}
        self._inner: set[str] = set()  # joins a criterion requires a row of (joined inner)
        self._customs: dict[str, custom_fields.CustomField] = {}
        self._resolved: dict[str, Resolved] = {}

    def prefetch(self, names) -> None:
        """Load the custom-field definitions among ``names`` in one query."""
        wanted = [n[1:] for n in names if isinstance(n, str) and n.startswith("_") and n[1:] not in self._customs]
        if wanted and self.table.custom_form is not None:
            self._customs.update(custom_fields.definitions(self.s, self.table.custom_form, set(wanted)))

    def field(self, name: str) -> Resolved:
        resolved = self._resolved.get(name)
        if resolved is None:
            resolved = self._resolved[name] = self._resolve(name)
        return resolved

    def readable(self, name: str) -> Resolved:
        """``field(name)``, refused for a field that can be written but never read (CreditCard.CardNumber)."""
        resolved = self.field(name)
        if "R" not in resolved.access:
            raise NoFieldAccess(f"No read access to field: {self.table.name}.{name}")
        return resolved

    def custom(self, name: str) -> custom_fields.CustomField:
        self.prefetch([name])
        field = self._customs.get(name[1:]) if self.table.custom_form is not None else None
        if field is None:
            raise NoFieldFound(f"No field found: {self.table.name}.{name}")
        return field

    def _resolve(self, name: str) -> Resolved:
        if not isinstance(name, str) or not name:
            raise NoFieldFound(f"No field found: {self.table.name}.{name}")
        if name.startswith("_"):
            field = self.custom(name)
            alias = self._join(f"cv:{field.id}", schema.custom_value, lambda a: sa.and_(
                a.c.field_id == field.id, a.c.record_id == self.base.c.id))
            return Resolved(name, alias.c[field.column], field.type, "EDAR")
        described = self.table.fields.get(name)
        if described is not None:
            return Resolved(name, self._column(described), described.type, described.access)
        for prefix in self.table.join_prefixes:
            if name.startswith(prefix.prefix):
                other = REGISTRY.get(prefix.table)
                inner = other.fields.get(name[len(prefix.prefix):]) if other else None
                if inner is not None and inner.column is not None:
                    entity = schema.ENTITIES[other.entity]
                    alias = self._join(f"prefix:{prefix.prefix}", entity,
                                       lambda a, local=prefix.local: a.c.id == self.base.c[local])
                    return Resolved(name, alias.c[inner.column], inner.type, "R")
        raise NoFieldFound(f"No field found: {self.table.name}.{name}")

    def _column(self, field: Field) -> sa.ColumnElement:
        if field.join is None:
            return self.base.c[field.column]
        join = field.join
        alias = self._join(f"join:{join.entity}:{join.local}", schema.ENTITIES[join.entity],
                           lambda a: a.c.id == self.base.c[join.local])
        return alias.c[join.column]

    def require(self, name: str) -> None:
        """A criterion on custom field ``name`` matches no record without a value: join its values inner,
        so that the value's index can find the records."""
        self._inner.add(f"cv:{self.custom(name).id}")

    def _join(self, key: str, target: sa.Table, on) -> sa.FromClause:
        joined = self._joins.get(key)
        if joined is None:
            alias = target.alias(f"j{len(self._joins)}")
            joined = self._joins[key] = (alias, sa.and_(alias.c.app_id == self.app_id, on(alias)))
        return joined[0]

    def from_clause(self) -> sa.FromClause:
        clause = self.base
        for key, (alias, on) in self._joins.items():
            clause = clause.join(alias, on) if key in self._inner else clause.outerjoin(alias, on)
        return clause

    def base_filters(self, *, unindexed_kind: bool = False) -> list[sa.ColumnElement]:
        """The app's rows of this table; ``unindexed_kind``: the kind tested through ``unindexed`` (the
        ``(app, kind, id)`` index would otherwise compete with a lookup's own)."""
        filters = [self.base.c.app_id == self.app_id]
        if self.table.kind is not None:
            kind = unindexed(self.base.c.kind) if unindexed_kind else self.base.c.kind
            filters.append(kind == self.table.kind)
        return filters

    def indexed(self, name: str) -> bool:
        """Whether an index finds the rows where field ``name`` equals a value, as ``criterion`` compares
        it: a custom field's value, or a column of this table indexed after the app id (text fields
        through ``lower``)."""
        field = self.field(name)
        if name.startswith("_"):
            return True
        column = field.expr
        if not isinstance(column, sa.Column) or column.table is not self.base:
            return False
        plain, lowered = _indexed_columns(self.base)
        return column.name in (lowered if field.type is FieldType.STRING else plain)

    def key_columns(self) -> list[sa.ColumnElement]:
        if self.table.key is not None:
            return [self.base.c[self.table.fields[self.table.key].column]]
        return [c for c in self.base.primary_key.columns if c.name != "app_id"]


class unindexed(sa.sql.functions.GenericFunction):
    """The expression, as SQLite's planner may use no index for: ``+x`` (a no-op on any value). PostgreSQL,
    which weighs the indexes by their statistics, gets the expression itself."""

    inherit_cache = True

    def __init__(self, expr, **kw):
        super().__init__(expr, type_=expr.type, **kw)


@compiles(unindexed)
def _unindexed(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses.clauses[0], **kw)}"


_INDEXED: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _indexed_columns(entity: sa.Table) -> tuple[frozenset[str], frozenset[str]]:
    """The columns of ``entity`` an index holds right after the app id: as they are, and through ``lower``."""
    found = _INDEXED.get(entity.name)
    if found is None:
        plain, lowered = set(), set()
        indexes = [list(i.expressions) for i in entity.indexes]
        indexes.append(list(entity.primary_key.columns))
        for exprs in indexes:
            if len(exprs) < 2 or getattr(exprs[0], "name", None) != "app_id":
                continue
            second = exprs[1]
            if isinstance(second, sa.Column):
                plain.add(second.name)
            elif isinstance(second, sa.sql.functions.Function) and second.name == "lower":
                lowered.update(c.name for c in second.clauses if isinstance(c, sa.Column))
        found = _INDEXED[entity.name] = (frozenset(plain), frozenset(lowered))
    return found


def _seeks(r: Resolver, name: str, value) -> bool:
    """Whether the criterion ``name``: ``value`` is an equality (or a list of values) an index answers."""
    if isinstance(value, dict) or (isinstance(value, str) and (
            "%" in value or _OPERATOR.match(value) or value.strip().lower() == "~null~")):
        return False
    if isinstance(value, list) and r.field(name).type is FieldType.STRING and not name.startswith("_"):
        return False  # a list compares the text as it is (``IN``), which the ``lower`` indexes do not hold
    return r.indexed(name)


# --- criteria --------------------------------------------------------------------------------------

class Beyond:
    """A whole-number operand outside the 32-bit range of integer fields: no stored value equals it, every
    stored value is below it (``sign`` +1) or above it (-1). Compared as MySQL compares numbers, without
    sending it to the store (an INTEGER bind parameter would overflow on PostgreSQL)."""

    def __init__(self, sign: int):
        self.sign = sign


def _compare(col, op: str, operand) -> sa.ColumnElement:
    if isinstance(operand, Beyond):
        holds = {"<>": True, ">": operand.sign < 0, ">=": operand.sign < 0, "<": operand.sign > 0,
                 "<=": operand.sign > 0}[op]
        return col.is_not(None) if holds else sa.false()
    return {"<>": col != operand, ">": col > operand, ">=": col >= operand, "<": col < operand,
            "<=": col <= operand}[op]


def criterion(r: Resolver, name: str, value) -> sa.ColumnElement:
    field = r.readable(name)
    col, ftype = field.expr, field.type
    clock = r.s.clock
    where = f"{r.table.name}.{name}"

    if isinstance(value, list):
        if len(value) > MAX_IN:
            raise InvalidParameter(f"Too many values for {where}: at most {MAX_IN}")
        values = [v for v in (_operand(v, ftype, clock, where) for v in value)
                  if v is not None and not isinstance(v, Beyond)]
        return col.in_(values) if values else sa.false()
    if isinstance(value, dict):
        since, before = value.get("since"), value.get("before")
        parts = []
        for op, bound in ((">=", since), ("<", before)):
            if bound is not None:
                operand = _operand(bound, ftype, clock, where)
                parts.append(sa.false() if operand is None else _compare(col, op, operand))
        if not parts:
            raise InvalidParameter(f"Invalid criterion for {where}")
        return sa.and_(*parts)
    if not isinstance(value, str):
        operand = _operand(value, ftype, clock, where)
        return sa.false() if operand is None or isinstance(operand, Beyond) else col == operand

    text = value
    if text.strip().lower() == "~null~":
        return col.is_(None)
    m = _OPERATOR.match(text)
    if m:
        op, rest = m.group(1), m.group(2).strip()
        if op == "<>" and rest.lower() in ("null", "~null~"):
            return col.is_not(None)
        if ftype is FieldType.STRING:
            return _compare(folding.lowered(col, rest), op, rest.lower())
        operand = _operand(rest, ftype, clock, where)
        if operand is None:
            return sa.false() if op != "<>" else col.is_not(None)
        return _compare(col, op, operand)
    if "%" in text:
        if text.strip() == "%":
            return col.is_not(None)
        target = col if ftype is FieldType.STRING else sa.cast(col, sa.String)
        return folding.lowered(target, text).like(text.lower())
    if ftype is FieldType.STRING:
        return folding.ignoring_case(col, text)
    if ftype is FieldType.DATETIME:
        moment = to_local(text, clock)
        if moment is None:
            return sa.false()
        if re.fullmatch(r"\s*\d{4}-?\d{2}-?\d{2}\s*", text):
            start, end = day_range(moment)
            return sa.and_(col >= start, col < end)
        return col == moment
    operand = _operand(text, ftype, clock, where)
    return sa.false() if operand is None or isinstance(operand, Beyond) else col == operand


def _operand(value, ftype: FieldType, clock, where: str):
    """A criterion's value as the field's type; None when it cannot be one (matches nothing); a Beyond for
    a whole number outside the integer range."""
    if ftype is FieldType.STRING:
        return coerce(value, ftype, clock, where)
    try:
        return coerce(value, ftype, clock, where)
    except OutOfRange as exc:
        return Beyond(exc.sign)
    except InvalidParameter:
        return None


# --- reading ---------------------------------------------------------------------------------------

def select_rows(s: AppSession, table: Table, fields: list[str], criteria: dict, *, limit: int | None = None,
                offset: int = 0, order_by: str | None = None, ascending: bool = True,
                extra_where=(), seek: bool = False) -> list[dict]:
    """Rows of ``table`` matching ``criteria``, each a dict of the non-null requested fields. ``seek``:
    ``extra_where`` is an equality an index answers (compile_select)."""
    q, columns = compile_select(s, table, fields, criteria, limit=limit, offset=offset, order_by=order_by,
                                ascending=ascending, extra_where=extra_where, seek=seek)
    return as_records(s.execute(q).all(), columns)


def as_records(rows, columns: list[Resolved]) -> list[dict]:
    """Rows of values in the order of ``columns``, as the wire's records (each field with a value)."""
    names = [c.name for c in columns]
    converters = [outgoing_converter(c.type) for c in columns]
    if not any(converters):
        return [{n: v for n, v in zip(names, row) if v is not None} for row in rows]
    out = []
    for row in rows:
        record = {}
        for name, convert, value in zip(names, converters, row):
            if value is not None:
                record[name] = value if convert is None else convert(value)
        out.append(record)
    return out


def compile_select(s: AppSession, table: Table, fields: list[str], criteria: dict, *, limit: int | None = None,
                   offset: int = 0, order_by: str | None = None, ascending: bool = True,
                   extra_where=(), seek: bool = False) -> tuple[sa.Select, list[Resolved]]:
    """The statement select_rows runs, and the fields its columns hold.

    The order is the requested field, then the key (ascending key alone without one: the real server's
    order, spec §4). When a criterion is an equality on an indexed field (Email, LastName, a custom field),
    that index must find the rows: ordered by the bare key, SQLite without statistics walks the key index
    (or another index giving the order) instead and tests every row. So the order's columns and the kind
    go through ``unindexed`` (the same values, which no index serves), and the few matching rows are
    sorted. (A tag's rows come in key order from the tag's own index.)"""
    r = Resolver(s, table)
    r.prefetch(list(fields) + list(criteria) + ([order_by] if order_by else []))
    columns = [r.readable(name) for name in fields]
    where, lookup = _where(r, criteria, extra_where, seek)
    keys = [unindexed(k) for k in r.key_columns()] if lookup else r.key_columns()
    if order_by:
        order_col = r.readable(order_by).expr
        if lookup:
            order_col = unindexed(order_col)
        ordering = [order_col.asc() if ascending else order_col.desc()]
        ordering += [k.asc() if ascending else k.desc() for k in keys]
    else:
        ordering = [k.asc() for k in keys]
    q = (sa.select(*(c.expr.label(f"c{i}") for i, c in enumerate(columns)))
         .select_from(r.from_clause()).where(*where).order_by(*ordering))
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return q, columns


def _kept_columns(s: AppSession, table: Table, fields: list[str]) -> tuple[Resolver, list[Resolved]] | None:
    """For a statement kept across apps: a resolver whose app is the bind parameter ``app_id``, and the fields'
    columns; None when a field is a custom field (or not a name), whose column depends on the app."""
    if any(not isinstance(f, str) or f.startswith("_") for f in fields):
        return None
    r = Resolver(s, table, app_id=sa.bindparam("app_id"))
    return r, [r.readable(name) for name in fields]


_BY_SHAPE: dict[tuple, tuple[PreparedAll, list[Resolved]]] = {}


def select_rows_among(s: AppSession, table: Table, fields: list[str], shape: str,
                      ids: Callable[[sa.ColumnElement], sa.Select], params: dict) -> list[dict] | None:
    """The rows of ``table`` whose key is among those ``ids(app_id)`` selects (one column, found by its
    indexes; bind parameters for the values, given in ``params``), in key order, as select_rows answers them,
    by the statement ``among`` keeps. None for fields it keeps none for (custom fields): the caller takes
    select_rows."""
    found = among(s, table, fields, shape, ids)
    if found is None:
        return None
    q, columns = found
    return as_records(q.all(s.driver_source, {**params, "app_id": s.app.id}), columns)


def among(s: AppSession, table: Table, fields: list[str], shape: str,
          ids: Callable[[sa.ColumnElement], sa.Select]) -> tuple[PreparedAll, list[Resolved]] | None:
    """select_rows_among's statement and the fields its columns hold, built once per table, ``shape`` (what
    ``ids`` looks for) and list of fields, then run on the driver: the lookup integrations make before every
    write cost ten times its query in SQLAlchemy's expressions. The ids are joined, not tested with ``IN``:
    for a list of ids alone, SQLite's planner would rather walk the app's ``(app, kind, id)`` index, which
    holds them, than look each up."""
    cache_key = (table.name, shape, tuple(fields))
    cached = _BY_SHAPE.get(cache_key)
    if cached is None:
        kept = _kept_columns(s, table, fields)
        if kept is None:
            return None
        r, columns = kept
        key = r.key_columns()[0]
        found = ids(sa.bindparam("app_id")).subquery("found")
        q = (sa.select(*(c.expr.label(f"c{i}") for i, c in enumerate(columns)))
             .select_from(sa.join(found, r.from_clause(), key == found.c[0]))
             .where(*r.base_filters(unindexed_kind=True)).order_by(unindexed(key).asc()))
        if len(_BY_SHAPE) > 1024:
            _BY_SHAPE.clear()
        cached = _BY_SHAPE[cache_key] = (PreparedAll(q), columns)
    return cached


_BY_KEY_CACHE: dict[tuple, tuple[Prepared, list[Resolved]]] = {}


def select_by_key(s: AppSession, table: Table, fields: list[str], key,
                  also: tuple[tuple[str, Callable[[], sa.ColumnElement]], ...] = ()) -> dict | None:
    """One row of ``table`` by its key, as select_rows would give it. The statement for a table and a list
    of standard fields is built once and reused for every app and id (loads are the hottest call).

    ``also``: more values read in the same statement, each ``(name, build)``, ``build()`` making an expression
    over the table (a scalar subquery correlated with it); they are answered under their names, as read, when
    not null. ``also`` is part of the cache key: pass the same module-level tuple on every call."""
    cache_key = (table.name, tuple(fields), also)
    cached = _BY_KEY_CACHE.get(cache_key)
    if cached is None:
        kept = _kept_columns(s, table, fields)
        if kept is None:
            if also:
                raise ValueError("select_by_key: ``also`` is for standard fields only")
            rows = select_rows(s, table, fields, {}, limit=1,
                               extra_where=[Resolver(s, table).key_columns()[0] == key])
            return rows[0] if rows else None
        r, columns = kept
        q = (sa.select(*(c.expr.label(f"c{i}") for i, c in enumerate(columns)),
                       *(build().label(f"a{i}") for i, (_, build) in enumerate(also)))
             .select_from(r.from_clause()).where(*r.base_filters(), r.key_columns()[0] == sa.bindparam("key")))
        if len(_BY_KEY_CACHE) > 1024:
            _BY_KEY_CACHE.clear()
        cached = _BY_KEY_CACHE[cache_key] = (Prepared(q), columns)
    q, columns = cached
    row = q.first(s.source, {"app_id": s.app.id, "key": key})
    if row is None:
        return None
    values = {c.name: outgoing(row[i], c.type) for i, c in enumerate(columns) if row[i] is not None}
    for i, (name, _) in enumerate(also, len(columns)):
        if row[i] is not None:
            values[name] = row[i]
    return values


def _where(r: Resolver, criteria: dict, extra_where, seek: bool = False) -> tuple[list[sa.ColumnElement], bool]:
    """The conditions of a select (the app's rows, the criteria, ``extra_where``), and whether an index
    answers one of the criteria (a lookup, compile_select)."""
    compiled = [criterion(r, k, v) for k, v in criteria.items()]
    for k, v in criteria.items():
        if k.startswith("_") and not (isinstance(v, str) and v.strip().lower() == "~null~"):
            r.require(k)  # (``~null~`` is the one criterion a record without a value meets)
    lookup = r.table.key is not None and (seek or any(_seeks(r, k, v) for k, v in criteria.items()))
    return r.base_filters(unindexed_kind=lookup) + compiled + list(extra_where), lookup


def count_rows(s: AppSession, table: Table, criteria: dict, extra_where=()) -> int:
    r = Resolver(s, table)
    r.prefetch(list(criteria))
    where, _ = _where(r, criteria, extra_where)
    q = sa.select(sa.func.count()).select_from(r.from_clause()).where(*where)
    return int(s.execute(q).scalar_one())


def page_bounds(limit: int, page: int) -> tuple[int, int] | None:
    """``(limit, offset)`` for a zero-based page; None when nothing can be returned. A limit above 1000 is
    clamped (the docs give 1000 as the maximum; the real behaviour above it is unrecorded)."""
    if limit <= 0 or page < 0:
        return None
    limit = min(limit, MAX_LIMIT)
    return limit, page * limit

