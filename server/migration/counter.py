"""The migration report's persistent counter (issue 19 §2): every XML-RPC call and every legacy-key REST call
an app receives, counted per (method, credential) with first and last seen, outliving the journal's ring; a call of
a DataService method that names a table (query, load, add …: declared ``table=True``, server.services.data) is
counted per table too, so that the report says which tables an integration still reads and writes.

Counting costs the call a tuple and a dict update under a lock (gunicorn's workers are threaded: ``+=`` on a count
is not atomic, and a flush swaps the dict), never a database write; a REST path's shape is built once per path
(cached). Counts gather in this process and the heartbeat (server.jobs.Heartbeat, ``tick``) adds them to the store
(server.store.legacy_calls, additive upserts, so several workers add up) every ``FLUSH_SECONDS`` when there are
any; so does reading the report (``flush``) and stopping the heartbeat. Counts of a process killed between two
flushes are lost, at most ``FLUSH_SECONDS`` of them; with no heartbeat (SANDBOX_TICK_SECONDS=0) only reading the
report flushes.

A REST path is counted by its shape (ids as ``{id}``), so that one route is one row; a path the API does not
serve (404) and an XML-RPC method that is not served are not counted (no row per typo or per scanner's guess). For
the same reason a table is recorded only when it is one DataService serves (server.tables): a call naming another
is counted for its method with no table.
"""
from __future__ import annotations

import functools
import logging
import re
import threading

from server.clock import monotonic
from server.store import legacy_calls
from server.store.db import transaction
from server.tables import REGISTRY

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f-]{27}$")


@functools.lru_cache(maxsize=4096)  # a client calls the same few paths again and again
def rest_shape(method_and_path: str) -> str:
    """``GET /crm/rest/v1/contacts/12/tags`` as ``GET /crm/rest/v1/contacts/{id}/tags``."""
    verb, _, path = method_and_path.partition(" ")
    parts = ["{id}" if p.isdecimal() or (len(p) == 36 and _UUID.match(p)) else p for p in path.split("/")]
    return f"{verb} {'/'.join(parts)}"[:200]


class CallCounter:
    def __init__(self, engine, served: set[str], flush_seconds: float = FLUSH_SECONDS,
                 tabled: frozenset[str] = frozenset()):
        self.engine = engine
        self.served = served  # the XML-RPC methods served: only these are counted
        self.tabled = tabled  # those whose first argument names a DataService table: counted per table too
        self._tables = REGISTRY.tables
        self.flush_seconds = flush_seconds
        self._pending: dict[tuple, list] = {}  # key -> [calls, first_seen, last_seen]
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._flushed_at = monotonic()

    def count(self, app_id: int, protocol: str, method: str | None, credential, status: int | None,
              at: float, args: list = ()) -> None:
        """Count one call, if it is one the report is about: any served XML-RPC method, or a REST call made
        with a legacy API key to a route that exists. ``args``: the XML-RPC call's arguments after the key, as
        its overload matched them (none when none did): a DataService table is the first."""
        table = ""
        if protocol == "xmlrpc":
            if method not in self.served:
                return
            if method in self.tabled and args and type(args[0]) is str and args[0] in self._tables:
                table = args[0]
        elif protocol in ("rest_v1", "rest_v2"):
            if credential is None or credential.kind != "legacy_key" or status == 404 or not method:
                return
            method = rest_shape(method)
        else:
            return
        if credential is None:
            key = (app_id, protocol, method, "", "", table)
        else:
            key = (app_id, protocol, method, credential.kind, credential.identity, table)
        with self._lock:
            found = self._pending.get(key)
            if found is None:
                self._pending[key] = [1, at, at]
            else:
                found[0] += 1
                found[2] = at

    def flush(self) -> None:
        """Add what this process counted to the store."""
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
            if not pending:
                return
            rows = [dict(zip(legacy_calls.KEY, key), calls=c, first_seen=f, last_seen=la)
                    for key, (c, f, la) in pending.items()]
            try:
                with transaction(self.engine, write=True) as conn:
                    legacy_calls.add(conn, rows)
            except Exception:  # the store is away: keep the counts for the next flush
                log.exception("migration counter: flush failed, counts kept for the next one")
                with self._lock:
                    for key, (c, f, la) in pending.items():
                        found = self._pending.setdefault(key, [0, f, la])
                        found[0] += c
                        found[1], found[2] = min(found[1], f), max(found[2], la)

    def tick(self) -> None:
        """The heartbeat's call (server.jobs.Heartbeat): flush when ``flush_seconds`` have passed since the last."""
        now = monotonic()
        if now - self._flushed_at >= self.flush_seconds:
            self._flushed_at = now
            self.flush()
