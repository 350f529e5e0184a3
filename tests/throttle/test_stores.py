"""The throttle stores give the same answers: in memory, and in Redis when SANDBOX_TEST_REDIS_URL is set."""
from __future__ import annotations

import os
import threading
import uuid

import pytest

from server.throttle import legacy
from server.throttle.store import MemoryStore, RedisStore
from server.throttle.windows import DAILY, DAY, ROLLING, Limit

REDIS_URL = os.environ.get("SANDBOX_TEST_REDIS_URL")
STORES = ["memory"] + (["redis"] if REDIS_URL else [])
BUCKET = legacy.Bucket(size=10, interval=0.5, max_held=4)



@pytest.fixture(params=STORES)
def store(request):
    if request.param == "memory":
        yield MemoryStore()
        return
    s = RedisStore(REDIS_URL)
    s.prefix = f"sandbox-test:{uuid.uuid4().hex}:"
    yield s
    for name in s.client.scan_iter(match=s.prefix + "*"):
        s.client.delete(name)


def test_redis_is_exercised_or_the_skip_is_visible():
    """With SANDBOX_TEST_REDIS_URL set, every store test runs on Redis too, and a decision lands in Redis."""
    if not REDIS_URL:
        pytest.skip("SANDBOX_TEST_REDIS_URL is not set: the Redis store is not tested in this run")
    assert STORES == ["memory", "redis"]
    s = RedisStore(REDIS_URL)
    s.prefix = f"sandbox-test:{uuid.uuid4().hex}:"
    try:
        assert s.legacy_decide("k", 1000.0, BUCKET).outcome == legacy.PROCEED
        assert list(s.client.scan_iter(match=s.prefix + "*")), "the decision was not kept in Redis"
        assert s.legacy_level("k", 1000.0, BUCKET) == pytest.approx(9)
    finally:
        for name in s.client.scan_iter(match=s.prefix + "*"):
            s.client.delete(name)


def test_bucket_arithmetic(store):
    now = 1000.0
    outcomes = [store.legacy_decide("k", now, BUCKET).outcome for _ in range(10)]
    assert outcomes == [legacy.PROCEED] * 10
    held = [store.legacy_decide("k", now, BUCKET) for _ in range(4)]
    assert [d.outcome for d in held] == [legacy.HOLD] * 4
    assert [d.wait for d in held] == [0.5, 1.0, 1.5, 2.0]
    assert store.legacy_decide("k", now, BUCKET).outcome == legacy.REJECT
    assert store.legacy_decide("k", now + 0.3, BUCKET).outcome == legacy.REJECT  # forfeits the refill
    assert store.legacy_level("k", now + 0.3, BUCKET) == pytest.approx(-4)
    assert store.legacy_decide("k", now + 0.8, BUCKET).outcome == legacy.HOLD
    assert store.legacy_level("k", now + 100, BUCKET) == 10  # capped at the bucket size
    store.reset("k")
    assert store.legacy_level("k", now, BUCKET) == 10


def test_the_idle_rule_counts_whole_quiet_intervals_only(store):
    idle = legacy.Bucket(size=10, interval=0.5, max_held=4, idle=True)
    now = 1000.0
    for _ in range(4):
        assert store.legacy_decide("i", now, idle).outcome == legacy.PROCEED
    assert store.legacy_level("i", now + 0.75, idle) == 7  # one whole interval; the half is not a token
    assert store.legacy_decide("i", now + 0.75, idle).tokens == 6  # ... and the call loses it
    assert store.legacy_level("i", now + 1.05, idle) == 6
    assert store.legacy_level("i", now + 1.25, idle) == 7
    assert legacy.next_refill(*store.legacy_bucket("i"), now + 1.05, idle) == pytest.approx(now + 1.25)
    # a client calling every 400 ms never gets a token back under the idle rule
    t = now + 0.75
    for _ in range(6):
        t += 0.4
        store.legacy_decide("i", t, idle)
    assert store.legacy_level("i", t, idle) == 0
    assert store.legacy_decide("i", t + 0.4, idle).outcome == legacy.HOLD


