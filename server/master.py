"""The server ``sandbox serve`` runs: gunicorn's threaded workers (``gthread``), through gunicorn's
``BaseApplication``, for one worker (the default) and for ``--workers N`` alike.

Why gunicorn (docs/performance.md, "Choosing the server"): connections kept alive between calls, a pool of
threads per worker, several processes when asked, TLS, and the least CPU per call of the servers measured;
Werkzeug's development server, which ``sandbox serve`` ran before, closes the connection after every answer.
Threaded workers, as wsgi.py explains: a throttled legacy-key call is held in its worker until its token arrives.

This module is gunicorn's master, and so it is kept light: ``sandbox serve`` (server.cli.serving) migrates the
store, seeds the default app and makes the TLS certificate, then replaces its own process with ``main`` here
(``exec``, the same process id), which loads gunicorn and the settings and nothing of the application. Each
worker builds its own application (``create_app``) after the fork, with its own connections and its own heartbeat
(server.jobs), which it stops when it exits (``worker_exit``: the last beat flushes the migration counter). The
master serves nothing, beats nothing, and holds none of the application's memory (issue 18 §8: the serving
processes' memory is the master's and each worker's).

TLS is a second listener (``--tls-port``) beside the plain one: gunicorn's own ``certfile`` would make every
listener TLS, so the worker class below wraps only the connections accepted on the TLS port, with one SSL context
per worker.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import logging
import os
import select
import socket
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from server import logs
from server.call_slot import holding, released
from server.config import Config

THREADS = 8  # per worker: calls served at once (a held legacy-key call occupies one)
KEEPALIVE = 5  # seconds an idle kept-alive connection stays open (gunicorn's default is 2)
NEXT_CALL_WAIT = 0.002  # seconds a thread waits for a kept-alive connection's next call before handing it back
NEXT_CALLS = 100  # calls of one connection a thread serves in a row before handing it back (fairness)


@dataclass(frozen=True)
class TLSListener:
    port: int
    certfile: Path
    keyfile: Path


class SandboxWorker(ThreadWorker):
    """gunicorn's threaded worker, serving TLS on the sandbox's TLS listener only."""

    def init_process(self):
        self.cfg = self.log.cfg = _KeptSettings(self.cfg)
        tls = getattr(self.app, "tls", None)  # SandboxGunicorn's; none under another gunicorn application
        self.tls_cfg = _TLSSettings(self.cfg, tls) if tls is not None else None
        super().init_process()

    def load_wsgi(self):
        super().load_wsgi()
        sandbox = getattr(self.wsgi, "extensions", {}).get("sandbox")  # (none under another gunicorn application)
        slot = getattr(sandbox, "slot", None)
        # the call slot held over the whole of a kept-alive connection's call (``_handle_one``), where it is on and
        # no connection can turn into HTTP/2 (whose thread serves the connection's streams for as long as it lasts)
        self.slot = slot if slot is not None and slot.enabled and "h2" not in self.cfg.http_protocols else None

    def handle(self, conn):
        """gunicorn hands a kept-alive connection back to the worker's poller after each answer, which then hands
        it to a thread again; a client that sends its next call at once (the usual API client) is served in the
        same thread instead, which saves that round trip's CPU."""
        keepalive = self._handle_one(conn)
        for _ in range(NEXT_CALLS):
            if keepalive is not True or not self.alive or conn.is_http2 or not _next_call_ready(conn):
                break
            keepalive = self._handle_one(conn)
        return keepalive

    def _handle_one(self, conn):
        """One call of ``conn``; in turn (``_InTurn``) where the worker has a call slot and the connection is a
        plain HTTP/1 one already set up (its first call, and TLS, are served as gunicorn serves them)."""
        unreader = getattr(conn.parser, "unreader", None)
        if self.slot is None or not conn.initialized or conn.cfg.is_ssl or getattr(unreader, "sock", None) \
                is not conn.sock:
            return super().handle(conn)
        raw = conn.sock
        conn.sock = unreader.sock = _InTurn(raw)
        try:
            with self.slot.held():
                return super().handle(conn)
        finally:
            conn.sock = unreader.sock = raw

    def wait_for_and_dispatch_events(self, timeout):
        """Once shutting down, let the idle kept-alive connections go at once (they carry no call) and wait in
        short steps: gunicorn's graceful shutdown waits for its whole grace period (30 s) in one select, in which
        a kept-alive connection whose client has gone raises no event and is never let go, so ``sandbox serve``
        took 30 s to stop after any call."""
        if not self.alive:
            for conn in self.keepalived_conns:
                conn.timeout = 0
            self.murder_keepalived()
            timeout = min(timeout, 0.5)
        super().wait_for_and_dispatch_events(timeout)

    def enqueue_req(self, conn):
        if self.tls_cfg is not None and conn.server[1] == self.tls_cfg.port:
            conn.cfg = self.tls_cfg  # read when the connection is first set up: wrap it, parse as https
        super().enqueue_req(conn)


