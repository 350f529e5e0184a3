"""Where throttle state lives: in this process (the embedded default) or in Redis (several workers).

Every update is atomic: a lock in memory, one Lua script per operation in Redis. Times are passed in by the
caller (the app's clock); the stores never read a clock themselves.
"""
from __future__ import annotations

import base64
import threading
from typing import Any, Protocol

from . import legacy, windows


class ThrottleStore(Protocol):
    def legacy_decide(self, key: str, now: float, bucket: legacy.Bucket) -> legacy.Decision: ...
    def legacy_bucket(self, key: str) -> tuple[float | None, float | None]: ...  # (tokens, last), as stored
    def legacy_level(self, key: str, now: float, bucket: legacy.Bucket) -> float: ...
    def held(self, key: str, delta: int) -> int: ...
    def windows_hit(self, items: list[tuple[str, list[windows.Limit]]], now: float,
                    owner: int | None = None) -> list[windows.Verdict]: ...
    def windows_peek(self, key: str, now: float, limits: list[windows.Limit]) -> list[windows.Usage]: ...
    def forget(self, key: str, owner: int) -> None: ...  # take back the calls made to app ``owner``
    def reset(self, prefix: str) -> None: ...
    # the buckets and windows of the keys starting with ``prefix`` as JSON values (a snapshot), and back
    # (replacing what is there); calls held at the moment are not state and are left alone
    def dump(self, prefix: str) -> dict: ...
    def load(self, prefix: str, saved: dict) -> None: ...


class MemoryStore:
    def __init__(self):
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._held: dict[str, int] = {}
        self._windows: dict[str, windows.Log] = {}

    def legacy_decide(self, key, now, bucket):
        with self._lock:
            tokens, last = self._buckets.get(key, (None, None))
            decision, tokens, last = legacy.decide(tokens, last, now, bucket)
            self._buckets[key] = (tokens, last)
            return decision

    def legacy_bucket(self, key):
        with self._lock:
            return self._buckets.get(key, (None, None))

    def legacy_level(self, key, now, bucket):
        tokens, last = self.legacy_bucket(key)
        return legacy.level_at(tokens, last, now, bucket)

    def held(self, key, delta):
        with self._lock:
            value = max(0, self._held.get(key, 0) + delta)
            self._held[key] = value
            return value

    def windows_hit(self, items, now, owner=None):
        with self._lock:
            logs, looked = self._windows, []
            for key, limits in items:
                log = logs.get(key)
                if log is None:
                    log = logs[key] = windows.Log()
                after = log.check(now, limits)  # each window's count with this call
                for u in after:
                    if u.used > u.limit.limit:
                        return self._refused(items, now)
                looked.append((log, after))
            for log, _ in looked:
                log.record(now, owner)
            return [windows.Verdict(True, after) for _, after in looked]

    def _refused(self, items, now):
        """Counted in none: every window's usage before the call, the first one it would overflow the answer."""
        verdicts, refused = [], None
        for key, limits in items:
            log = self._windows.get(key)  # (a key after the refused one may not have been looked at yet)
            usage = log.usage(now, limits) if log is not None else windows.Log().usage(now, limits)
            violated = windows.violated(usage) if refused is None else None
            refused = refused or violated
            verdicts.append(windows.Verdict(False, usage, violated))
        return verdicts

    def forget(self, key, owner):
        with self._lock:
            log = self._windows.get(key)
            if log is not None:
                log.forget(owner)

    def windows_peek(self, key, now, limits):
        with self._lock:
            log = self._windows.get(key) or windows.Log()
            return log.usage(now, limits)

    def reset(self, prefix):
        with self._lock:
            for table in (self._buckets, self._held, self._windows):
                for k in [k for k in table if k.startswith(prefix)]:
                    del table[k]

    def dump(self, prefix):
        with self._lock:
            return {"store": "memory",
                    "buckets": {k[len(prefix):]: list(v) for k, v in self._buckets.items() if k.startswith(prefix)},
                    "windows": {k[len(prefix):]: {"times": list(log.times), "owners": list(log.owners),
                                                  "day": log.day, "day_count": log.day_count,
                                                  "day_by_owner": [[o, n] for o, n in log.day_by_owner.items()]}
                                for k, log in self._windows.items() if k.startswith(prefix)}}

    def load(self, prefix, saved):
        with self._lock:
            for table in (self._buckets, self._windows):
                for k in [k for k in table if k.startswith(prefix)]:
                    del table[k]
            if saved.get("store") != "memory":
                return  # saved by another kind of store: the state starts afresh
            for k, (tokens, last) in saved["buckets"].items():
                self._buckets[prefix + k] = (tokens, last)
            for k, log in saved["windows"].items():
                self._windows[prefix + k] = windows.Log(list(log["times"]), list(log["owners"]), log["day"],
                                                        log["day_count"], dict(log["day_by_owner"]))