def test_concurrent_decisions_are_atomic(store):
    bucket = legacy.Bucket(size=100, interval=1e9, max_held=1)
    results = []

    def hammer():
        for _ in range(50):
            results.append(store.legacy_decide("c", 5.0, bucket).outcome)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(legacy.PROCEED) == 100
    assert results.count(legacy.HOLD) == 1
    assert results.count(legacy.REJECT) == 299


def test_windows(store):
    limits = [Limit("quota", DAILY, DAY, 5), Limit("throttle", ROLLING, 60.0, 3), Limit("spike", ROLLING, 1.0, 2)]
    t = 86400.0 * 100 + 10
    assert hit(store, "w", t, limits).allowed
    assert hit(store, "w", t, limits).allowed
    v = hit(store, "w", t, limits)
    assert not v.allowed and v.violated.limit.name == "spike" and v.retry_after(t) == pytest.approx(1.0)
    assert hit(store, "w", t + 1.5, limits).allowed
    v = hit(store, "w", t + 2, limits)
    assert not v.allowed and v.violated.limit.name == "throttle"
    usage = {u.limit.name: u for u in store.windows_peek("w", t + 2, limits)}
    assert (usage["quota"].used, usage["throttle"].used, usage["spike"].used) == (3, 3, 1)
    assert usage["quota"].resets_at == 86400.0 * 101
    assert hit(store, "w", t + 61, limits).allowed
    assert hit(store, "w", t + 121, limits).allowed
    v = hit(store, "w", t + 181, limits)
    assert not v.allowed and v.violated.limit.name == "quota"
    tomorrow = 86400.0 * 101 + 1
    assert hit(store, "w", tomorrow, limits).allowed
    assert {u.limit.name: u.used for u in store.windows_peek("w", tomorrow, limits)}["quota"] == 1


def hit(store, key, now, limits):
    return store.windows_hit([(key, limits)], now)[0]


def test_several_windows_count_together_or_not_at_all(store):
    per_client = [Limit("throttle", ROLLING, 60.0, 5)]
    per_app = [Limit("tenant-minute", ROLLING, 60.0, 2)]
    first, second = store.windows_hit([("client", per_client), ("app", per_app)], 10.0)
    assert first.allowed and second.allowed and second.usage[0].used == 1
    store.windows_hit([("client", per_client), ("app", per_app)], 10.0)
    refused = store.windows_hit([("client", per_client), ("app", per_app)], 10.0)
    assert not refused[0].allowed and refused[1].violated.limit.name == "tenant-minute"
    # a refusal answers each window's calls before it, the window it would overflow named once
    assert refused[0].violated is None and [v.usage[0].used for v in refused] == [2, 2]
    assert store.windows_peek("client", 10.0, per_client)[0].used == 2  # the refused call counted nowhere
    assert store.windows_peek("nobody", 10.0, []) == []
    # refused by the first key at the first call of all: the keys after it, never seen, answer their usage too
    closed = [Limit("throttle", ROLLING, 60.0, 0)]
    refused = store.windows_hit([("closed", closed), ("never-seen", per_app)], 10.0)
    assert refused[0].violated.limit.name == "throttle" and refused[1].usage[0].used == 0


def test_forget_takes_back_one_apps_calls(store):
    limits = [Limit("quota", DAILY, DAY, 100), Limit("throttle", ROLLING, 60.0, 100)]
    t = 86400.0 * 100 + 10
    for owner, n in ((1, 3), (2, 2)):
        for _ in range(n):
            assert store.windows_hit([("client:c", limits)], t, owner)[0].allowed
    assert [u.used for u in store.windows_peek("client:c", t, limits)] == [5, 5]
    store.forget("client:c", 1)
    assert [u.used for u in store.windows_peek("client:c", t, limits)] == [2, 2]
    store.forget("client:c", 1)  # nothing left to take back
    store.forget("nobody", 1)
    assert [u.used for u in store.windows_peek("client:c", t + 61, limits)] == [2, 0]
    tomorrow = 86400.0 * 101 + 1
    assert store.windows_hit([("client:c", limits)], tomorrow, 2)[0].usage[0].used == 1
    store.forget("client:c", 1)
    assert store.windows_peek("client:c", tomorrow, limits)[0].used == 1


