"""The database engine, transactions and migrations."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Every transaction here is ended explicitly (commit or rollback), and closing a Connection rolls
        # back one left open, so the pool's own rollback on every check-in is needless work.
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  pool_size=16, max_overflow=32, pool_reset_on_return=None)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writer takes the write lock up front, so two writers queue on busy_timeout instead of one
            # failing with "database is locked" when it upgrades a read transaction. Sent to the driver
            # directly: it runs once per call, and SQLAlchemy's execution path would double its cost.
            conn.connection.driver_connection.execute(
                "BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    return sa.create_engine(url, pool_size=16, max_overflow=32, pool_pre_ping=True, pool_reset_on_return=None)


@contextlib.contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(write=write)
        with conn.begin():
            yield conn


class Transaction:
    """A transaction opened on first use and ended once: what a gate call runs in. ``release`` commits and
    closes it early (before a throttled call is held, so that no lock is kept while it waits); the next
    ``conn`` opens a new one."""

    __slots__ = ("engine", "write", "_conn", "_tx")

    def __init__(self, engine: Engine, *, write: bool):
        self.engine = engine
        self.write = write
        self._conn = None
        self._tx = None

    def conn(self) -> Connection:
        if self._conn is None:
            conn = self.engine.connect()
            try:
                conn.execution_options(write=self.write)
                self._tx = conn.begin()
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def end(self, commit: bool = True) -> None:
        conn, tx = self._conn, self._tx
        if conn is None:
            return
        self._conn = self._tx = None
        try:
            if commit:
                tx.commit()
            else:
                tx.rollback()
        finally:
            conn.close()

    release = end


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with transaction(engine, write=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7262001)")  # one migrator at a time
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
