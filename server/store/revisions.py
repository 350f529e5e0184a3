"""Which migration the store's schema is at, and whether that is this code's newest, told without Alembic.

Alembic (with Mako and Pygments, which it loads: some 10 MiB resident) is needed only to change the schema
(server.store.db.upgrade); a serving process whose store is already migrated never loads it (issue 18 §8). The
newest migrations (the heads) are read from the migration files' ``revision`` and ``down_revision`` lines, as
Alembic reads them (tests/store/test_migrations.py checks both agree); the store's own from Alembic's table,
``alembic_version``, with plain SQL.
"""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@functools.cache
def heads() -> frozenset[str]:
    """This code's newest migrations: the revisions no other migration revises."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_ASSIGNED.findall(path.read_text()))
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found["down_revision"])
        revised.update((down,) if isinstance(down, str) else down or ())
    return frozenset(revisions - revised)


def current(conn: Connection) -> frozenset[str]:
    """The store's revisions (none for a store never migrated)."""
    if not conn.dialect.has_table(conn, "alembic_version"):
        return frozenset()
    return frozenset(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def at_head(conn: Connection) -> bool:
    """Whether the store's schema is at this code's newest migrations (what ``upgrade`` brings it to)."""
    return current(conn) == heads()