def test_held_counter(store):
    assert store.held("h", 1) == 1
    assert store.held("h", 1) == 2
    assert store.held("h", -1) == 1
    assert store.held("h", 0) == 1
    assert store.held("h", -5) == 0


def test_a_busy_log_counts_as_a_search_of_it_would_whatever_the_clock_does():
    """The in-process log finds where each rolling window begins from where it began at the last look; the
    counts are those of a search of every call, while the app's clock runs, jumps, is set back and calls are
    taken back (a random walk, checked at every call)."""
    import random
    from bisect import bisect_right

    from server.throttle.windows import Log

    rng = random.Random(18)
    limits = [Limit("quota", DAILY, DAY, 10**9), Limit("throttle", ROLLING, 60.0, 10**9),
              Limit("spike", ROLLING, 1.0, 10**9)]
    log, now = Log(), 86400.0 * 100
    for n in range(5000):
        step = rng.random()
        now += (rng.uniform(0, 0.05) if step < 0.9 else rng.uniform(1, 120) if step < 0.97
                else -rng.uniform(0, 90))  # mostly on, sometimes a jump, sometimes back
        if n % 997 == 0:
            log.forget(2)
        usage = log.check(now, limits)  # the counts with this call
        for u in usage[1:]:
            assert u.used == len(log.times) - bisect_right(log.times, now - u.limit.seconds) + 1, (n, u)
        log.record(now, owner=n % 3)


def test_a_key_of_daily_quotas_alone_keeps_no_call_times(store):
    """The calls' times are kept for rolling windows only: a key whose windows are all daily (a Keap API key's
    app-wide quota) counts in its daily tally and keeps no growing list of every call of the day."""
    daily = [Limit("quota", DAILY, DAY, 10**6)]
    t = 86400.0 * 100 + 10
    for i in range(200):
        assert store.windows_hit([("daily-only", daily)], t + i)[0].allowed
    assert store.windows_peek("daily-only", t + 300, daily)[0].used == 200
    if isinstance(store, RedisStore):
        assert store.client.zcard(store.prefix + "win:daily-only:t") == 0
    else:
        assert len(store._windows["daily-only"].times) < 64 + 1  # (dropped 64 at a time)


@pytest.mark.skipif(not REDIS_URL, reason="SANDBOX_TEST_REDIS_URL is not set: no Redis connection to drop")
def test_a_call_after_redis_dropped_the_connection_is_decided():
    """The windows' and the bucket's scripts run on a pooled connection, sent by the store: one Redis closed
    (a restart, CLIENT KILL) is replaced before the call, and a script Redis no longer has (SCRIPT FLUSH) is
    loaded again, the call decided and counted once."""
    import redis  # noqa: PLC0415  (the Redis case only)

    store = RedisStore(REDIS_URL, prefix=f"sandbox-test:{uuid.uuid4().hex}:")
    limits = [Limit("throttle", ROLLING, 60.0, 100)]
    assert store.windows_hit([("dropped", limits)], 100.0)[0].allowed
    pooled = store.client.client_id()  # (the pool's one connection, which the scripts take too)
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=pooled)
    assert store.windows_hit([("dropped", limits)], 101.0)[0].usage[0].used == 2
    store.client.script_flush()
    assert store.windows_hit([("dropped", limits)], 102.0)[0].usage[0].used == 3
    assert store.legacy_decide("dropped", 102.0, BUCKET).outcome == legacy.PROCEED
    for name in store.client.scan_iter(match=store.prefix + "*"):
        store.client.delete(name)


