"""One API call at a time in a worker's Python, on the embedded SQLite store (issue 18 §3).

A worker serves calls on several threads (server.master), which share one interpreter lock. A call on SQLite
gives that lock up around every statement and takes it back after: with other calls running, each statement
becomes a hand-off between threads (a wake-up, a context switch, the caches of another call), and four clients
made a ``ContactService.load`` cost about 1.5 times its CPU with one client. SQLite runs one writer at a time
anyway, and its statements take microseconds, so running the API calls of a worker one after another loses
nothing and saves those hand-offs: the XML-RPC endpoints and REST v2 run a call's work (after its body is read,
before its answer is written) holding the worker's ``CallSlot``.

Under ``sandbox serve`` (server.master) a kept-alive connection's call holds the slot from its first byte to its
answer's last: gunicorn's reading and writing of it are Python too, and with them outside the slot the threads
still handed the interpreter's lock to each other some ten times a call; inside it, under four. A read or write of
that connection that would wait gives the slot up while it waits, and a path that never takes it lets it go
(``leave``, ``outside``) before its work.

A call gives the slot up while it waits for time to pass: a legacy-key call held by the throttle, an injected
latency (``released``). So does a write call while it waits for SQLite's write lock, which another writer may
hold (the heartbeat, a clock advance, another process: server.store.db ``begin_write``; the worker's own write
calls wait for the slot instead); with the lock it takes the slot back. PostgreSQL and Redis answer over a
socket, which another call could use while one waits: with either there is no slot by default (``auto``), nor
where ``SANDBOX_SERIAL_CALLS=off``. Other paths (the control API, REST v1, OAuth, the inspector) never take it.
"""
from __future__ import annotations

import io
import threading

MODES = ("auto", "on", "off")

_holding = threading.local()  # .lock: the lock of the CallSlot this thread holds, if any


class CallSlot:
    """A worker's slot: ``with slot.held():`` runs the block holding it (at once if the slot is off, or if this
    thread holds it already)."""

    __slots__ = ("_lock",)

    def __init__(self, enabled: bool):
        self._lock = threading.Lock() if enabled else None

    @classmethod
    def for_store(cls, mode: str, dialect: str, redis: bool = False) -> CallSlot:
        """On when asked, or by default on SQLite with the throttle's state in the process (``auto``)."""
        return cls(mode == "on" or (mode == "auto" and dialect == "sqlite" and not redis))

    @property
    def enabled(self) -> bool:
        return self._lock is not None

    def held(self) -> _Held:
        return _Held(self._lock)

    def for_request(self, environ, body_limit: int) -> _Held:
        """The slot held for one API call (``with``): once its body is in memory (``read_ahead``), else not at
        all (a chunked body, or one over the limit, is read by the call itself)."""
        lock = self._lock
        if lock is None:
            return _Held(None)
        if not read_ahead(environ, body_limit):
            self.leave()
            return _Held(None)
        return _Held(lock)

    def leave(self) -> None:
        """Give the slot up for the rest of this request, if this thread holds it: under ``sandbox serve`` a
        kept-alive connection's call is served holding it from the start (server.master), and a path that
        runs without it (``outside``) lets it go before its work."""
        lock = self._lock
        if lock is not None and getattr(_holding, "lock", None) is lock:
            _holding.lock = None
            lock.release()

    def outside(self, app):
        """``app`` (a WSGI application) run without the slot: the paths that never take it."""
        def without_slot(environ, start_response):
            self.leave()
            return app(environ, start_response)

        return without_slot


class _Held:
    __slots__ = ("_lock", "_took", "_outer")

    def __init__(self, lock: threading.Lock | None):
        self._lock = lock
        self._took = False

    def __enter__(self):
        lock = self._lock
        if lock is not None:
            outer = getattr(_holding, "lock", None)
            if outer is not lock:  # (another sandbox's slot, in a process serving two: kept, and given back after)
                lock.acquire()
                self._outer, _holding.lock, self._took = outer, lock, True
        return self

    def __exit__(self, *_exc):
        if self._took:
            if getattr(_holding, "lock", None) is self._lock:  # (not given up for the rest of the request)
                self._lock.release()
            _holding.lock = self._outer


def holding() -> bool:
    """Whether this thread holds a slot."""
    return getattr(_holding, "lock", None) is not None


class released:  # noqa: N801  (used as ``with released():``, like a function)
    """Give up the slot this thread holds (if any) for the block: a call about to wait for time to pass."""

    __slots__ = ("_lock",)

    def __enter__(self):
        lock = self._lock = getattr(_holding, "lock", None)
        if lock is not None:
            _holding.lock = None
            lock.release()
        return self

    def __exit__(self, *_exc):
        lock = self._lock
        if lock is not None:
            lock.acquire()
            _holding.lock = lock


def read_ahead(environ, limit: int) -> bool:
    """Read the request's body into memory if its length is declared and within ``limit`` (or it has none), so
    that no call's turn is spent waiting for a slow client; whether it is now in memory. A chunked body (which
    the outermost layer reads only for REST, server.body_limit) or one over the limit is read by the call, which
    then runs without the slot."""
    declared = environ.get("CONTENT_LENGTH")
    if not declared:
        return "HTTP_TRANSFER_ENCODING" not in environ
    try:
        length = int(declared)
    except ValueError:
        return False
    if not 0 <= length <= limit:
        return False
    if length:
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
    return True
