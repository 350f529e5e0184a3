"""The Alembic migrations build exactly the schema the code describes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from server.store import db, revisions, schema


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


def test_the_heads_read_without_alembic_are_alembics():
    cfg = Config()
    cfg.set_main_option("script_location", str(revisions.MIGRATIONS))
    assert revisions.heads() == frozenset(ScriptDirectory.from_config(cfg).get_heads())


def test_a_store_is_at_head_once_upgraded(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    with engine.connect() as conn:
        assert revisions.current(conn) == frozenset()
        assert not revisions.at_head(conn)
    db.upgrade(engine)
    with engine.begin() as conn:
        assert revisions.at_head(conn)
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0016_migration'")
        assert revisions.current(conn) == {"0016_migration"}
        assert not revisions.at_head(conn)


def test_the_partial_indexes_are_partial_on_sqlite_and_postgresql(tmp_path):
    """Their PostgreSQL predicates are declared by a PostgreSQL engine (a SQLite server never loads the dialect)."""
    sqlite = db.make_engine(f"sqlite:///{tmp_path / 'p.db'}").dialect
    postgresql = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none").dialect  # (never connected)
    indexes = {i.name: i for i in schema.enrollment.indexes}
    for name, states in (("ix_enrollment_due", schema.DUE_STATES), ("uq_enrollment_live", schema.LIVE_STATES)):
        for dialect in (sqlite, postgresql):
            ddl = str(sa.schema.CreateIndex(indexes[name]).compile(dialect=dialect))
            assert ddl.endswith(f"WHERE state IN ({', '.join(repr(s) for s in states)})"), ddl


def test_the_migration_counts_keep_their_calls_across_0019(tmp_path):
    """0019 puts the DataService table in legacy_call's key: older counts stay (with no table); going back folds a
    method's counts on its tables into one row again."""
    from alembic import command

    engine = db.make_engine(f"sqlite:///{tmp_path / 'c.db'}")

    def migrate(step, target: str) -> None:
        with engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(revisions.MIGRATIONS))
            cfg.attributes["connection"] = conn
            step(cfg, target)

    columns = "app_id, protocol, method, credential_kind, credential_id"
    migrate(command.upgrade, "0018_user_merge")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO legacy_call ({columns}, calls, first_seen, last_seen) "
                             "VALUES (1, 'xmlrpc', 'DataService.query', 'legacy_key', 'k', 3, 10, 20)")
    migrate(command.upgrade, "0019_call_tables")
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT table_name, calls FROM legacy_call").all() == [("", 3)]
        for table, calls, first, last in (("Invoice", 2, 5, 30), ("Job", 1, 15, 15)):
            conn.exec_driver_sql(f"INSERT INTO legacy_call ({columns}, table_name, calls, first_seen, last_seen) "
                                 f"VALUES (1, 'xmlrpc', 'DataService.query', 'legacy_key', 'k', '{table}', {calls}, "
                                 f"{first}, {last})")
    migrate(command.downgrade, "0018_user_merge")
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT method, calls, first_seen, last_seen FROM legacy_call").all() == [
            ("DataService.query", 6, 5.0, 30.0)]
