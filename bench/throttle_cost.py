"""The throttle's cost per call: the legacy bucket's decision and the gateway's quota windows, in this
process and with Redis on loopback, measured in one run, with a Redis PING through the same client as the
baseline of a round trip.

    .venv/bin/python bench/throttle_cost.py [--calls 20000] [--rounds 5] [--redis redis://127.0.0.1:6379/0] [--no-write]

Each figure is the best of ``--rounds`` rounds, the measures of a store taken in turn within each round (this
machine is shared and noisy: the best round is the one least disturbed). Writes the section "Throttle cost"
of docs/performance.md unless --no-write. Targets (issue 18 §6): the gateway's windows under 20 µs a call in
process, and under 2x a PING with Redis on loopback (one round trip: one script for all of a call's windows).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from bench.xmlrpc_throughput import machine, write_section  # noqa: E402
from server.auth.gateway import Credential  # noqa: E402
from server.clock import ClockState  # noqa: E402
from server.store.session import AppRecord  # noqa: E402
from server.throttle.store import MemoryStore, RedisStore  # noqa: E402
from server.throttle.throttle import Throttle  # noqa: E402

BIG = 10**9
# Limits too high to be reached, so every measured call does the whole decision and proceeds.
OPTIONS = {"throttle": {"legacy": {"bucket_size": BIG},
                        "profiles": {"current": {"oauth": {"per_second": BIG, "per_minute": BIG, "per_day": BIG},
                                                 "tenant": {"per_minute": BIG, "per_day": BIG}}}}}


def app_record() -> AppRecord:
    return AppRecord(id=1, name="bench", legacy_key="k", time_zone="America/New_York", settings={}, profile={},
                     options=OPTIONS, clock_state=ClockState())


def per_call(fn, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls * 1e6


def measure(throttle: Throttle, calls: int, rounds: int, pings=()) -> tuple:
    """(legacy, gateway, then each of ``pings``) in µs a call, each the best of ``rounds``."""
    app = app_record()
    credential = Credential("oauth", f"client:{uuid.uuid4().hex}")
    measures = [lambda: throttle.legacy(app, lambda: app.clock_state),
                lambda: throttle.gateway(app, credential, "bench.infusionsoft.com"), *pings]
    for fn in measures:  # warm up
        per_call(fn, min(1000, calls))
    best = [float("inf")] * len(measures)
    for _ in range(rounds):
        for i, fn in enumerate(measures):
            best[i] = min(best[i], per_call(fn, calls))
    throttle.reset(app)
    return tuple(best)


def packed_ping(client):
    """A PING sent as the store sends its scripts (server.throttle.store._Script): packed here, on a pooled
    connection, without redis-py's way to a command."""
    pool = client.connection_pool

    def ping():
        connection = pool.get_connection()
        try:
            connection.send_packed_command([b"*1\r\n$4\r\nPING\r\n"])
            return connection.read_response()
        finally:
            pool.release(connection)

    return ping


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis", default=os.environ.get("SANDBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    targets.step(f"in process, {args.calls // 5:,} calls, {args.rounds} rounds")
    rows = [("in process", *measure(Throttle(MemoryStore()), args.calls // 5, args.rounds), None, None)]
    try:
        targets.step(f"Redis at {args.redis}, {args.calls // 20:,} calls, {args.rounds} rounds")
        store = RedisStore(args.redis, prefix=f"sandbox-bench:{uuid.uuid4().hex}:")
        store.client.ping()
        try:
            rows.append(("Redis on loopback", *measure(Throttle(store), args.calls // 20, args.rounds,
                                                       (store.client.ping, packed_ping(store.client)))))
        finally:  # the OAuth client's windows too (the app's reset leaves them: they are not the app's)
            for name in store.client.scan_iter(match=store.prefix + "*", count=500):
                store.client.delete(name)
    except Exception as exc:  # no Redis here: say so in the report
        rows.append(("Redis on loopback", None, None, None, None))
        print(f"Redis not measured: {exc}", file=sys.stderr)

    from datetime import datetime

    lines = ["## Throttle cost", "",
             f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/throttle_cost.py --calls {args.calls} "
             f"--rounds {args.rounds}` on {machine()} (shared with other work and noisy: each figure is the best "
             "of the rounds). Cost of one call's throttle decision, outside any HTTP: the legacy bucket (a call "
             "that proceeds) and the gateway's windows (an OAuth client: daily quota, rolling minute, per-second "
             "spike, plus the app's tenant windows, in one script run with Redis), beside a Redis PING through the "
             "same client (redis-py's `ping()`). Targets: gateway windows under 20 µs in process, under 2x a PING "
             "with Redis.", "",
             "| store | legacy bucket, µs/call | gateway windows, µs/call | PING, µs | gateway target |",
             "|---|---:|---:|---:|---|"]
    for name, legacy, gateway, ping, _ in rows:
        if legacy is None:
            lines.append(f"| {name} | not measured (no Redis) | | | |")
        elif ping is None:
            verdict = "pass" if gateway < 20 else "FAIL"
            lines.append(f"| {name} | {legacy:.1f} | {gateway:.1f} | | under 20 µs: {verdict} |")
        else:
            verdict = "pass" if gateway < 2 * ping else "FAIL"
            lines.append(f"| {name} | {legacy:.1f} | {gateway:.1f} | {ping:.1f} | "
                         f"{gateway / ping:.2f}x PING, under 2x: {verdict} |")
    for name, _, gateway, _, packed in rows:
        if packed is not None:
            lines += ["", f"For information ({name}): the store sends its scripts packed by itself on a pooled "
                          "connection (server/throttle/store.py), without redis-py's way to a command; a PING sent "
                          f"the same way takes {packed:.1f} µs, and the gateway's windows {gateway / packed:.2f}x "
                          "that."]
    report = "\n".join(lines) + "\n"
    print(report)
    for name, legacy, gateway, ping, _ in rows:
        if legacy is None:
            continue
        if ping is None:
            targets.check(f"legacy bucket, {name}", legacy, at_most=20, unit=" µs")
            targets.check(f"gateway windows, {name}", gateway, at_most=20, unit=" µs")
        else:  # with Redis the targets are round trips: the bucket's 300 µs, the windows' 2x a PING
            targets.check(f"legacy bucket, {name}", legacy, at_most=300, unit=" µs")
            targets.check(f"gateway windows, {name} (x PING)", gateway / ping, at_most=2.0, unit="x")
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## Throttle cost", report)


if __name__ == "__main__":
    main()
