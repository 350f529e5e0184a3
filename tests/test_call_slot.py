"""server.call_slot: a worker's API calls run one at a time on SQLite, and give their turn up while they wait."""
from __future__ import annotations

import contextlib
import http.client
import io
import socket
import sqlite3
import threading
import time
import xmlrpc.client
from pathlib import Path

import pytest

from server.call_slot import CallSlot, holding, read_ahead, released
from server.master import _InTurn
from tests.faults.conftest import add_fault
from tests.rest.conftest import rest_for
from tests.serving import serve


def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_a_second_call_waits_for_the_first():
    slot, order, inside = CallSlot(True), [], threading.Event()

    def first():
        with slot.held():
            inside.set()
            time.sleep(0.2)
            order.append("first")

    def second():
        inside.wait(5)
        with slot.held():
            order.append("second")

    threads = [_in_thread(first), _in_thread(second)]
    for t in threads:
        t.join(5)
    assert order == ["first", "second"]


def test_a_thread_that_holds_the_slot_may_enter_again_and_lets_it_go_once():
    slot, done = CallSlot(True), []

    def nested():
        with slot.held(), slot.held():
            done.append("nested")

    _in_thread(nested).join(5)
    assert done == ["nested"]  # (it would wait for itself forever if entering again took the lock again)
    _in_thread(lambda: slot.held().__enter__() and done.append("after")).join(5)
    assert done == ["nested", "after"]  # the outer block gave it back: another thread took it (and keeps it)


def test_two_sandboxes_slots_in_one_thread_are_both_taken():
    a, b = CallSlot(True), CallSlot(True)
    with a.held(), b.held():
        took_b = []
        _in_thread(lambda: b._lock.acquire(timeout=0.05) or took_b.append(False)).join(5)
        assert took_b == [False]  # b is held too, not skipped because a was
    assert not a._lock.locked() and not b._lock.locked()


def test_a_waiting_call_gives_its_turn_up_and_takes_it_back():
    slot, inside, ran = CallSlot(True), threading.Event(), []

    def other():
        inside.wait(5)
        with slot.held():
            ran.append("other")

    thread = _in_thread(other)
    with slot.held():
        inside.set()
        with released():
            thread.join(5)  # the other call ran while this one waited
        assert ran == ["other"]
        assert not slot._lock.acquire(timeout=0.05)  # taken back: no other thread may take it now
        blocked = _in_thread(lambda: slot.held().__enter__() and ran.append("third"))
    blocked.join(5)
    assert ran == ["other", "third"]


def test_released_outside_a_call_and_an_off_slot_do_nothing():
    with released():
        pass
    off = CallSlot(False)
    with off.held(), off.held():
        assert not off.enabled


@pytest.mark.parametrize("mode, dialect, redis, enabled", [
    ("auto", "sqlite", False, True), ("auto", "postgresql", False, False), ("auto", "sqlite", True, False),
    ("on", "postgresql", False, True), ("on", "sqlite", True, True), ("off", "sqlite", False, False)])
def test_the_mode(mode, dialect, redis, enabled):
    assert CallSlot.for_store(mode, dialect, redis=redis).enabled is enabled


@pytest.mark.parametrize("variable, redis, enabled", [("", False, True), ("OFF", False, False), ("", True, False)])
def test_the_setting_reaches_the_application(tmp_path, monkeypatch, variable, redis, enabled):
    """SANDBOX_SERIAL_CALLS and SANDBOX_REDIS_URL, read as `sandbox serve` reads them, decide the app's slot."""
    from server.app import create_app
    from server.config import from_env

    monkeypatch.setenv("SANDBOX_SERIAL_CALLS", variable or "auto")
    overrides = {"redis_url": "redis://127.0.0.1:1/0"} if redis else {}  # (never connected to here)
    app = create_app(from_env(data_dir=str(tmp_path), tick_seconds=0, **overrides))
    try:
        assert app.extensions["sandbox"].slot.enabled is enabled
    finally:
        app.extensions["sandbox"].engine.dispose()


def test_a_request_whose_body_is_not_in_memory_runs_without_the_slot():
    slot = CallSlot(True)
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"")}
    with slot.for_request(chunked, 10):
        assert slot._lock.acquire(timeout=1)  # free: a chunked body is read by the call, without the slot
        slot._lock.release()
    with slot.for_request({"CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")}, 10):
        assert not slot._lock.acquire(timeout=0.05)  # held


