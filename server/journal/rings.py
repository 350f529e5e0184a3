"""Where journal entries live: a bounded ring per app (and one for calls that name no app), newest first.

In this process by default (a ``collections.deque`` per ring); in Redis when SANDBOX_REDIS_URL is set, so
every gunicorn worker writes to and reads from one journal: a list per ring, written by one Lua script (an
``INCR`` for the entry's id, ``LPUSH`` and ``LTRIM``: one round trip, and ids in the order of the list). An entry
is stored as ``<id> <json>``, so reading a ring never reparses an entry it skips.

Writing costs no database transaction, and a ring never grows past its size: the oldest entries fall off.
"""
from __future__ import annotations

import json
import threading
from collections import deque
from itertools import count
from typing import Protocol


class Rings(Protocol):
    serialised: bool  # entries are stored as JSON (so an entry's request must be JSON-ready text)
    shared: bool  # every process serving the store writes and reads these rings (not this process's own)

    def push(self, ring: str, entry: dict) -> int: ...  # the entry's id (set in it too)
    def entries(self, ring: str) -> list[dict]: ...  # newest first
    def clear(self, ring: str) -> None: ...


class MemoryRings:
    """Entries are kept as they are made, which costs nothing. They hold no lists (an XML-RPC call's parameters
    are its raw body, bytes): 10,000 entries of lists would be tens of thousands of objects for the garbage
    collector to walk again and again, a cost every call would share; dicts and tuples of strings and numbers
    are not tracked."""

    serialised = False
    shared = False  # several gunicorn workers without Redis: each worker's journal has only its own calls

    def __init__(self, size: int):
        self.size = size
        self._rings: dict[str, deque] = {}
        self._ids = count(1)
        self._lock = threading.Lock()

    def push(self, ring, entry):
        with self._lock:
            entry["id"] = entry_id = next(self._ids)
            entries = self._rings.get(ring)
            if entries is None:
                entries = self._rings[ring] = deque(maxlen=self.size)
            entries.append(entry)
        return entry_id

    def entries(self, ring):
        with self._lock:
            entries = list(self._rings.get(ring, ()))
        entries.reverse()
        return entries

    def clear(self, ring):
        with self._lock:
            self._rings.pop(ring, None)


_PUSH = """
local id = redis.call('INCR', KEYS[2])
redis.call('LPUSH', KEYS[1], id .. ' ' .. ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return id
"""


class RedisRings:
    serialised = True
    shared = True

    def __init__(self, url: str, prefix: str, size: int):
        import redis  # noqa: PLC0415  (only the Redis store loads the client, as in server.throttle.store)

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix + "journal:"
        self.size = size
        self._push = self.client.register_script(_PUSH)

    def push(self, ring, entry):
        text = json.dumps(entry, separators=(",", ":"), default=str)
        entry["id"] = int(self._push(keys=[self.prefix + ring, self.prefix + "ids"], args=[text, self.size]))
        return entry["id"]

    def entries(self, ring):
        out = []
        for raw in self.client.lrange(self.prefix + ring, 0, -1):
            entry_id, _, text = raw.decode("utf-8").partition(" ")
            entry = json.loads(text)
            entry["id"] = int(entry_id)
            out.append(entry)
        return out

    def clear(self, ring):
        self.client.delete(self.prefix + ring)


def make_rings(redis_url: str | None, prefix: str, size: int) -> Rings:
    return RedisRings(redis_url, prefix, size) if redis_url else MemoryRings(size)
