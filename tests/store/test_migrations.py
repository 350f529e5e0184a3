"""The Alembic migrations build exactly the schema the code describes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.store import db, schema


@pytest.mark.filterwarnings("ignore:autogenerate skipping")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_match_the_models(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), schema.metadata)
    # expression indexes (lower(email) …) cannot be reflected on SQLite; they are created by the migration
    diff = [d for d in diff if not (d[0] in ("add_index", "remove_index") and any(
        isinstance(e, sa.sql.elements.FunctionElement) or "lower" in str(e) for e in d[1].expressions))]
    assert diff == []
    with engine.connect() as conn:
        names = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list('contact')")}
    assert {"ix_contact_email", "ix_contact_last_name"} <= names
