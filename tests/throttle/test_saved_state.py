"""A snapshot's throttle state (server.sandbox.snapshots): each store gives back the buckets and windows of one
app's keys exactly, leaves other apps' keys alone, and starts afresh from a state another kind of store saved."""
from __future__ import annotations

import json

from server.throttle.windows import DAILY, DAY, ROLLING, Limit
from tests.throttle.test_stores import BUCKET, store  # noqa: F401  (the fixture: memory, and Redis when set)

LIMITS = [Limit("minute", ROLLING, 60, 5), Limit("quota", DAILY, DAY, 100)]


def usage(store, key, now):  # noqa: F811
    return [(u.used, u.resets_at) for u in store.windows_peek(key, now, LIMITS)]


def test_the_saved_state_comes_back_and_only_the_apps(store):  # noqa: F811
    now = 10 * DAY + 100.0
    for i in range(3):
        store.legacy_decide("app:1:legacy", now + i, BUCKET)
        store.windows_hit([("app:1:tenant", LIMITS), ("client:c", LIMITS)], now + i, owner=1)
    store.legacy_decide("app:2:legacy", now, BUCKET)
    level = store.legacy_level("app:1:legacy", now + 3, BUCKET)
    windows = usage(store, "app:1:tenant", now + 3)
    saved = json.loads(json.dumps(store.dump("app:1:")))  # kept as JSON in the store

    store.reset("app:1:")
    for _ in range(4):
        store.legacy_decide("app:1:legacy", now + 3, BUCKET)
        store.windows_hit([("app:1:tenant", LIMITS)], now + 3, owner=1)
    assert store.legacy_level("app:1:legacy", now + 3, BUCKET) != level

    store.load("app:1:", saved)
    assert store.legacy_level("app:1:legacy", now + 3, BUCKET) == level
    assert usage(store, "app:1:tenant", now + 3) == windows == [(3, now + 60), (3, 11 * DAY)]
    assert store.legacy_level("app:2:legacy", now, BUCKET) == BUCKET.size - 1  # another app's is untouched
    assert usage(store, "client:c", now + 3)[0][0] == 3  # so are an OAuth client's windows, shared by apps


def test_a_state_of_another_store_or_none_starts_afresh(store):  # noqa: F811
    store.legacy_decide("app:1:legacy", 1000.0, BUCKET)
    store.load("app:1:", {"store": "elsewhere"})
    assert store.legacy_level("app:1:legacy", 1000.0, BUCKET) == BUCKET.size
    store.legacy_decide("app:1:legacy", 1000.0, BUCKET)
    store.load("app:1:", {})
    assert store.legacy_level("app:1:legacy", 1000.0, BUCKET) == BUCKET.size
