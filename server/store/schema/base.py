"""What every table of the store shares: the one ``MetaData`` (with its naming convention) and the
derivation of an entity's columns from the DataService table descriptions in server.tables."""
from __future__ import annotations

import sqlalchemy as sa

from server.tables import REGISTRY, FieldType

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
})

_SQL_TYPES = {
    FieldType.INT: sa.Integer,
    FieldType.DOUBLE: sa.Float,
    FieldType.STRING: sa.Text,
    FieldType.DATETIME: sa.DateTime,
    FieldType.BOOLEAN: sa.Boolean,
    FieldType.BLOB: sa.LargeBinary,
}


def _api_columns(entity: str) -> list[sa.Column]:
    """One column per field stored on ``entity`` by any API table, in declaration order."""
    columns: dict[str, sa.Column] = {}
    types: dict[str, FieldType] = {}
    for table in REGISTRY.by_entity(entity):
        for field in table.fields.values():
            if field.column is None or field.column == "id":
                continue
            if field.column in types:
                if types[field.column] is not field.type:
                    raise TypeError(f"{entity}.{field.column}: {table.name}.{field.name} disagrees on its type")
                continue
            types[field.column] = field.type
            columns[field.column] = sa.Column(field.column, _SQL_TYPES[field.type](), nullable=True)
    return list(columns.values())


# Every entity behind a DataService table, by name (what server.tables' descriptions call ``entity``).
ENTITIES: dict[str, sa.Table] = {}


def entity(name: str, *extra, primary_key: tuple[str, ...] = ("app_id", "id")) -> sa.Table:
    """The table of entity ``name``: its app id and key, the columns its DataService tables store, and
    ``extra`` (what the API does not show); registered in ENTITIES."""
    key = [sa.Column("app_id", sa.Integer, nullable=False)]
    if "id" in primary_key:
        key.append(sa.Column("id", sa.Integer, nullable=False, autoincrement=False))
    table = sa.Table(name, metadata, *key, *_api_columns(name), *extra, sa.PrimaryKeyConstraint(*primary_key))
    ENTITIES[name] = table
    return table


# The partial indexes and their predicates, for PostgreSQL's (``declare_postgresql``).
_PARTIAL: list[tuple[sa.Index, sa.ColumnElement]] = []


def partial_index(name: str, *columns: sa.Column, where: sa.ColumnElement, unique: bool = False) -> sa.Index:
    """An index of the rows matching ``where`` alone, on SQLite and on PostgreSQL. Its PostgreSQL predicate is
    declared by ``declare_postgresql``, for a store on PostgreSQL: SQLAlchemy checks a ``postgresql_where``
    against the PostgreSQL dialect, which it imports to do so (2.2 MiB a SQLite server never uses, issue 18
    §8). The migrations create the indexes with their own predicates; the metadata's serve the DDL it compiles
    and Alembic's comparisons."""
    index = sa.Index(name, *columns, unique=unique, sqlite_where=where)
    _PARTIAL.append((index, where))
    return index


def declare_postgresql() -> None:
    """Give each partial index its PostgreSQL predicate (once a process uses PostgreSQL; again is a no-op)."""
    for index, where in _PARTIAL:
        index.dialect_kwargs["postgresql_where"] = where
