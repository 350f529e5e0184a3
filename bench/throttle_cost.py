"""The throttle's cost per call: the legacy bucket's decision and the gateway's quota windows, in this
process and with Redis on loopback, measured in one run.

    .venv/bin/python bench/throttle_cost.py [--calls 20000] [--redis redis://127.0.0.1:6379/0] [--no-write]

Writes the section "Throttle cost" of docs/performance.md unless --no-write. Targets: under 20 µs a call in
process, under 300 µs with Redis on loopback.
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
    for _ in range(min(1000, calls)):
        fn()
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls * 1e6


def measure(throttle: Throttle, calls: int) -> tuple[float, float]:
    app = app_record()
    credential = Credential("oauth", f"client:{uuid.uuid4().hex}")
    legacy = per_call(lambda: throttle.legacy(app, lambda: app.clock_state), calls)
    gateway = per_call(lambda: throttle.gateway(app, credential, "bench.infusionsoft.com"), min(calls, 1400))
    throttle.reset(app)
    return legacy, gateway


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--redis", default=os.environ.get("SANDBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    targets.step(f"in process, {args.calls:,} calls")
    rows = [("in process", *measure(Throttle(MemoryStore()), args.calls))]
    try:
        targets.step(f"Redis at {args.redis}, {args.calls // 4:,} calls")
        store = RedisStore(args.redis, prefix=f"sandbox-bench:{uuid.uuid4().hex}:")
        store.client.ping()
        rows.append(("Redis on loopback", *measure(Throttle(store), args.calls // 4)))
    except Exception as exc:  # no Redis here: say so in the report
        rows.append(("Redis on loopback", None, None))
        print(f"Redis not measured: {exc}", file=sys.stderr)

    from datetime import datetime

    lines = ["## Throttle cost", "",
             f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/throttle_cost.py --calls {args.calls}` "
             f"on {machine()}. "
             "Cost of one call's throttle decision, outside any HTTP: the legacy bucket (a call that proceeds) and "
             "the gateway's windows (an OAuth client: daily quota, rolling minute, per-second spike, plus the "
             "app's tenant windows). Targets: under 20 µs in process, under 300 µs with Redis.", "",
             "| store | legacy bucket, µs/call | gateway windows, µs/call |", "|---|---:|---:|"]
    for name, legacy, gateway in rows:
        if legacy is None:
            lines.append(f"| {name} | not measured (no Redis) | |")
        else:
            lines.append(f"| {name} | {legacy:.1f} | {gateway:.1f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    for name, legacy, gateway in rows:
        if legacy is not None:
            limit = 20 if name == "in process" else 300
            targets.check(f"legacy bucket, {name}", legacy, at_most=limit, unit=" µs")
            targets.check(f"gateway windows, {name}", gateway, at_most=limit, unit=" µs")
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## Throttle cost", report)


if __name__ == "__main__":
    main()
