"""The journal under `sandbox serve --workers 2`: with Redis one journal for both workers (every call once, newest
first, pages that run across the workers, one DELETE for all); without Redis each worker's own, which the banner
warns about and every listing says (the X-Sandbox-Journal-Process header)."""
from __future__ import annotations

import contextlib
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import requests

from tests.conftest import PG_URL
from tests.serving import REDIS_URL, SANDBOX, Server, clean_env, free_port, needs_redis, redis_prefix, start, store

CALLS = 40


@contextlib.contextmanager
def _two_workers(tmp_path: Path, **env_vars: str) -> Iterator[Server]:
    port = free_port()
    with store(bool(PG_URL)) as settings:
        server = start([str(SANDBOX), "serve", "--workers", "2", "--port", str(port), "--api-key", "journal-key"],
                       port, clean_env(SANDBOX_DATA_DIR=str(tmp_path), **settings, **env_vars),
                       tmp_path.parent / f"{tmp_path.name}.log")
        try:
            assert len(server.all_workers_answer(2)) == 2
            yield server
        finally:
            server.out = server.stop()


def _calls(base: str) -> list[str]:
    """CALLS echo calls from four threads, each on a new connection (so both workers serve): their words."""
    words = [f"call {n}" for n in range(CALLS)]
    errors = []

    def client(mine: list[str]):
        for word in mine:
            try:
                answer = xmlrpc.client.ServerProxy(base + "/api/xmlrpc").DataService.echo("journal-key", word)
                assert answer == word
            except Exception as exc:  # noqa: BLE001  (reported by the test below)
                errors.append(exc)

    threads = [threading.Thread(target=client, args=(words[n::4],)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and not any(t.is_alive() for t in threads)
    return words


def _journal(base: str, **params) -> requests.Response:
    answer = requests.get(base + "/sandbox/apps/sandbox/journal", params={"method": "DataService.echo", **params},
                          timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


@needs_redis("the journal shared by two workers")
def test_two_workers_share_one_journal_in_redis(tmp_path):
    with redis_prefix() as prefix, _two_workers(tmp_path, SANDBOX_REDIS_URL=REDIS_URL,
                                                SANDBOX_REDIS_PREFIX=prefix) as server:
        words = _calls(server.base)
        for _ in range(6):  # whichever worker answers, the whole journal (new connections: both answer)
            whole = _journal(server.base, count=1000)
            assert "X-Sandbox-Journal-Process" not in whole.headers
            entries = whole.json()["entries"]
            assert sorted(e["request"][1] for e in entries) == sorted(words)  # every call exactly once
            ids = [e["id"] for e in entries]
            assert ids == sorted(ids, reverse=True) and len(set(ids)) == CALLS  # newest first
        paged, cursor = [], None
        for _ in range(CALLS):  # pages of 7, each read from whichever worker takes the connection
            page = _journal(server.base, count=7, **({"next": cursor} if cursor else {})).json()
            paged.extend(page["entries"])
            cursor = page.get("next")
            if cursor is None:
                break
        assert paged == entries
        assert requests.delete(server.base + "/sandbox/apps/sandbox/journal", timeout=30).status_code == 204
        for _ in range(6):
            assert _journal(server.base).json()["entries"] == []  # cleared for both workers
    assert "without SANDBOX_REDIS_URL" not in server.out


def test_two_workers_without_redis_each_keep_their_own_journal(tmp_path):
    with _two_workers(tmp_path) as server:
        workers = set(server.workers())
        words = _calls(server.base)
        seen: dict[int, list[str]] = {}
        deadline = time.monotonic() + 60  # a bound for a broken build, not a measurement
        while len(seen) < 2 and time.monotonic() < deadline:  # new connections until both workers have answered
            answer = _journal(server.base, count=1000)
            seen[int(answer.headers["X-Sandbox-Journal-Process"])] = [e["request"][1] for e in
                                                                      answer.json()["entries"]]
        assert set(seen) == workers
        one, two = seen.values()
        assert one and two and not set(one) & set(two)  # partial: each worker lists the calls it served
        assert sorted(one + two) == sorted(words)
    assert "each worker throttles on its own" in server.out
    assert "keeps its own request journal" in server.out
