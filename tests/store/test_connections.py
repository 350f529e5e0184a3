"""The PostgreSQL pool without pre-ping (server.store.db): a connection the server closed is replaced at
checkout, without a failed call; a reader's connection, used in autocommit, goes back to the pool in transaction
mode, so the next writer's work is still all or nothing. The prepared statements' cursor (server.store.prepared)
is kept with its connection and reads json as text, as SQLite gives it."""
from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from server.store import db
from server.store.prepared import Prepared, PreparedAll, PreparedWrite
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
    record is already known): the description was read again at every call of such a statement. (A writer's
    statements go through the cursor; a reader's run on libpq, where the types come with the result.)"""
    import psycopg  # noqa: PLC0415  (PostgreSQL's case)

    reads = []

    class Counting(psycopg.RawCursor):
        @property
        def description(self):
            reads.append(1)
            return super().description

    statement = Prepared(sa.select(sa.literal_column("n")).select_from(sa.table("t")))
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (7)")
    rows = []
    for _ in range(4):
        tx = db.Transaction(engine, write=True)
        try:
            pooled = tx.pooled()
            if not isinstance(pooled.info.get("prepared.cursor"), Counting):
                pooled.info["prepared.cursor"] = Counting(pooled.driver_connection)  # the cursor statements keep
            rows.append(statement.first_raw(tx, {})[0])  # never converted
        finally:
            tx.end()
    assert rows == [(7,)] * 4
    assert reads == [1]  # at the first answer only


KINDS = sa.Table("kinds", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String),
                 sa.Column("at", sa.DateTime(timezone=True)), sa.Column("naive", sa.DateTime),
                 sa.Column("flag", sa.Boolean), sa.Column("amount", sa.Numeric(10, 2)), sa.Column("doc", sa.JSON),
                 sa.Column("day", sa.Date))
_KIND = Prepared(sa.select(KINDS).where(KINDS.c.id == sa.bindparam("id")))
_KINDS_AFTER = PreparedAll(sa.select(KINDS).where(KINDS.c.at >= sa.bindparam("at"), KINDS.c.name != sa.bindparam("not"))
                           .order_by(KINDS.c.id))
_RENAME = PreparedWrite(KINDS.update().where(KINDS.c.flag == sa.bindparam("b_flag"))
                        .values(name=sa.bindparam("b_name")))
_ADD = PreparedWrite(KINDS.insert().values(id=sa.bindparam("b_id"), name=sa.bindparam("b_name")).returning(KINDS.c.id))
RUNS = 7  # more than a statement's runs before it is prepared on a connection (_Direct.PREPARE_AFTER)


@pytest.fixture
def kinds(engine):
    at = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    with engine.begin() as conn:
        KINDS.create(conn)
        conn.execute(KINDS.insert(), [
            {"id": 1, "name": "één", "at": at, "naive": datetime(2026, 12, 5, 10, 30), "flag": True,
             "amount": Decimal("12.50"), "doc": {"a": [1, "b"]}, "day": date(2026, 12, 5)},
            {"id": 2, "name": "two", "at": at, "naive": None, "flag": True, "amount": None, "doc": None, "day": None},
            {"id": 3, "name": None, "at": None, "naive": None, "flag": False, "amount": Decimal("0"), "doc": [],
             "day": None}])
    return engine


def _direct_of(tx):
    return tx.pooled().info.get("prepared.direct")


def test_a_readers_statements_run_on_libpq_and_answer_as_sqlalchemy_does(kinds):
    """A reader in autocommit runs its statements on libpq (server.store.prepared._Direct): unprepared at first,
    prepared from their fifth run on the connection; each row is what SQLAlchemy's own execution answers."""
    since = datetime(2026, 12, 5, 11, 30, tzinfo=timezone(timedelta(hours=2)))  # 09:30 UTC
    with kinds.connect() as conn:
        expected = {i: tuple(conn.execute(sa.select(KINDS).where(KINDS.c.id == i)).one()) for i in (1, 2, 3)}
        after = [tuple(r) for r in conn.execute(sa.select(KINDS).where(KINDS.c.at >= since, KINDS.c.name != "x")
                                                .order_by(KINDS.c.id))]
    assert after == [expected[1], expected[2]]
    for _ in range(RUNS):
        tx = db.Transaction(kinds, write=False)
        try:
            assert {i: tuple(_KIND.first(tx, {"id": i})) for i in (1, 2, 3)} == expected
            assert _KIND.first(tx, {"id": 99}) is None
            assert [tuple(r) for r in _KINDS_AFTER.all(tx, {"at": since, "not": "x"})] == after
            assert _KINDS_AFTER.all(tx, {"at": datetime(2027, 1, 1, tzinfo=UTC), "not": "x"}) == []
            assert tx.pooled().info["prepared.cursor"].pgresult is None  # psycopg's cursor ran nothing
            assert _direct_of(tx).transformer.pgresult is None  # no answer kept with the connection
        finally:
            tx.end()
    tx = db.Transaction(kinds, write=False)
    try:
        prepared = {sql for sql, _ in _direct_of(tx).prepared}
        assert prepared == {_KIND._compiled(tx).sql_bytes, _KINDS_AFTER._compiled(tx).sql_bytes}
        named = {row[0] for row in tx.driver().execute("SELECT name FROM pg_prepared_statements").fetchall()}
        assert {name.decode() for name in _direct_of(tx).prepared.values()} <= named  # prepared there under those names
    finally:
        tx.end()


