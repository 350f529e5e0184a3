"""The database engine, transactions and migrations."""
from __future__ import annotations

import contextlib
import select
import sqlite3
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from server.call_slot import holding, released
from server.store import folding, revisions, schema

BUSY_TIMEOUT = 30  # seconds a SQLite statement waits for another connection's lock


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Every transaction here is ended explicitly (commit or rollback), and closing a Connection rolls
        # back one left open, so the pool's own rollback on every check-in is needless work. The pool hands out
        # the connection given back last (LIFO): SQLite drops a connection's page cache when another one has
        # written since its last transaction, and a worker's calls run one at a time (server.call_slot), so
        # taking its connections in turn made every call read its pages from the file again (21 reads an add).
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT, "check_same_thread": False},
                                  pool_size=16, max_overflow=32, pool_reset_on_return=None, pool_use_lifo=True)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            # lower() beyond ASCII, for comparisons that must fold "É" (server.store.folding)
            dbapi_conn.create_function(folding.SQLITE_FUNCTION, 1, folding.fold, deterministic=True)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            # 8 MiB of page cache per connection (SQLite's default is 2): a server holding 64 MiB per pooled
            # connection kept each app it served in memory, 375 KiB an app where 8 MiB keeps 184 (issue 18 §8,
            # bench/memory.py); its hot pages (the app rows, a contact's indexes) fit either way.
            cur.execute("PRAGMA cache_size=-8192")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA foreign_keys=OFF")
            # Checkpoint every 10,000 WAL pages (about 40 MiB) instead of 1,000: a write call dirties a few dozen
            # pages, mostly the same hot index pages, which a rarer checkpoint copies (and syncs) once.
            cur.execute("PRAGMA wal_autocheckpoint=10000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writer takes the write lock up front, so two writers queue on busy_timeout instead of one
            # failing with "database is locked" when it upgrades a read transaction. Sent to the driver
            # directly: it runs once per call, and SQLAlchemy's execution path would double its cost.
            driver = conn.connection.driver_connection
            if not driver.in_transaction:  # (a call's Transaction may have begun it on the driver)
                if conn.get_execution_options().get("write"):
                    begin_write(driver)
                else:
                    driver.execute("BEGIN")

        return engine
    # No pool_pre_ping: it costs a round trip (and PostgreSQL CPU) on every checkout. A connection the server
    # closed (a restart, pg_terminate_backend, idle_session_timeout) has its socket readable (the server's
    # last message, or the end of the stream): ``_alive`` sees that without a round trip, and the pool then
    # replaces the connection. pool_recycle retires connections before middleboxes drop idle ones silently;
    # a statement that still meets a dead connection fails once, and SQLAlchemy invalidates the pool's
    # connections from before the disconnect, so the next call gets a fresh one.
    engine = sa.create_engine(url, pool_size=16, max_overflow=32, pool_recycle=1800, pool_reset_on_return=None)
    schema.declare_postgresql()

    @sa.event.listens_for(engine, "checkout")
    def _postgres_checkout(dbapi_conn, _record, _proxy):
        if not _alive(dbapi_conn):
            raise sa.exc.DisconnectionError("the server closed the connection")  # the pool connects anew
        if dbapi_conn.autocommit:  # (never left so by a Transaction; a guard for any other user)
            dbapi_conn.autocommit = False

    return engine


def begin_write(driver) -> None:
    """SQLite's BEGIN IMMEDIATE. A call holding the worker's call slot (server.call_slot) asks for the write lock
    without waiting: the worker's other write calls wait for the slot, not for the lock, so it is free unless a
    writer outside them holds it (the heartbeat, a clock advance, another process). Then the call waits for it
    (up to the busy timeout) without the slot, holding up none of the worker's other calls, and takes the slot
    back once it has the lock."""
    if not holding():
        driver.execute("BEGIN IMMEDIATE")
        return
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        driver.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
    finally:
        driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
    with released():
        driver.execute("BEGIN IMMEDIATE")


def _alive(dbapi_conn) -> bool:
    """Whether a pooled psycopg connection can still be used, asked of the socket alone: an idle connection
    has nothing to read unless the server sent its goodbye (or the stream ended)."""
    if dbapi_conn.closed or dbapi_conn.broken:
        return False
    try:
        fd = dbapi_conn.fileno()
    except Exception:  # noqa: BLE001  (psycopg raises for a connection it knows is gone)
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return not poller.poll(0)


def insert(conn: Connection, table: sa.Table):
    """An INSERT of ``table`` in the connection's dialect, for its ``on_conflict_do_update``. The dialect's
    module is imported here, by the first one: a SQLite server never loads PostgreSQL's (issue 18 §8)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # noqa: PLC0415

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite  # noqa: PLC0415

    return sqlite.insert(table)


@contextlib.contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(write=write)
        with conn.begin():
            yield conn


class Transaction:
    """A call's transaction: opened on first use, ended once. It begins on the driver (``driver()``: the
    statements every call runs, server.store.prepared) and is handed to a SQLAlchemy Connection only when a
    statement needs one (``conn()``), so a call that needs nothing more, a ContactService.load, never pays for
    SQLAlchemy's connection and transaction machinery. ``release`` commits and closes it early (before a
    throttled call is held, so that no lock is kept while it waits); the next use opens a new one."""

    __slots__ = ("engine", "dialect", "write", "_raw", "_conn", "_tx", "_autocommit")

    def __init__(self, engine: Engine, *, write: bool):
        self.engine = engine
        self.dialect = engine.dialect
        self.write = write
        self._raw = None  # the pool's connection, while only the driver is used
        self._autocommit = False  # a PostgreSQL reader's, until a SQLAlchemy statement needs a transaction
        self._conn = None
        self._tx = None

    def driver(self):
        """The driver's connection, in the transaction."""
        return self.pooled().driver_connection

    def pooled(self):
        """The pool's connection (SQLAlchemy's proxy of the driver's, with its ``info``), in the transaction."""
        if self._conn is not None:
            return self._conn.connection
        if self._raw is None:
            raw = self.engine.raw_connection()
            try:
                # psycopg begins on its first statement. On SQLite a writer takes the write lock now; a reader
                # reads in autocommit until a SQLAlchemy statement begins the transaction: what it reads on
                # the driver (the app, a ContactService.load row) needs no snapshot shared with anything.
                # The same on PostgreSQL, where a transaction costs two more round trips (BEGIN, COMMIT).
                if self.dialect.name == "sqlite":
                    if self.write:
                        begin_write(raw.driver_connection)
                elif not self.write:
                    raw.driver_connection.autocommit = self._autocommit = True
            except BaseException:
                raw.close()
                raise
            self._raw = raw
        return self._raw

    def conn(self) -> Connection:
        """The transaction as a SQLAlchemy Connection (taking over the driver's, if it was begun there)."""
        if self._conn is None:
            raw = self._raw
            if self._autocommit:
                self._autocommit = False
                _end_autocommit(raw)
            conn = Connection(self.engine, raw) if raw is not None else self.engine.connect()
            self._raw = None
            try:
                if self.write:  # (a reader's BEGIN needs no option)
                    conn.execution_options(write=True)
                self._tx = conn.begin()
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def end(self, commit: bool = True) -> None:
        conn, tx, raw = self._conn, self._tx, self._raw
        self._conn = self._tx = self._raw = None
        if conn is not None:
            try:
                if commit:
                    tx.commit()
                else:
                    tx.rollback()
            finally:
                conn.close()
        elif raw is not None:
            try:
                if self._autocommit:  # nothing began: nothing to end
                    self._autocommit = False
                    _end_autocommit(raw)
                elif commit:
                    raw.driver_connection.commit()  # (nothing to do, and done at once, if none began)
                else:
                    raw.driver_connection.rollback()
            finally:
                raw.close()

    release = end


def _end_autocommit(raw) -> None:
    """Put a PostgreSQL reader's connection back in transaction mode, for SQLAlchemy and the pool's next user
    (no round trip: psycopg only notes it). One that cannot be is never pooled again."""
    try:
        raw.driver_connection.autocommit = False
    except Exception:
        raw.invalidate()
        raise


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration. Alembic is loaded only when there is one to run: a store
    already migrated (a server's workers, the store migrated before they started) leaves it unloaded
    (server.store.revisions)."""
    with transaction(engine, write=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7262001)")  # one migrator at a time
        if revisions.at_head(conn):
            return
        from alembic import command  # noqa: PLC0415  (10 MiB resident, for a store that needs migrating)
        from alembic.config import Config as AlembicConfig  # noqa: PLC0415

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(revisions.MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def refresh_statistics(engine: Engine) -> None:
    """Gather the planner's statistics, as after a bulk load. The query compiler's statements use their
    indexes without statistics too (server.domain.data.query), but with them the planners also weigh one
    index against another. SQLite samples at most 1,000 rows of each index (``analysis_limit``: a second or
    so at a million contacts, where a full ANALYZE reads every row); PostgreSQL samples on its own."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