class RedisStore:
    def __init__(self, url: str, prefix: str = "sandbox:throttle:"):
        import redis  # noqa: PLC0415  (only the Redis store loads the client: the in-process default never pays for it)

        self.client = redis.Redis.from_url(url)
        self._decide = _Script(self.client, legacy.LUA_DECIDE)
        self._hits: dict[str, _Script] = {}  # the windows' script of each configuration (windows.lua_hit)
        self._forget = self.client.register_script(windows.LUA_FORGET)
        self.prefix = prefix

    def legacy_decide(self, key, now, bucket):
        outcome, wait, tokens = self._decide(keys=[self.prefix + "bucket:" + key],
                                             args=[bucket.size, bucket.interval, bucket.max_held, repr(now),
                                                   1 if bucket.idle else 0])
        return legacy.Decision(outcome.decode(), float(wait), float(tokens))

    def legacy_bucket(self, key):
        tokens, last = self.client.hmget(self.prefix + "bucket:" + key, "tokens", "last")
        return (float(tokens) if tokens else None), (float(last) if last else None)

    def legacy_level(self, key, now, bucket):
        tokens, last = self.legacy_bucket(key)
        return legacy.level_at(tokens, last, now, bucket)

    def held(self, key, delta):
        name = self.prefix + "held:" + key
        value = self.client.incrby(name, delta) if delta else int(self.client.get(name) or 0)
        if value < 0:
            self.client.set(name, 0)
            value = 0
        return value

    def windows_hit(self, items, now, owner=None):
        groups = [limits for _, limits in items]
        keys = [self.prefix + "win:" + key for key, _ in items]
        raw = self._hit(groups)(keys=keys, args=windows.lua_args(now, owner))
        return windows.verdicts_from_lua(raw, now, groups)

    def _hit(self, groups: list[list[windows.Limit]]) -> _Script:
        source = windows.lua_hit(tuple(map(tuple, groups)))
        script = self._hits.get(source)
        if script is None:
            if len(self._hits) > 256:
                self._hits.clear()
            script = self._hits[source] = _Script(self.client, source)
        return script

    def forget(self, key, owner):
        self._forget(keys=[self.prefix + "win:" + key], args=[owner])

    def windows_peek(self, key, now, limits):
        """The usage without counting: read with a check that cannot pass (a zero limit refuses at once)."""
        if not limits:
            return []
        probe = [windows.Limit(lim.name, lim.kind, lim.seconds, 0) for lim in limits]
        raw = self._hit([probe])(keys=[self.prefix + "win:" + key], args=windows.lua_args(now))
        verdict = windows.verdicts_from_lua(raw, now, [probe])[0]
        return [windows.Usage(lim, u.used, u.resets_at) for lim, u in zip(limits, verdict.usage)]

    def reset(self, prefix):
        for pattern in ("bucket:", "held:", "win:"):
            for name in self.client.scan_iter(match=f"{self.prefix}{pattern}{prefix}*", count=500):
                self.client.delete(name)

    def dump(self, prefix):
        """Each key as Redis's own serialisation (DUMP), with its time to live."""
        keys = {}
        for pattern in ("bucket:", "win:"):
            for name in self.client.scan_iter(match=f"{self.prefix}{pattern}{prefix}*", count=500):
                value = self.client.dump(name)
                if value is not None:
                    ttl = self.client.pttl(name)
                    keys[name.decode()[len(self.prefix):]] = [base64.b64encode(value).decode(), max(ttl, 0)]
        return {"store": "redis", "keys": keys}

    def load(self, prefix, saved):
        for pattern in ("bucket:", "win:"):
            for name in self.client.scan_iter(match=f"{self.prefix}{pattern}{prefix}*", count=500):
                self.client.delete(name)
        if saved.get("store") != "redis":
            return  # saved by another kind of store: the state starts afresh
        for name, (value, ttl) in saved["keys"].items():
            self.client.restore(self.prefix + name, ttl, base64.b64decode(value), replace=True)


def make_store(redis_url: str | None, prefix: str = "sandbox:throttle:") -> ThrottleStore:
    return RedisStore(redis_url, prefix) if redis_url else MemoryStore()


class _Script:
    """A script of every call (the legacy bucket, the gateway's windows), run as redis-py's registered script is
    (EVALSHA, loading it if Redis has not got it) with the command packed here and sent on a pooled connection:
    redis-py's way to a command (its encoder per argument, its packer, the retry wrapper and event dispatch
    around every command) cost a gateway call more than its script's run in Redis (bench/throttle_cost.py).
    A script Redis has not got (restarted, SCRIPT FLUSH), and a connection lost before the command was sent
    whole (Redis runs no half-received command), are left to redis-py's own call, which loads the script and
    takes a connection of its own. A connection lost after the command was sent is an error, as it is for
    redis-py's own call: the script may have run, and running it again would count the call twice.

    Each configuration of limits has a script of its own (``windows.lua_hit``); Redis keeps every script it
    was given until it restarts or is flushed: a few kilobytes for each configuration ever used."""

    def __init__(self, client, source: str):
        from redis import exceptions  # noqa: PLC0415  (loaded with the store)

        self.registered = client.register_script(source)
        self.pool = client.connection_pool
        self.head = b"$7\r\nEVALSHA\r\n$40\r\n" + self.registered.sha.encode() + b"\r\n"
        self.lost_script = exceptions.NoScriptError
        self.lost_connection = (exceptions.ConnectionError, exceptions.TimeoutError, OSError)

    def __call__(self, keys: list[str], args: list) -> Any:
        words = [str(len(keys)).encode(), *[k.encode() for k in keys],
                 *[a.encode() if type(a) is str else repr(a).encode() for a in args]]
        packed = b"".join([b"*%d\r\n" % (len(words) + 2), self.head,
                           *[b"$%d\r\n%s\r\n" % (len(w), w) for w in words]])
        connection = self.pool.get_connection()
        try:
            try:
                connection.send_packed_command([packed])
            except self.lost_connection:  # not sent whole: Redis has run nothing
                connection.disconnect()
            else:
                try:
                    return connection.read_response()
                except self.lost_script:
                    pass
                except self.lost_connection:  # sent: the script may have run, and is not run again
                    connection.disconnect()
                    raise
        finally:
            self.pool.release(connection)
        return self.registered(keys=keys, args=args)