# Parameters psycopg's cursor sends typed (a float, a bool, an aware datetime against a naive column, None): the
# server must read each as it did, prepared or not. (A first version prepared without types: the server took
# each parameter as its column's type, and ``id = 1.5``, which the REST v2 filters send, failed.)
PROBES = [
    (sa.select(KINDS.c.id).where(KINDS.c.id == sa.bindparam("v")), [5.0, 1.0, 1.5, 2, 3_000_000_000, None]),
    (sa.select(KINDS.c.id).where(KINDS.c.id <= sa.bindparam("v")).order_by(KINDS.c.id), [2.5, 1]),
    (sa.select(KINDS.c.id).where(KINDS.c.naive == sa.bindparam("v")), [
        datetime(2026, 12, 5, 10, 30), datetime(2026, 12, 5, 12, 30, tzinfo=timezone(timedelta(hours=2)))]),
    (sa.select(KINDS.c.id).where(KINDS.c.flag == sa.bindparam("v")).order_by(KINDS.c.id), [True, False]),
    (sa.select(KINDS.c.id).where(KINDS.c.name == sa.bindparam("v")), ["één", "two", 2]),
    (sa.select(KINDS.c.id).where(KINDS.c.amount == sa.bindparam("v")), [Decimal("12.5"), 12.5, 0]),
]


@pytest.mark.parametrize("statement,values", PROBES)
def test_a_parameter_reads_as_through_psycopgs_cursor(kinds, statement, values):
    import psycopg  # noqa: PLC0415

    probe = PreparedAll(statement)

    def answer(write: bool, value):
        tx = db.Transaction(kinds, write=write)  # a writer's statements go through psycopg's cursor
        try:
            return [tuple(r) for r in probe.all(tx, {"v": value})]
        except psycopg.Error as error:
            return type(error)
        finally:
            tx.end(commit=False)

    for value in values:
        expected = answer(True, value)
        assert [answer(False, value) for _ in range(RUNS)] == [expected] * RUNS, value  # unprepared, then prepared


def test_a_connection_keeps_at_most_a_hundred_statements_prepared(kinds):
    """Statements built for a query's shape come and go: one is prepared on a connection only once it has run
    there a few times (psycopg's rule: a statement run once costs no PREPARE), and a connection keeps the most
    recently run hundred prepared, and closes the others on the server."""
    shapes = [PreparedAll(sa.select(KINDS.c.id.label(f"id{n}")).where(KINDS.c.id == sa.bindparam("id")))
              for n in range(130)]
    tx = db.Transaction(kinds, write=False)
    try:
        for shape in shapes:
            for _ in range(RUNS):
                assert shape.all(tx, {"id": 2}) == [(2,)]
        direct = _direct_of(tx)
        assert len(direct.prepared) == 100
        ours = tx.driver().execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'sandbox%'")
        assert ours.fetchone()[0] == 100
        assert shapes[-1].all(tx, {"id": 2}) == [(2,)] and shapes[0].all(tx, {"id": 2}) == [(2,)]  # closed: run again
        once = PreparedAll(sa.select(KINDS.c.id.label("once")).where(KINDS.c.id == sa.bindparam("id")))
        assert once.all(tx, {"id": 2}) == [(2,)]
        assert once._compiled(tx).sql_bytes not in {sql for sql, _ in direct.prepared}  # run once: not prepared
    finally:
        tx.end()