class _InTurn:
    """A kept-alive connection's socket while its thread serves a call holding the worker's call slot
    (server.call_slot): gunicorn reading the request, the application, gunicorn writing the answer, one call after
    another in the worker's Python. With the slot taken only around the call's own work, four clients made a
    ``ContactService.load`` cost about 1.4 times its CPU with one client, the threads handing the interpreter's
    lock to each other at every read and write of the sockets (ten context switches a call); taken around the
    whole call, about 1.2 times, and 10% more calls a second (docs/performance.md, "One call at a time on SQLite").

    A read or write that would wait (a slow client's next bytes, a paused reader's full buffer) gives the slot up
    while it waits and takes it back after, so no client can hold the worker's other calls up; one that can be
    done at once is done without a word to the slot. One that cannot be tried without waiting (flags of its own, a
    timeout on the socket) gives the slot up first. Everything else is the socket's own."""

    __slots__ = ("_sock",)

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def recv(self, size: int, flags: int = 0) -> bytes:
        return self._in_turn(self._sock.recv, (size,), flags)

    def recv_into(self, buffer, size: int = 0, flags: int = 0) -> int:
        return self._in_turn(self._sock.recv_into, (buffer, size), flags)

    def send(self, data, flags: int = 0) -> int:
        return self._in_turn(self._sock.send, (data,), flags)

    def _in_turn(self, call, args: tuple, flags: int):
        """``call(*args, flags)``: tried without waiting where it can be, holding the slot; else waited for
        without it."""
        if not holding():
            return call(*args, flags)
        if self._can_try(flags):
            try:
                return call(*args, socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass
        with released():
            return call(*args, flags)

    def sendall(self, data, flags: int = 0) -> None:
        if not holding():
            return self._sock.sendall(data, flags)
        view, sent = memoryview(data).cast("B"), 0
        if self._can_try(flags):
            with contextlib.suppress(BlockingIOError):
                sent = self._sock.send(view, socket.MSG_DONTWAIT)
        if sent < len(view):
            with released():
                self._sock.sendall(view[sent:], flags)
        return None

    def _can_try(self, flags: int) -> bool:
        """Whether a call can be tried without waiting: with no flags of its own, on a socket without a timeout
        (on one with a timeout, as gunicorn sets to drain an unread body, Python waits for the socket before
        the call whatever its flags say)."""
        return not flags and self._sock.gettimeout() is None

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _next_call_ready(conn) -> bool:
    if conn.parser.unreader.buf.getvalue():  # read ahead with the last call (as gunicorn checks it)
        return True
    pending = getattr(conn.sock, "pending", None)  # TLS: decrypted bytes the socket's select cannot see
    if pending is not None and pending():
        return True
    return bool(select.select([conn.sock], [], [], NEXT_CALL_WAIT)[0])


class _KeptSettings:
    """A worker's gunicorn settings, each read once and kept: gunicorn's ``Config`` looks a setting up anew at
    every read (about forty reads a request: the parser's limits and policies, the access log's switches), and a
    worker's settings never change (a reload starts new workers)."""

    def __init__(self, cfg):
        self._cfg = cfg

    def __getattr__(self, name):
        value = getattr(self._cfg, name)
        setattr(self, name, value)  # the next read is a plain attribute's
        return value


def _no_hook(_worker, _req) -> None:
    """gunicorn's ``pre_request`` hook, which by default writes a debug line that ``loglevel`` drops, per call."""


class _TLSSettings:
    """A worker's gunicorn settings as the TLS listener's connections see them: TLS on, one SSL context."""

    is_ssl = True

    def __init__(self, cfg, tls: TLSListener):
        self._cfg = cfg
        self.port = tls.port
        self.certfile, self.keyfile = str(tls.certfile), str(tls.keyfile)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(self.certfile, self.keyfile)

    def ssl_context(self, _conf, _default_factory):
        return self._context

    def __getattr__(self, name):
        return getattr(self._cfg, name)


def worker_exit(_server, worker) -> None:
    """gunicorn's hook as a worker stops (``gunicorn wsgi:app`` uses it too): its heartbeat's last beat, its
    connections closed, then out without the interpreter's teardown of the worker's heap, which takes seconds
    and has nothing left to do. A worker that failed to boot exits as gunicorn says (its status stops the
    master)."""
    app = getattr(worker, "wsgi", None)
    sandbox = getattr(app, "extensions", {}).get("sandbox")
    if sandbox is not None:
        sandbox.heartbeat.stop()
        sandbox.engine.dispose()
    if worker.booted:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def freeze_before_fork(_server, _worker) -> None:
    """gunicorn's hook in the master before it forks a worker: the master's objects are moved out of the garbage
    collector's reach (``gc.freeze``), so the worker's collections do not write to every one of them (the
    collector marks each object it traverses) and copy the pages it shares with the master; those pages stay
    shared instead of each becoming private in both processes (issue 18 §8: the master's private pages, 11.4 MiB,
    came to 9.8). A frozen object is never collected, which costs the master nothing to speak of: it allocates
    next to nothing once it serves."""
    gc.freeze()


class SandboxGunicorn(BaseApplication):
    def __init__(self, config: Config, workers: int, printed: list[str], tls: TLSListener | None):
        self.config = config
        self.tls = tls
        binds = [f"{config.host}:{config.port}"] + ([f"{config.host}:{tls.port}"] if tls else [])
        self.settings = {"bind": binds, "workers": workers, "worker_class": SandboxWorker, "threads": THREADS,
                         "keepalive": KEEPALIVE, "loglevel": "warning",
                         "sendfile": False,  # os.sendfile would bypass TLS on the TLS listener
                         "control_socket_disable": True,  # one path in $HOME for every gunicorn: sandboxes collide
                         "when_ready": lambda _server: print("\n".join(printed), flush=True),
                         "pre_fork": freeze_before_fork, "worker_exit": worker_exit, "pre_request": _no_hook}
        super().__init__()

    def load_config(self):
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):  # in each worker, after the fork: the master never loads the application
        logs.configure(self.config.log_level, self.config.log_format)
        from server.app import create_app  # noqa: PLC0415

        return create_app(self.config)


