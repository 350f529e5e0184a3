"""DataService's operations over any described table: table and field checks, then the entity's writer.

Reads compile through server.domain.data.query. Writes check the table's and each field's access, coerce each
value to its field's type, and hand the result to the writer registered for the table (contacts, tags,
notes … each keep their own rules and events); tables without one get the plain writer below.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.domain.account.users import require_admin
from server.domain.errors import (
    NoFieldAccess,
    NoFieldFound,
    NoFields,
    NoTableAccess,
    NoTableFound,
    RecordNotFound,
    SandboxError,
)
from server.store import schema
from server.store.session import AppSession
from server.tables import REGISTRY, FieldType, Table

from . import custom_fields
from .query import Resolver, count_rows, page_bounds, select_by_key, select_rows
from .values import coerce_field

_ACCESS_WORD = {"A": "add", "E": "edit", "D": "delete", "R": "read"}


def table_named(name: str) -> Table:
    table = REGISTRY.get(name) if isinstance(name, str) else None
    if table is None:
        raise NoTableFound(f"No table found: {name}")
    return table


def require_table(table: Table, letter: str, s: AppSession | None = None) -> None:
    if not table.can(letter):
        raise NoTableAccess(f"No {_ACCESS_WORD[letter]} access to table: {table.name}")
    if s is not None and letter != "R" and table.name in custom_fields.DEFINITION_TABLES:

        require_admin(s, f"DataService.{_WRITE_METHOD[letter]} on {table.name}")


_WRITE_METHOD = {"A": "add", "E": "update", "D": "delete"}


@dataclass
class Values:
    """Checked, coerced values for one write: store columns, and custom fields."""

    columns: dict[str, Any]
    customs: dict[custom_fields.CustomField, Any]
    names: list[str]  # the wire names written, for events


def check_values(s: AppSession, table: Table, data: dict, letter: str, record_id: int | None = None) -> Values:
    """The values of a write (``letter`` A for add, E for edit) checked and coerced. An edit of record
    ``record_id`` may carry read-only fields, which are ignored (``_read_only_ignored``)."""
    r = Resolver(s, table)
    r.prefetch(data)
    columns: dict[str, Any] = {}
    customs: dict[custom_fields.CustomField, Any] = {}
    written = []
    for name, value in data.items():
        if isinstance(name, str) and name.startswith("_"):
            field = r.custom(name)
            customs[field] = custom_fields.coerce_value(field, value, s, table.name)
            written.append(name)
            continue
        described = table.fields.get(name)
        if described is None:
            raise NoFieldFound(f"No field found: {table.name}.{name}")
        if letter not in described.access or described.column is None:
            if letter == "E" and _read_only_ignored(s, table, name, described, value, record_id):
                continue
            raise NoFieldAccess(f"No {_ACCESS_WORD[letter]} access to field: {table.name}.{name}")
        columns[described.column] = coerce_field(value, table.name, name, described.type, s.clock)
        written.append(name)
    return Values(columns, customs, written)


def _read_only_ignored(s: AppSession, table: Table, name: str, described, value, record_id: int | None) -> bool:
    """Old clients save a record by sending back all of it (an ORM-style load, change, save), read-only fields
    included; the real service accepts that and ignores them (issue 15 #9; app option
    ``update_read_only_fields``). The key must still be the record's own: another ``Id`` is refused."""
    if record_id is None or "R" not in described.access or s.app.option("update_read_only_fields") != "ignore":
        return False
    if name == table.key:
        try:
            return coerce_field(value, table.name, name, FieldType.INT, s.clock) == record_id
        except SandboxError:
            return False
    return True


def check_selected(table: Table, fields: list) -> list[str]:
    if not fields:
        raise NoFields("No fields were selected")
    for name in fields:
        if not isinstance(name, str):
            raise NoFieldFound(f"No field found: {table.name}.{name}")
    return fields


# --- writers ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Writer:
    """How DataService adds, updates and deletes rows of ``tables``, where the plain way (``PLAIN``) is not
    enough: the domain's ``install`` adds each to the registry (server.registry), where ``add``, ``update``
    and ``delete`` below find it through the session's environment."""

    tables: tuple[str, ...]
    add: Callable[[AppSession, Table, Values], int]
    update: Callable[[AppSession, Table, int, Values], None]
    delete: Callable[[AppSession, Table, int], None]


