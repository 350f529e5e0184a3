"""The request journal's cost on the hot path: ``ContactService.load`` served with the journal off
(``SANDBOX_JOURNAL_SIZE=0``, the code path of the sandbox before the journal) and on (the default, in process),
in alternating rounds of one run, through the WSGI application called in process (no HTTP, so the journal's
share of a call's cost is shown larger than over a socket: a conservative figure). With Redis reachable, the
journal in Redis is measured too (one round trip a call).

    .venv/bin/python bench/journal_cost.py [--calls 3000] [--rounds 7] [--redis URL] [--no-write]

Writes the section "Request journal cost" of docs/performance.md unless --no-write. Target (issue 16): the
journal on costs at most 5% more per call than off.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
import xmlrpc.client
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.xmlrpc_throughput import machine, prepare, write_section  # noqa: E402
from server.app import create_app  # noqa: E402
from server.auth.gateway import Credential  # noqa: E402
from server.config import from_env  # noqa: E402
from server.gate import LEGACY, PASSED, Call  # noqa: E402
from server.journal import entry  # noqa: E402
from server.store import apps  # noqa: E402
from server.store.db import transaction  # noqa: E402
from server.xmlrpc import codec, transport  # noqa: E402


def caller(app, body: bytes):
    """A function making one ContactService.load through the application's WSGI entry point."""
    template = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/xmlrpc", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                "CONTENT_TYPE": "text/xml", "CONTENT_LENGTH": str(len(body)), "wsgi.errors": sys.stderr,
                "REMOTE_ADDR": "127.0.0.1"}
    statuses = []

    def start_response(status, headers):
        statuses.append(status)

    def call():
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO(body)
        out = b"".join(app(environ, start_response))
        if b"<fault>" in out:
            raise RuntimeError(out.decode())

    return call


def record_cost(app, key: str, body: bytes, calls: int) -> float:
    """µs the journal itself adds to one ContactService.load: the transport's ``journal`` step (entry made and
    pushed into the ring) timed alone, less the same loop without it."""
    sandbox = app.extensions["sandbox"]
    with transaction(sandbox.engine, write=False) as conn:
        record = apps.by_legacy_key(conn, key)
    method_name, params = codec.loads_call(body)
    method = sandbox.methods.resolve(method_name, params)[0]
    result = {"Id": 1, "FirstName": "Bench0", "LastName": "Mark", "Email": "bench0@example.com"}

    def made() -> Call:
        call = Call(endpoint=LEGACY, headers={}, query={})
        call.app, call.params, call.method, call.throttle = record, params, method, PASSED
        call.credential = Credential("legacy_key", f"app:{record.id}:legacy")
        return call

    def with_journal():
        transport.journal(sandbox, made(), "/api/xmlrpc", method_name, body, entry.ok(result))

    samples = []
    for _ in range(5):
        samples.append(per_call(with_journal, calls) - per_call(made, calls))
    return statistics.median(samples)


def per_call(call, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--redis", default=os.environ.get("SANDBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-journal-"))
    key, contact_id = prepare(tmp)
    body = xmlrpc.client.dumps((key, contact_id, ["Id", "FirstName", "LastName", "Email"]),
                               "ContactService.load").encode()
    settings = {"off": {"journal_size": 0}, "on": {}}
    try:
        import redis

        redis.Redis.from_url(args.redis).ping()
        settings["on, Redis"] = {"redis_url": args.redis, "redis_prefix": f"sandbox-bench:{uuid.uuid4().hex}:"}
    except Exception as exc:  # no Redis here: measured without it, and said so
        print(f"Redis not measured: {exc}", file=sys.stderr)
    servers = {name: create_app(from_env(data_dir=str(tmp), tick_seconds=0, seed_on_start=False, **cfg))
               for name, cfg in settings.items()}
    calls = {name: caller(app, body) for name, app in servers.items()}
    for call in calls.values():  # warm up
        per_call(call, 300)
    rounds: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            rounds[name].append(per_call(call, args.calls))
    own = record_cost(servers["on"], key, body, args.calls)
    for app in servers.values():
        app.extensions["sandbox"].engine.dispose()
    if "on, Redis" in servers:
        sandbox = servers["on, Redis"].extensions["sandbox"]
        client = sandbox.journal.rings.client
        for k in client.scan_iter(match=sandbox.config.redis_prefix + "*"):
            client.delete(k)

    off = rounds["off"]
    lines = [
        "## Request journal cost",
        "",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/journal_cost.py --calls {args.calls} "
        f"--rounds {args.rounds}` on {machine()}. `ContactService.load` (4 fields of one contact; seeded app plus "
        "1,000 contacts, throttling off, SQLite) through the WSGI application called in process, with the request "
        "journal off (`SANDBOX_JOURNAL_SIZE=0`: the code path before the journal existed) and on, in alternating "
        "rounds of the same run. No HTTP is measured, so the journal's share of a call is shown larger than a "
        "client over a socket sees. A ratio is the median of the rounds' ratios to the journal-off figure of the "
        "same round (each round's in brackets). Target: at most 1.05 in process.",
        "",
        "| journal | µs per call (median) | ratio to journal off |",
        "|---|---:|---:|",
    ]
    for name, runs in rounds.items():
        ratios = [r / o for r, o in zip(runs, off)]
        each = ", ".join(f"{r:.3f}" for r in ratios)
        lines.append(f"| {name} | {statistics.median(runs):,.0f} | **{statistics.median(ratios):.3f}** ({each}) |")
    lines += [
        "",
        f"The journal's own work, timed alone (the transport's journal step, less the same loop without it): "
        f"**{own:.1f} µs** a call in process, {own / statistics.median(off) * 100:.1f}% of the journal-off call "
        "above. On a machine shared with other work the round ratios scatter more than that; this figure does "
        "not. In Redis each call adds one round trip to Redis (the entry written by one Lua script).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## Request journal cost", report)


if __name__ == "__main__":
    main()