SETTINGS = "SANDBOX_SERVE_SETTINGS"  # what ``exec_master`` hands the new process (in its environment, not argv: `ps`)


def exec_master(config: Config, workers: int, printed: list[str], tls: TLSListener | None) -> None:
    """Replace this process with gunicorn's master serving ``config`` (never returns)."""
    settings = {"config": {f.name: _plain(getattr(config, f.name)) for f in dataclasses.fields(config)},
                "workers": workers, "printed": printed,
                "tls": None if tls is None else [tls.port, str(tls.certfile), str(tls.keyfile)]}
    root = str(Path(__file__).resolve().parent.parent)  # this checkout's ``server``, whatever the new sys.path
    code = f"import sys; sys.path.insert(0, {root!r}); from server.master import main; main()"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-c", code], {**os.environ, SETTINGS: json.dumps(settings)})


def main() -> None:
    settings = json.loads(os.environ.pop(SETTINGS))
    paths = {f.name for f in dataclasses.fields(Config) if f.type in ("Path", "Path | None")}
    config = Config(**{k: Path(v) if k in paths and v is not None else v for k, v in settings["config"].items()})
    tls = None if settings["tls"] is None else TLSListener(settings["tls"][0], *map(Path, settings["tls"][1:]))
    logs.configure(config.log_level, config.log_format)  # the master's lines (each worker configures its own)
    SandboxGunicorn(config, settings["workers"], settings["printed"], tls).run()


def _plain(value):
    return str(value) if isinstance(value, Path) else value
