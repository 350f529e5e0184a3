"""The PostgreSQL pool without pre-ping (server.store.db): a connection the server closed is replaced at
checkout, without a failed call; a reader's connection, used in autocommit, goes back to the pool in transaction
mode, so the next writer's work is still all or nothing. The prepared statements' cursor (server.store.prepared)
is kept with its connection and reads json as text, as SQLite gives it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.store import db
from server.store.prepared import Prepared
from tests.conftest import PG_URL, _fresh_pg_database


@pytest.fixture
def engine():
    if not PG_URL:
        pytest.skip("SANDBOX_TEST_DATABASE_URL is not set")
    url, drop = _fresh_pg_database(PG_URL)
    engine = db.make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n integer)")
    yield engine
    engine.dispose()
    drop()


def read(engine, sql: str):
    tx = db.Transaction(engine, write=False)
    try:
        cursor = tx.driver().cursor()
        cursor.execute(sql)
        return cursor.fetchone()[0]
    finally:
        tx.end()


def backend_pid(engine) -> int:
    return read(engine, "SELECT pg_backend_pid()")


def terminate(engine, pid: int) -> None:
    killer = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar()
        # bounded: the backend is gone once no activity row has its pid
        for _ in range(50):
            if not conn.exec_driver_sql(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}").scalar():
                break
            conn.exec_driver_sql("SELECT pg_sleep(0.1)")
    killer.dispose()


def test_a_connection_the_server_closed_is_replaced_at_checkout(engine):
    before = backend_pid(engine)
    terminate(engine, before)
    after = backend_pid(engine)  # no error: the dead connection was not handed out
    assert after != before


_PID = Prepared(sa.select(sa.func.pg_backend_pid().label("pid")))


def prepared_pid(engine) -> int:
    tx = db.Transaction(engine, write=False)
    try:
        return _PID.first(tx, {}).pid
    finally:
        tx.end()


def test_the_kept_cursor_goes_with_its_connection(engine):
    before = prepared_pid(engine)
    assert prepared_pid(engine) == before  # the same connection, its cursor kept
    terminate(engine, before)
    assert prepared_pid(engine) != before  # a new connection, and a cursor of its own


def test_prepared_statements_read_json_as_text_and_convert_it(engine):
    docs = sa.Table("docs", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("doc", sa.JSON))
    with engine.begin() as conn:
        docs.create(conn)
        conn.execute(docs.insert(), [{"id": 1, "doc": {"a": [1, "b"]}}, {"id": 2, "doc": None}])
    statement = Prepared(sa.select(docs.c.id, docs.c.doc).where(docs.c.id == sa.bindparam("id")))
    tx = db.Transaction(engine, write=False)
    try:
        found = statement.first_raw(tx, {"id": 1})
        hash(found[0])  # the row as the driver gives it can key a cache (server.store.apps.cached_record)
        assert statement.row(tx, found).doc == {"a": [1, "b"]}
        assert statement.first(tx, {"id": 2}).doc is None
        # SQLAlchemy's own statements, on the same connection, still get json parsed by the driver
        assert tx.conn().execute(sa.select(docs.c.doc).where(docs.c.id == 1)).scalar() == {"a": [1, "b"]}
    finally:
        tx.end()


def test_a_readers_connection_goes_back_in_transaction_mode(engine):
    assert read(engine, "SELECT 1") == 1
    tx = db.Transaction(engine, write=True)
    try:
        driver = tx.driver()
        assert driver.autocommit is False
        driver.cursor().execute("INSERT INTO t VALUES (1)")
    finally:
        tx.end(commit=False)  # rolled back: nothing was written
    assert read(engine, "SELECT count(*) FROM t") == 0


def test_a_reader_that_needs_sqlalchemy_gets_a_transaction(engine):
    tx = db.Transaction(engine, write=False)
    try:
        assert tx.driver().autocommit is True  # the driver-only part: no BEGIN, no COMMIT
        conn = tx.conn()
        assert conn.connection.driver_connection.autocommit is False
        conn.exec_driver_sql("SELECT 1")
        assert conn.in_transaction()
    finally:
        tx.end()


def test_a_statement_reads_its_answers_description_once(engine):
    """psycopg builds a Column object for each column every time ``cursor.description`` is read. A statement
    learns its columns' types from its first answer, also when that row is never converted (an app's row whose
    record is already known): the description was read again at every call of such a statement."""
    import psycopg  # noqa: PLC0415  (PostgreSQL's case)

    reads = []

    class Counting(psycopg.Cursor):
        @property
        def description(self):
            reads.append(1)
            return super().description

    statement = Prepared(sa.select(sa.literal_column("n")).select_from(sa.table("t")))
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (7)")
    tx = db.Transaction(engine, write=False)
    try:
        pooled = tx.pooled()
        pooled.info["prepared.cursor"] = Counting(pooled.driver_connection)  # the cursor the statements keep
        rows = [statement.first_raw(tx, {})[0] for _ in range(4)]  # never converted
        assert rows == [(7,)] * 4
        assert reads == [1]  # at the first answer only
    finally:
        tx.end()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_threads_that_first_run_a_statement_at_once_all_convert_its_rows(backend, tmp_path):
    """The first calls of a statement in a new worker often come at once, one per thread: every thread converts
    its row with the processors the statement learnt (a thread that compiled its own copy of the statement,
    overwritten by another thread's, found that one untaught: an app's JSON settings came back as text)."""
    import sys
    import threading

    if backend == "postgresql" and not PG_URL:
        pytest.skip("SANDBOX_TEST_DATABASE_URL is not set")
    if backend == "postgresql":
        url, drop = _fresh_pg_database(PG_URL)
        engine = db.make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    else:
        engine, drop = db.make_engine(f"sqlite:///{tmp_path / 'store.db'}"), (lambda: None)
    docs = sa.Table("docs", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("doc", sa.JSON))
    with engine.begin() as conn:
        docs.create(conn)
        conn.execute(docs.insert(), [{"id": 1, "doc": {"a": 1}}])
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often: within a statement's first compilation too
    try:
        for _ in range(20):  # a new statement each time: its first calls, from 8 threads at once
            statement = Prepared(sa.select(docs.c.id, docs.c.doc).where(docs.c.id == sa.bindparam("id")))
            start, docs_read = threading.Barrier(8), []

            def read(statement=statement, start=start, docs_read=docs_read):
                start.wait()
                tx = db.Transaction(engine, write=False)
                try:
                    docs_read.append(statement.first(tx, {"id": 1}).doc)
                finally:
                    tx.end()

            threads = [threading.Thread(target=read) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert docs_read == [{"a": 1}] * 8
    finally:
        sys.setswitchinterval(interval)
        engine.dispose()
        drop()


def test_calls_one_after_another_on_sqlite_reuse_the_last_calls_connection(tmp_path):
    """SQLite drops a connection's page cache when another connection has written since its last transaction: the
    pool hands out the connection used last (LIFO), so a worker's calls, which run one at a time, keep theirs (a
    ContactService.add read 21 pages from the file a call when the pool went round its connections in turn)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'lifo.db'}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (n integer)")
        opened = [db.Transaction(engine, write=False) for _ in range(3)]
        drivers = [tx.driver() for tx in opened]  # three connections at once, as a worker's threads open them
        for tx in opened:
            tx.end()
        used = []
        for n in range(4):
            tx = db.Transaction(engine, write=True)
            used.append(tx.driver())
            tx.driver().execute("INSERT INTO t VALUES (?)", (n,))
            tx.end()
        assert len(set(map(id, drivers))) == 3
        assert all(u is drivers[-1] for u in used)  # the one given back last, every time
    finally:
        engine.dispose()