def test_a_call_held_from_the_start_lets_the_slot_go_when_its_body_is_not_in_memory_or_its_path_never_takes_it():
    slot, seen = CallSlot(True), []
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"")}
    with slot.held(), slot.for_request(chunked, 10):  # held from the start, as server.master holds it
        seen.append(holding())
    with slot.held():
        slot.outside(lambda environ, start_response: seen.append(holding()))({}, None)
    with slot.held(), slot.for_request({"CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")}, 10):
        seen.append(holding())
    assert seen == [False, False, True]
    assert slot._lock.acquire(timeout=1)  # given back once, not twice (a second release would raise)


def _taken_elsewhere(slot: CallSlot) -> bool:
    """Whether another thread can take the slot now (and give it back)."""
    took = []
    _in_thread(lambda: took.append(slot._lock.acquire(timeout=2)) or (took[0] and slot._lock.release())).join(5)
    return took == [True]


def test_a_connection_read_that_would_wait_gives_the_slot_up_while_it_waits():
    slot, (ours, client) = CallSlot(True), socket.socketpair()
    with ours, client:
        turn, got, waiting = _InTurn(ours), [], threading.Event()
        client.sendall(b"ready")

        def serving():
            with slot.held():
                got.append(turn.recv(100))  # there at once: read holding the slot
                got.append(_taken_elsewhere(slot))
                waiting.set()
                got.append(turn.recv(100))  # not there yet: waits without it
                got.append(holding() and not _taken_elsewhere(slot))  # and has it back

        thread = _in_thread(serving)
        assert waiting.wait(5)
        assert _taken_elsewhere(slot)
        client.sendall(b"later")
        thread.join(5)
        assert got == [b"ready", False, b"later", True]


def test_a_connection_read_on_a_socket_with_a_timeout_gives_the_slot_up_first():
    """gunicorn sets a timeout to drain an unread body; Python then waits for the socket before any read, whatever
    its flags: the read cannot be tried without waiting, so the slot is given up before it."""
    slot, (ours, client) = CallSlot(True), socket.socketpair()
    with ours, client:
        ours.settimeout(5)
        got, waiting = [], threading.Event()

        def serving():
            with slot.held():
                waiting.set()
                got.append(_InTurn(ours).recv(100))
                got.append(holding())

        thread = _in_thread(serving)
        assert waiting.wait(5)
        time.sleep(0.1)
        assert _taken_elsewhere(slot)
        client.sendall(b"late")
        thread.join(5)
        assert got == [b"late", True]


def test_a_connection_write_that_would_wait_gives_the_slot_up_while_it_waits():
    slot, (ours, client) = CallSlot(True), socket.socketpair()
    with ours, client:
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        client.settimeout(10)
        answer, done = b"x" * 4_000_000, []

        def serving():
            with slot.held():
                _InTurn(ours).sendall(answer)  # far more than the buffers hold: the reader is paused
                done.append(holding())

        thread = _in_thread(serving)
        time.sleep(0.2)
        assert _taken_elsewhere(slot)  # while it waits for the reader
        received = bytearray()
        while len(received) < len(answer):
            received += client.recv(1 << 20)
        thread.join(5)
        assert bytes(received) == answer and done == [True]


def _echo(conn: http.client.HTTPConnection, text: str) -> str:
    conn.request("POST", "/api/xmlrpc", xmlrpc.client.dumps(("serve-key-123", text), "DataService.echo"))
    return xmlrpc.client.loads(conn.getresponse().read())[0][0]