def plain_add(s: AppSession, table: Table, values: Values, **payload) -> int:
    """The plain add; ``payload``: more of the ``<entity>.added`` event's (a Writer that needs more, e.g. the
    row's contact, calls the plain writes with it)."""
    entity = schema.ENTITIES[table.entity]
    new_id = s.next_id(table.entity)
    row = dict(values.columns, id=new_id)
    if "kind" in entity.c and table.kind:
        row["kind"] = table.kind
    stamp(s, entity, row, created=True)
    s.insert(entity, row)
    if values.customs:
        custom_fields.write_values(s, new_id, values.customs, new=True)
    s.emit(f"{table.entity}.added", table.entity, new_id, table=table.name, fields=values.names, **payload)
    return new_id


def plain_update(s: AppSession, table: Table, record_id: int, values: Values, **payload) -> None:
    entity = schema.ENTITIES[table.entity]
    row = dict(values.columns)
    stamp(s, entity, row, created=False)
    if row:
        s.update(entity, entity.c.id == record_id, **row)
    if values.customs:
        custom_fields.write_values(s, record_id, values.customs)
    s.emit(f"{table.entity}.updated", table.entity, record_id, table=table.name, fields=values.names, **payload)


def plain_delete(s: AppSession, table: Table, record_id: int, **payload) -> None:
    entity = schema.ENTITIES[table.entity]
    s.delete(entity, entity.c.id == record_id)
    if table.custom_form is not None:
        custom_fields.delete_values(s, record_id, table.custom_form)
    s.emit(f"{table.entity}.deleted", table.entity, record_id, table=table.name, **payload)


PLAIN = Writer((), plain_add, plain_update, plain_delete)


def _writer(s: AppSession, table: Table) -> Writer:
    return s.env.registry.writers.get(table.name, PLAIN)


def stamp(s: AppSession, entity, row: dict, *, created: bool) -> None:
    """Set DateCreated (on add) and LastUpdated, from the app's clock."""
    now = s.now_local()
    if created and "date_created" in entity.c and row.get("date_created") is None:
        row["date_created"] = now
    if "last_updated" in entity.c:
        row["last_updated"] = now


# --- operations ------------------------------------------------------------------------------------

def exists(s: AppSession, table: Table, record_id: int) -> bool:
    entity = schema.ENTITIES[table.entity]
    q = s.select(entity, entity.c.id).where(entity.c.id == record_id)
    if table.kind is not None:
        q = q.where(entity.c.kind == table.kind)
    return s.execute(q).first() is not None


def load(s: AppSession, table_name: str, record_id: int, fields: list) -> dict:
    table = table_named(table_name)
    require_table(table, "R")
    check_selected(table, fields)
    if table.key is None:
        raise NoTableAccess(f"No read access by id to table: {table.name}")
    row = select_by_key(s, table, fields, record_id)
    if row is None:
        if s.app.option("load_missing") == "empty":
            return {}
        raise RecordNotFound(f"Record not found for Id:{record_id}")
    return row


def query(s: AppSession, table_name: str, limit: int, page: int, criteria: dict, fields: list,
          order_by: str | None = None, ascending: bool = True) -> list[dict]:
    table = table_named(table_name)
    require_table(table, "R")
    check_selected(table, fields)
    bounds = page_bounds(limit, page)
    if bounds is None:
        # still check the names, so a typo faults the same way whatever the page
        r = Resolver(s, table)
        r.prefetch(list(fields) + list(criteria))
        for name in list(fields) + list(criteria):
            r.field(name)
        return []
    lim, offset = bounds
    return select_rows(s, table, fields, criteria, limit=lim, offset=offset, order_by=order_by,
                       ascending=ascending)


def count(s: AppSession, table_name: str, criteria: dict) -> int:
    table = table_named(table_name)
    require_table(table, "R")
    return count_rows(s, table, criteria)


def add(s: AppSession, table_name: str, data: dict) -> int:
    table = table_named(table_name)
    require_table(table, "A", s)
    values = check_values(s, table, data, "A")
    return _writer(s, table).add(s, table, values)


def update(s: AppSession, table_name: str, record_id: int, data: dict) -> int:
    table = table_named(table_name)
    require_table(table, "E", s)
    if not data:
        raise NoFields("No fields were supplied to update")
    values = check_values(s, table, data, "E", record_id)
    if table.key is None or not exists(s, table, record_id):
        raise RecordNotFound(f"Unable to perform update. Record not found for Id:{record_id}")
    _writer(s, table).update(s, table, record_id, values)
    return record_id


def delete(s: AppSession, table_name: str, record_id: int) -> bool:
    table = table_named(table_name)
    require_table(table, "D", s)
    if table.key is None or not exists(s, table, record_id):
        return False
    _writer(s, table).delete(s, table, record_id)
    return True