def test_a_writers_statements_go_through_psycopg_and_a_rollback_leaves_readers_answering(kinds):
    """In a transaction the statements go through psycopg's cursor, which begins it: a rollback undoes them.
    psycopg's rollback also drops every statement prepared on the connection (``DEALLOCATE ALL``, once it has
    prepared its own), those a reader prepared on libpq too: the reader's next call prepares them again."""
    for commit in (False, True):
        tx = db.Transaction(kinds, write=False)
        try:
            for _ in range(RUNS):
                assert _KIND.first(tx, {"id": 2}).name == "two"  # prepared on libpq
        finally:
            tx.end()
        tx = db.Transaction(kinds, write=True)
        try:
            for _ in range(6):  # psycopg prepares a statement at its fifth run: it has one of its own to drop
                tx.conn().execute(sa.select(KINDS.c.id).where(KINDS.c.id == 1)).scalar()
            cursor = tx.pooled().info["prepared.cursor"]
            assert _ADD.returned(tx, {"b_id": 10, "b_name": "ten"}) == 10
            assert _RENAME.run(tx, {"b_flag": True, "b_name": "renamed"}) == 2  # the rows it changed
            assert _ADD.returned(tx, {"b_id": 11, "b_name": None}) == 11
            ran = cursor.pgresult
            assert _KIND.first(tx, {"id": 1}).name == "renamed"  # in the transaction, through the cursor
            assert cursor.pgresult is not ran
        finally:
            tx.end(commit=commit)
        tx = db.Transaction(kinds, write=False)
        try:
            names = {i: _KIND.first(tx, {"id": i}) for i in (1, 2, 3, 10, 11)}
            assert {i: row and row.name for i, row in names.items()} == (
                {1: "renamed", 2: "renamed", 3: None, 10: "ten", 11: None} if commit
                else {1: "één", 2: "two", 3: None, 10: None, 11: None})
        finally:
            tx.end()


def test_an_error_on_libpq_is_psycopgs_and_the_connection_goes_on(kinds):
    """A statement the server refuses raises psycopg's own error, as through its cursor; in a reader, in
    autocommit, nothing is left aborted and the next statement answers. A connection lost during a call raises
    psycopg's OperationalError, and the next call gets a new connection."""
    import psycopg  # noqa: PLC0415

    tx = db.Transaction(kinds, write=False)
    try:
        for _ in range(RUNS):
            assert _KIND.first(tx, {"id": 1}).name == "één"
            with pytest.raises(psycopg.errors.InvalidTextRepresentation, match="integer"):
                _KIND.first(tx, {"id": "one"})  # on libpq
            assert tx.driver().pgconn.transaction_status == 0  # idle: nothing aborted
        pid = tx.driver().info.backend_pid
        terminate(kinds, pid)
        with pytest.raises(psycopg.OperationalError):
            _KIND.first(tx, {"id": 1})
    finally:
        with contextlib.suppress(psycopg.OperationalError):  # (ending it finds the connection lost too)
            tx.end()
    tx = db.Transaction(kinds, write=False)
    try:
        assert tx.driver().info.backend_pid != pid
        assert _KIND.first(tx, {"id": 1}).name == "één"
    finally:
        tx.end()


def test_statements_dropped_on_the_server_are_prepared_again(kinds):
    """``DEALLOCATE ALL`` (psycopg's after a rollback, or a pooler's ``DISCARD ALL``) drops the connection's
    prepared statements: each is prepared again at its next call, and the others stay known (a first version
    forgot every statement when one was missing, and then failed to prepare again one still there)."""
    after = {"at": datetime(2026, 1, 1, tzinfo=UTC), "not": "x"}
    tx = db.Transaction(kinds, write=False)
    try:
        for _ in range(2):
            for _ in range(RUNS):
                assert _KIND.first(tx, {"id": 2}).name == "two"
                assert len(_KINDS_AFTER.all(tx, after)) == 2
            assert len(_direct_of(tx).prepared) == 2
            tx.driver().pgconn.exec_(b"DEALLOCATE ALL")
            assert _KIND.first(tx, {"id": 2}).name == "two"  # prepared again
            assert len(_KINDS_AFTER.all(tx, after)) == 2  # this one too
            assert _KIND.first(tx, {"id": 1}).name == "één"  # and the first is still known
        _direct_of(tx).prepared.clear()  # (forgotten here, still prepared there: prepared again quietly)
        for _ in range(RUNS):
            assert _KIND.first(tx, {"id": 2}).name == "two"
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