@pytest.mark.skipif(not REDIS_URL, reason="SANDBOX_TEST_REDIS_URL is not set: no Redis connection to break")
def test_a_script_not_sent_whole_is_run_by_redis_pys_own_call():
    """A connection lost while the command is being sent (between the pool's check of it and the send: a race no
    test can time, so the pooled connection's send is made to fail once) has run nothing in Redis: the call goes
    to redis-py's own path, on a new connection, and is decided and counted once."""
    import redis  # noqa: PLC0415  (the Redis case only)

    store = RedisStore(REDIS_URL, prefix=f"sandbox-test:{uuid.uuid4().hex}:")
    limits = [Limit("quota", DAILY, DAY, 100), Limit("throttle", ROLLING, 60.0, 100)]
    t = 86400.0 * 100 + 10
    pool = store.client.connection_pool
    failed = []

    def lost(connection):
        def send(_packed, **_options):
            del connection.send_packed_command  # (once)
            failed.append(True)
            raise redis.exceptions.ConnectionError("Error 32 while writing to socket. Broken pipe.")
        connection.send_packed_command = send

    try:
        assert store.windows_hit([("unsent", limits)], t)[0].allowed
        for decide in (lambda: store.windows_hit([("unsent", limits)], t + 1)[0].allowed,
                       lambda: store.legacy_decide("unsent", t, BUCKET).outcome == legacy.PROCEED):
            connection = pool.get_connection()
            lost(connection)
            pool.release(connection)
            assert decide()
        assert failed == [True, True]
        assert [u.used for u in store.windows_peek("unsent", t + 2, limits)] == [2, 2]  # counted once
        assert store.legacy_level("unsent", t, BUCKET) == pytest.approx(BUCKET.size - 1)
    finally:
        for name in store.client.scan_iter(match=store.prefix + "*"):
            store.client.delete(name)


class _ReplyDropper:
    """A TCP relay on loopback between a client and Redis that can swallow Redis's next reply and close the
    client's connection instead: the command reached Redis and ran, and its answer was lost on the way back."""

    def __init__(self, target: tuple[str, int]):
        import socket
        import threading

        self.target, self.drop_next = target, threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, source, sink, replies: bool):
        import contextlib
        import socket

        try:
            while data := source.recv(65536):
                if replies and self.drop_next.is_set():
                    self.drop_next.clear()
                    break  # the reply is swallowed: the client's connection closes below
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):  # (shut down, not only closed: the other direction's thread reads it)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self):
        self.listener.close()


@pytest.mark.skipif(not REDIS_URL, reason="SANDBOX_TEST_REDIS_URL is not set: no Redis to relay to")
def test_a_script_whose_answer_is_lost_is_not_run_again():
    """A call whose script reached Redis but whose answer did not come back (a reset, a timeout) is an error,
    as for redis-py's own call, not a second run: the script has counted the call already, and running it again
    would count it twice in the daily quota (and once in the rolling windows, whose entry is the same)."""
    from urllib.parse import urlsplit

    import redis  # noqa: PLC0415  (the Redis case only)

    real = urlsplit(REDIS_URL)
    relay = _ReplyDropper((real.hostname, real.port or 6379))
    store = RedisStore(f"redis://127.0.0.1:{relay.port}{real.path or '/0'}", prefix=f"sandbox-test:{uuid.uuid4().hex}:")
    limits = [Limit("quota", DAILY, DAY, 100), Limit("throttle", ROLLING, 60.0, 100)]
    t = 86400.0 * 100 + 10
    try:
        assert store.windows_hit([("lost", limits)], t)[0].allowed
        relay.drop_next.set()
        with pytest.raises(redis.exceptions.ConnectionError):
            store.windows_hit([("lost", limits)], t + 1)
        assert [u.used for u in store.windows_peek("lost", t + 2, limits)] == [2, 2]  # counted once
        relay.drop_next.set()
        with pytest.raises(redis.exceptions.ConnectionError):
            store.legacy_decide("lost", t, BUCKET)
        assert store.legacy_level("lost", t, BUCKET) == pytest.approx(BUCKET.size - 1)  # one token taken
    finally:
        for name in store.client.scan_iter(match=store.prefix + "*"):
            store.client.delete(name)
        relay.close()
