"""Text compared ignoring case beyond ASCII, alike on both stores. SQLite's ``lower()`` folds ASCII letters only
("Émile" stays "Émile"), PostgreSQL's every letter (in a database of a UTF-8 locale: README.md). ``folded(col)``
is ``lower()`` on PostgreSQL and, on SQLite, ``sandbox_fold()``, which server.store.db gives every connection:
Python's ``str.lower``. It cannot use an index on ``lower(col)``, so ``ignoring_case`` uses it only for a value
beyond ASCII (an ASCII value equals only text whose letters are ASCII, which SQLite's ``lower()`` folds right)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

SQLITE_FUNCTION = "sandbox_fold"


class folded(GenericFunction):  # noqa: N801  (a SQL function, named as SQLAlchemy's are)
    type = sa.String()
    name = SQLITE_FUNCTION
    inherit_cache = True


@compiles(folded)
def _lower(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _sqlite(element, compiler, **kw):
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


def fold(value):
    """What ``sandbox_fold`` does (a SQLite function of this process's connections)."""
    return value.lower() if isinstance(value, str) else value


def lowered(col, value: str) -> sa.ColumnElement:
    """``col`` lower-cased as it must be to meet ``value.lower()``: ``lower(col)`` for an ASCII value (its
    indexes serve), ``folded(col)`` beyond."""
    return sa.func.lower(col) if value.isascii() else folded(col)


def ignoring_case(col, value: str) -> sa.ColumnElement:
    """``col`` equals ``value`` ignoring case, on both stores."""
    return lowered(col, value) == value.lower()