def _answer(reply, status: bytes = b"200") -> bytes:
    """The body of the next HTTP answer on ``reply`` (a socket's file), whose status it asserts."""
    assert reply.readline().startswith(b"HTTP/1.1 " + status)
    length = None
    for line in iter(reply.readline, b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return reply.read(length)


def _longer_than_a_send_buffer() -> int:
    """Bytes more than a loopback TCP send buffer grows to (net.ipv4.tcp_wmem's most, 4 MiB by default), within
    the server's 10 MiB body limit."""
    try:
        most = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        most = 4 * 1024 * 1024
    return min(max(6_000_000, most + 2_000_000), 9_500_000)


def test_a_slow_or_paused_client_does_not_hold_up_sandbox_serves_other_calls(tmp_path):
    """``sandbox serve`` serves a kept-alive connection's call holding the worker's slot from its first byte
    (server.master): a client that stops halfway through sending a call, or stops reading a long answer, waits
    without it."""
    server = serve(tmp_path, "--api-key", "serve-key-123")
    try:
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # (before connecting: the window it offers)
        slow.settimeout(30)
        slow.connect(("127.0.0.1", server.port))
        other = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        with slow, contextlib.closing(other):
            def call(text: str) -> bytes:
                body = xmlrpc.client.dumps(("serve-key-123", text), "DataService.echo").encode()
                return (f"POST /api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n").encode() + body

            slow.sendall(call("first"))  # its first call: the connection is kept alive after it
            reply = slow.makefile("rb")
            assert b"first" in _answer(reply)
            second = call("half")
            slow.sendall(second[:len(second) // 2])  # and stops halfway
            time.sleep(0.3)
            assert _echo(other, "meanwhile") == "meanwhile"  # (timed out while the slow call held the slot)
            slow.sendall(second[len(second) // 2:])
            assert b"half" in _answer(reply)
            # an answer longer than the server's send buffer and this socket's receive buffer hold together,
            # which it does not read
            long = _longer_than_a_send_buffer()
            slow.sendall(call("y" * long))
            time.sleep(0.5)
            assert _echo(other, "still") == "still"
            assert _answer(reply).count(b"y") == long
            # a body refused unread (413): gunicorn then drains it for up to 5 s, this client sending nothing;
            # the other call is answered meanwhile, while the refused connection is still open, being drained
            slow.sendall(b"POST /crm/rest/v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         b"application/json\r\nContent-Length: 20000000\r\n\r\n")
            assert b"larger than the limit" in _answer(reply, b"413")  # (all of it: nothing more is sent)
            assert _echo(other, "after a refusal") == "after a refusal"
            slow.setblocking(False)
            with pytest.raises(BlockingIOError):  # (it reads b"", the connection closed, once the drain is over)
                slow.recv(1 << 16)
    finally:
        server.stop()


def test_the_worker_serves_a_kept_alive_plain_connections_call_in_turn(monkeypatch):
    """server.master.SandboxWorker: a kept-alive plain HTTP/1 connection's call runs holding the slot, its socket
    the one that gives the slot up to wait (``_InTurn``), the real one put back after; a connection's first call
    and a TLS connection's are served as gunicorn serves them."""
    from gunicorn.workers.gthread import ThreadWorker

    from server.master import SandboxWorker

    seen = []

    def handle(_worker, conn):
        seen.append((holding(), type(conn.sock).__name__, type(conn.parser.unreader.sock).__name__))
        return True

    monkeypatch.setattr(ThreadWorker, "handle", handle)
    worker = object.__new__(SandboxWorker)  # (no gunicorn arbiter: only what _handle_one reads)
    worker.slot = CallSlot(True)
    a, b = socket.socketpair()
    with a, b:
        class Conn:
            def __init__(self, initialized: bool, tls: bool):
                self.sock, self.initialized, self.is_http2 = a, initialized, False
                self.cfg = type("Cfg", (), {"is_ssl": tls})()
                self.parser = type("Parser", (), {"unreader": type("Unreader", (), {"sock": a})()})()

        kept, first, tls = Conn(True, False), Conn(False, False), Conn(True, True)
        for conn in (kept, first, tls):
            assert worker._handle_one(conn) is True
        assert kept.sock is a and kept.parser.unreader.sock is a  # put back
    assert seen == [(True, "_InTurn", "_InTurn"), (False, "socket", "socket"), (False, "socket", "socket")]
    assert worker.slot._lock.acquire(timeout=1)


@pytest.mark.parametrize("environ, ahead", [
    ({}, True),  # no body
    ({"CONTENT_LENGTH": "0"}, True),
    ({"CONTENT_LENGTH": "3"}, True),
    ({"CONTENT_LENGTH": "11"}, False),  # over the limit: the call refuses it, without the slot
    ({"CONTENT_LENGTH": "x"}, False),
    ({"HTTP_TRANSFER_ENCODING": "chunked"}, False),  # read by the call
])
def test_what_is_read_ahead(environ, ahead):
    stream = io.BytesIO(b"abcdef")
    environ = {**environ, "wsgi.input": stream}
    assert read_ahead(environ, 10) is ahead
    if environ.get("CONTENT_LENGTH") == "3":
        assert environ["wsgi.input"] is not stream and environ["wsgi.input"].read() == b"abc"


def test_the_live_servers_slot_follows_its_store(live):
    assert live.sandbox.slot.enabled is (live.backend == "sqlite")


@pytest.mark.store_agnostic  # (the slot is SQLite's)
def test_xmlrpc_and_rest_v2_calls_wait_for_the_slot(app):
    """The transports take the worker's slot: while the test holds it, neither an XML-RPC call nor a REST v2 read
    answers; both do once it is given back."""
    rest = rest_for(app)
    contact = app.call("ContactService.add", {"FirstName": "Waits"})
    url = f"{app.live.url}/crm/rest/v2/contacts/{contact}"
    assert rest.http.get(url, timeout=30).status_code == 200  # (REST v2 is loaded by its first call)
    answered, hold = [], app.live.sandbox.slot.held()
    hold.__enter__()
    try:
        calls = [_in_thread(lambda: answered.append(app.call("DataService.echo", "x"))),
                 _in_thread(lambda: answered.append(rest.http.get(url, timeout=30).status_code))]
        time.sleep(0.5)
        assert answered == []
    finally:
        hold.__exit__(None, None, None)
    for t in calls:
        t.join(10)
    assert sorted(answered, key=str) == [200, "x"]


@pytest.mark.store_agnostic
def test_a_write_waiting_for_sqlites_write_lock_lets_other_calls_through(app):
    """A write call that waits for SQLite's write lock (held here by another connection, as the heartbeat or a
    clock advance would) gives its turn up: a read answers meanwhile, and the write goes through after."""
    contact = app.call("ContactService.add", {"FirstName": "Reader"})
    other = sqlite3.connect(app.live.data_dir / "sandbox.db", timeout=30, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        added = []
        writer = _in_thread(lambda: added.append(app.call("ContactService.add", {"FirstName": "Writer"})))
        time.sleep(0.3)  # the add waits for the lock by now
        started = time.monotonic()
        assert app.call("ContactService.load", contact, ["FirstName"]) == {"FirstName": "Reader"}
        assert time.monotonic() - started < 1.0 and added == []
    finally:
        other.execute("COMMIT")
        other.close()
    writer.join(10)
    assert len(added) == 1 and app.call("ContactService.load", added[0], ["FirstName"]) == {"FirstName": "Writer"}


@pytest.mark.store_agnostic
def test_a_delayed_call_lets_other_calls_through(app):
    """An injected latency gives the call's turn up: a call made meanwhile answers before the delayed one."""
    add_fault(app, match={"method": "DataService.echo"}, action={"type": "latency", "ms": 1500})
    answered = []
    slow = _in_thread(lambda: answered.append(app.call("DataService.echo", "slow")))
    time.sleep(0.3)  # the slow call is waiting by now
    started = time.monotonic()
    assert app.call("ContactService.add", {"FirstName": "Meanwhile"}) > 0
    assert time.monotonic() - started < 1.0 and answered == []
    slow.join(10)
    assert answered == ["slow"]


@pytest.mark.store_agnostic
def test_a_delayed_rest_v2_call_lets_other_calls_through(app):
    """The same for REST v2, which runs in the slot too: a v2 read delayed by a rule, an XML-RPC call meanwhile."""
    rest = rest_for(app)
    contact = app.call("ContactService.add", {"FirstName": "Both"})
    url = f"{app.live.url}/crm/rest/v2/contacts/{contact}"
    assert rest.http.get(url, timeout=30).status_code == 200  # (REST v2 is loaded by its first call)
    add_fault(app, match={"method": "GET /crm/rest/v2/contacts/*"}, action={"type": "latency", "ms": 1500})
    answered = []
    began = time.monotonic()
    slow = _in_thread(lambda: answered.append(rest.http.get(url, timeout=30).json()["given_name"]))
    time.sleep(0.3)
    started = time.monotonic()
    assert app.call("DataService.echo", "meanwhile") == "meanwhile"
    assert time.monotonic() - started < 1.0 and answered == []
    slow.join(10)
    assert answered == ["Both"] and time.monotonic() - began >= 1.5


@pytest.mark.parametrize("on, protocols, sandbox_app, in_turn", [
    (True, ["h1"], True, True),
    (False, ["h1"], True, False),  # the slot off (PostgreSQL, Redis, SANDBOX_SERIAL_CALLS=off)
    (True, ["h2", "h1"], True, False),  # a connection could turn into HTTP/2, whose thread keeps it
    (True, ["h1"], False, False),  # another application under the worker (the benches' no-op one)
])
def test_the_worker_serves_in_turn_only_where_it_can(on, protocols, sandbox_app, in_turn):
    """SandboxWorker.load_wsgi: the slot it serves kept-alive calls holding is its application's, when that slot
    is on and no connection can become an HTTP/2 one."""
    from gunicorn.config import Config as GunicornConfig

    from server.master import SandboxWorker

    slot = CallSlot(on)
    application = type("App", (), {"extensions": {"sandbox": type("Sandbox", (), {"slot": slot})()}})() \
        if sandbox_app else (lambda environ, start_response: [])
    worker = object.__new__(SandboxWorker)  # (no gunicorn arbiter: only what load_wsgi reads)
    worker.app = type("Loader", (), {"wsgi": lambda _self: application})()
    worker.cfg = GunicornConfig()
    worker.cfg.set("http_protocols", ",".join(protocols))
    worker.load_wsgi()
    assert worker.wsgi is application
    assert (worker.slot is slot) if in_turn else worker.slot is None
