"""Lists a page at a time: conditions, one ordering, and keyset paging, for the read models that protocols
page through (REST v2's ``filter``, ``order_by`` and ``page_token``).

A read declares its fields once, as SQL expressions over its select (``Fields``); a ``ListQuery`` names
fields, never columns, so a protocol states what to list and the domain alone writes the SQL. Paging is by
keyset: a page is the rows after the last one seen, in the order ``(field, id)``, where ``id`` is the
record's unique key. A walk with any page size therefore returns each row exactly once, even while rows are
added (they land after the cursor, or before it and are not shown): offsets would skip or repeat rows.
Ordered fields compare through ``coalesce`` with an empty value, so rows without a value sort first
(ascending) and still page by key.
"""
from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from server.store import folding
from server.store.prepared import PreparedAll
from server.store.session import AppSession

T = TypeVar("T")

# The operators a condition may use: the filter grammar's comparisons, a prefix match (a trailing ``*``),
# text anywhere in the value (``contains``), membership (``ids==1,2,3``), "has no value" (``NONE``), one
# item of a comma-joined list (``item``: a multi-select custom field's option) and any of several conditions
# (``any``: ``value`` holds them; ``field`` is unused).
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "prefix", "contains", "in", "none", "item", "any", "all", "none_of")
# a condition whose value is conditions: one of them holds, every one, or none of them (a row whose fields are
# NULL holds none of them, as ``ne`` takes such a row)
GROUPS = ("any", "all", "none_of")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # one of OPS
    value: Any = None


@dataclass(frozen=True)
class ListQuery:
    where: tuple[Condition, ...] = ()
    order: str = "id"
    descending: bool = False
    after: tuple | None = None  # (the ordered field's value, id) of the last row of the previous page
    limit: int = 1000


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_key: tuple | None  # (value, id) of the last item when more rows follow it, else None
    order: str = "id"
    descending: bool = False
    key: str = "id"  # the field that makes the order unique (what a token in key order holds)


@dataclass(frozen=True)
class Fields:
    """A read's fields by name: SQL expressions over its select; ``key`` names the unique one paging ends on.
    ``text`` fields compare without regard to case (the filter's ``name==vip`` finds "VIP")."""

    columns: dict[str, sa.ColumnElement]
    key: str = "id"
    text: frozenset[str] = field(default_factory=frozenset)

    def column(self, name: str) -> sa.ColumnElement:
        try:
            return self.columns[name]
        except KeyError:
            raise KeyError(f"no field {name!r} in this list") from None

    def sort_expression(self, name: str) -> sa.ColumnElement:
        col = self.column(name)
        if name == self.key:
            return col
        if isinstance(col.type, sa.DateTime):
            return sa.func.coalesce(col, sa.literal(datetime(1, 1, 1), sa.DateTime))
        if isinstance(col.type, (sa.Integer, sa.Float, sa.Numeric)):
            # below every value of the column's type (PostgreSQL's INTEGER stops at -2**31)
            small = isinstance(col.type, sa.Integer) and not isinstance(col.type, sa.BigInteger)
            return sa.func.coalesce(col, sa.literal(-(2**31) if small else -(2**62), col.type))
        return sa.func.coalesce(col, sa.literal("", sa.Text))


def condition(fields: Fields, c: Condition, bind: Callable[[Any], Any] = lambda value: value) -> sa.ColumnElement:
    """``c`` as SQL over ``fields``; ``bind`` gives what stands for each value, in the order ``values`` lists
    them (the value itself, or a bind parameter of a statement kept for the query's shape: ``page``)."""
    if c.op == "any":
        return sa.or_(*(condition(fields, one, bind) for one in c.value))
    if c.op == "all":
        return sa.and_(*(condition(fields, one, bind) for one in c.value))
    if c.op == "none_of":  # (a comparison with NULL is unknown, which the coalesce makes false)
        return sa.not_(sa.func.coalesce(sa.or_(*(condition(fields, one, bind) for one in c.value)), sa.false()))
    col = fields.column(c.field)
    if c.op == "item":
        items = sa.func.replace(folding.lowered(sa.literal(",") + col + sa.literal(","), str(c.value)), ", ", ",")
        return items.like(bind(_value(fields, c)), escape="\\")
    if c.op == "none":  # no value: NULL, or the empty text / the 0 id that XML-RPC writes for "none"
        if c.field in fields.text or isinstance(col.type, sa.Text):
            return sa.or_(col.is_(None), col == "")
        if isinstance(col.type, sa.Integer):
            return sa.or_(col.is_(None), col == 0)
        return col.is_(None)
    if c.op in ("prefix", "contains"):
        return folding.lowered(col, str(c.value)).like(bind(_value(fields, c)), escape="\\")
    if c.op == "in":
        return col.in_([bind(v) for v in c.value])
    if _unheld(col, c):  # (built with its value: ``kept_page`` does not keep such a statement)
        return _against_unheld(col, c.op, c.value)
    text = c.field in fields.text and c.op in ("eq", "ne")
    left, value = (folding.lowered(col, str(c.value)) if text else col), bind(_value(fields, c))
    if c.op == "eq":
        return left == value
    if c.op == "ne":
        return sa.or_(left != value, col.is_(None))
    return _COMPARE[c.op](col, value)


