"""The journal in Redis (SANDBOX_REDIS_URL): two servers on one store and one Redis prefix, as two gunicorn
workers are, write to and read one journal per app. Skipped, visibly, without SANDBOX_TEST_REDIS_URL."""
from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import make_app, start_server
from tests.journal.test_journal import entries

REDIS_URL = os.environ.get("SANDBOX_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="SANDBOX_TEST_REDIS_URL is not set")
def test_two_servers_share_one_journal(tmp_path):
    prefix = f"sandbox-test-{uuid.uuid4().hex[:8]}:"
    one, stop_one = start_server(tmp_path, redis_url=REDIS_URL, redis_prefix=prefix, journal_size=4)
    two, stop_two = start_server(tmp_path, redis_url=REDIS_URL, redis_prefix=prefix, journal_size=4)
    try:
        app = make_app(one, seed=False)
        app.call("DataService.echo", "via one")
        on_two = type(app)(app.name, app.key, two)
        on_two.call("DataService.echo", "via two")
        seen_by_one = entries(app)
        assert [e["request"][1] for e in seen_by_one] == ["via two", "via one"]
        assert entries(on_two) == seen_by_one
        assert app.key not in str(seen_by_one)
        for i in range(5):
            on_two.call("DataService.echo", str(i))
        assert [e["request"][1] for e in entries(app)] == ["4", "3", "2", "1"]  # the ring's bound holds in Redis
        newest = entries(app, count=1)[0]
        assert one.control("GET", f"/apps/{app.name}/journal/{newest['id']}").json() == newest
        assert two.control("DELETE", f"/apps/{app.name}/journal").status_code == 204
        assert entries(app) == []
    finally:
        stop_two()
        stop_one()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