def _unheld(col: sa.ColumnElement, c: Condition) -> bool:
    """Whether ``c`` compares an integer column with a number its type cannot hold: a fraction
    (``contact_id<=7.5``) or one past its range (``contact_id<=3000000000`` on a 32-bit column). PostgreSQL reads a
    bound value as the column's type: a fraction rounded (7.5 as 8), one past the range an error."""
    value = c.value
    if type(value) not in (int, float) or c.op not in _UNHELD_OPS or not isinstance(col.type, sa.Integer):
        return False
    low, high = _range(col)
    return not low <= value <= high or (type(value) is float and not value.is_integer())


def _against_unheld(col: sa.ColumnElement, op: str, value: float) -> sa.ColumnElement:
    """``_unheld``'s comparison, exactly and with values the column holds, on both stores: no value of the column
    equals such a number; ``< 7.5`` is ``<= 7``, ``>= 7.5`` is ``>= 8``; past the range, every value or none."""
    if op == "eq":
        return sa.false()
    if op == "ne":
        return sa.true()
    low, high = _range(col)
    value = min(max(value, low - 1), high + 1)  # (an infinity, too)
    if op in ("lt", "le"):  # col <= most
        most = math.ceil(value) - 1 if op == "lt" else math.floor(value)
        return col.is_not(None) if most >= high else sa.false() if most < low else col <= most
    least = math.floor(value) + 1 if op == "gt" else math.ceil(value)
    return col.is_not(None) if least <= low else sa.false() if least > high else col >= least


def _range(col: sa.ColumnElement) -> tuple[int, int]:
    return (-(2**63), 2**63 - 1) if isinstance(col.type, sa.BigInteger) else (-(2**31), 2**31 - 1)


_UNHELD_OPS = ("eq", "ne", "lt", "le", "gt", "ge")


def _has_unheld(fields: Fields, where) -> bool:
    return any(_has_unheld(fields, c.value) if c.op in GROUPS else _unheld(fields.column(c.field), c)
               for c in where)


def values(fields: Fields, c: Condition) -> list:
    """The values ``condition`` binds for ``c``, in its order."""
    if c.op in GROUPS:
        return [v for one in c.value for v in values(fields, one)]
    if c.op == "none":
        return []
    if c.op == "in":
        return list(c.value)
    return [_value(fields, c)]


def _value(fields: Fields, c: Condition):
    """The one value ``condition`` compares with for ``c``: a LIKE pattern, text lower-cased, or as given."""
    if c.op == "item":
        return "%," + escape_like(str(c.value).lower()) + ",%"
    if c.op in ("prefix", "contains"):
        return ("%" if c.op == "contains" else "") + escape_like(str(c.value).lower()) + "%"
    if c.field in fields.text and c.op in ("eq", "ne"):
        return str(c.value).lower()
    return c.value


def shape(c: Condition) -> tuple:
    """What a statement for ``c`` depends on besides its values (``page``'s kept statements)."""
    if c.op in GROUPS:
        return (c.op, tuple(shape(one) for one in c.value))
    if c.op == "in":
        return (c.field, c.op, len(c.value))
    if c.op in ("eq", "ne", "prefix", "contains", "item") and isinstance(c.value, str) and not c.value.isascii():
        return (c.field, c.op, "folded")  # (server.store.folding: not SQLite's lower())
    return (c.field, c.op)


_COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def escape_like(text: str) -> str:
    """``text`` matched as itself in a LIKE pattern whose escape is a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def page(s: AppSession, select: sa.Select, fields: Fields, q: ListQuery,
         item: Callable[[Any], T]) -> Page[T]:
    """One page of ``select`` (already scoped to the app) under ``q``; ``item`` turns a row into the read's
    record. The select must include the ordered field's and the key's columns."""
    rows = s.execute(_statement(select, fields, q)).all()
    return _page(rows, q, fields, item, lambda row: (row._sort, row._key))


# Statements kept by the shape of their query (the fields and operators of its conditions, its order, whether
# it continues a walk, its page size), their values bound at each call and run on the driver
# (server.store.prepared): building and running a list's statement through SQLAlchemy's expressions cost
# several times its query. Bounded: the shapes are the client's to choose.
_KEPT: dict[tuple, PreparedAll] = {}


def kept_page(s: AppSession, name: str, base: Callable[[sa.ColumnElement], sa.Select], fields: Fields,
              q: ListQuery, item: Callable[[Any], T]) -> Page[T]:
    """``page`` by a statement kept for ``name`` (the list: ``base`` and ``fields`` must be the same for every
    call of that name) and the query's shape. ``base(app_id)``: the list's select, scoped to the app whose id
    ``app_id`` stands for. ``item`` reads a row's columns by their keys (the ordering's are the last two)."""
    bound = _bound_values(fields, q)
    if None in bound or _has_unheld(fields, q.where):  # (a value compared with None is ``IS NULL`` when built,
        # ``= NULL`` when bound; a number an integer column cannot hold is built as another comparison)
        return page(s, base(s.app.id), fields, q, item)
    key = (name, tuple(shape(c) for c in q.where), q.order, q.descending, q.after is None, q.limit)
    statement = _KEPT.get(key)
    if statement is None:
        number = itertools.count()
        statement = PreparedAll(_statement(base(sa.bindparam("app_id")), fields, q,
                                           lambda _value: sa.bindparam(f"v{next(number)}")))
        if len(_KEPT) > 512:
            _KEPT.clear()
        _KEPT[key] = statement
    params = {"app_id": s.app.id, **{f"v{i}": v for i, v in enumerate(bound)}}
    rows = statement.all(s.driver_source, params)
    return _page(rows, q, fields, item, lambda row: (row[-2], row[-1]))


def app_rows(table: sa.Table) -> Callable[[sa.ColumnElement], sa.Select]:
    """The ``base`` of ``kept_page`` for a list of the app's rows of ``table``."""
    return functools.partial(_app_rows, table)


def _app_rows(table: sa.Table, app_id) -> sa.Select:
    return sa.select(table).where(table.c.app_id == app_id)


def _bound_values(fields: Fields, q: ListQuery) -> list:
    """The values ``_statement`` binds for ``q``, in its order."""
    out = [v for c in q.where for v in values(fields, c)]
    if q.after is not None:
        value, last_id = q.after
        if q.order != fields.key:
            typed = _typed(fields.column(q.order), value)
            out += [typed, typed]
        out.append(last_id)
    return out


def _statement(select: sa.Select, fields: Fields, q: ListQuery, bind: Callable[[Any], Any] = lambda value: value
               ) -> sa.Select:
    key = fields.column(fields.key)
    ordered = fields.sort_expression(q.order)
    statement = select.where(*(condition(fields, c, bind) for c in q.where))
    if q.after is not None:
        value, last_id = q.after
        if q.order == fields.key:
            statement = statement.where(key < bind(last_id) if q.descending else key > bind(last_id))
        else:
            value = _typed(fields.column(q.order), value)
            after, same = bind(value), bind(value)
            beyond = ordered < after if q.descending else ordered > after
            last = bind(last_id)
            tie = key < last if q.descending else key > last
            statement = statement.where(sa.or_(beyond, sa.and_(ordered == same, tie)))
    direction = sa.desc if q.descending else sa.asc
    order = [direction(ordered)] if q.order == fields.key else [direction(ordered), direction(key)]
    return (statement.add_columns(ordered.label("_sort"), key.label("_key"))
            .order_by(*order).limit(q.limit + 1))


def _page(rows, q: ListQuery, fields: Fields, item: Callable[[Any], T], ordering) -> Page[T]:
    more = len(rows) > q.limit
    rows = rows[:q.limit]
    next_key = None
    if more and rows:
        value, last_id = ordering(rows[-1])
        next_key = (_plain(value), last_id)
    return Page([item(r) for r in rows], next_key, q.order, q.descending, fields.key)


def count(s: AppSession, select: sa.Select, fields: Fields, where: Sequence[Condition]) -> int:
    statement = select.where(*(condition(fields, c) for c in where))
    return s.execute(sa.select(sa.func.count()).select_from(statement.subquery())).scalar_one()


def _typed(col: sa.ColumnElement, value):
    """A keyset value back from its token form (dates travel as ISO text)."""
    if isinstance(col.type, sa.DateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value
