"""What the retirement schedule (server.migration.retirement) costs an XML-RPC call it lets through:
bench/faults_overhead.py's setup (gunicorn, 2 threaded workers, SQLite, a seeded app plus 1,000 contacts,
throttling off) for the code before the change (``--before``, e.g. the main branch) and for this checkout:

    .venv/bin/python bench/retirement_overhead.py --before /work/main [--seconds 5] [--rounds 3] [--no-write]

Three servers measured in turn round after round with ContactService.load: the code before, this code with no
schedule (the default; the target: within 5% of before, a rate ratio of at least 0.95), and this code with the
``keap-2026`` preset and legacy keys retiring in 2099, on a clock outside every window (the schedule is then
looked up and decided on every call). Writes the section "Retirement schedule overhead" of docs/performance.md
unless --no-write.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.xmlrpc_throughput import machine, write_section  # noqa: E402

SCHEDULE = {"xmlrpc": {"preset": "keap-2026"}, "legacy_keys": {"retired": "2099-01-01T00:00:00Z"}}
CLOCK = {"time": "2026-10-01T12:00:00Z", "frozen": True}  # between the last brownout and the sunset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the code before the change")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    def schedule(ports: dict[str, int]) -> None:
        base = f"http://127.0.0.1:{ports['keap-2026 schedule']}/sandbox/apps/sandbox"
        requests.post(base + "/clock", json=CLOCK, timeout=30).raise_for_status()
        requests.put(base + "/retirement", json=SCHEDULE, timeout=30).raise_for_status()

    rows = common.overhead_rows({"before": args.before.resolve(), "no schedule": ROOT, "keap-2026 schedule": ROOT},
                                Path(tempfile.mkdtemp(prefix="sandbox-bench-retirement-")), seconds=args.seconds,
                                rounds=args.rounds, clients=args.clients, setup=schedule)
    lines = [
        "## Retirement schedule overhead",
        "",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/retirement_overhead.py --before "
        f"<checkout> --seconds {args.seconds:g} --rounds {args.rounds} --clients {args.clients}` on {machine()}: "
        "`ContactService.load` on the legacy endpoint of three gunicorn servers (2 `gthread` workers of 4 threads "
        "each, SQLite, seeded app plus 1,000 contacts, throttling off), measured in turn round after round: the "
        "code before retirement schedules, the code with them and no schedule (the target: a rate ratio of at "
        "least 0.95), and the code with the `keap-2026` preset and a legacy-key retirement date, on a clock "
        "outside every window (the call is let through after the schedule is decided). Ratios are the median of "
        "the rounds' ratios to \"before\" of the same round (each round's in brackets); other processes share the "
        "machine (2 cores, shared, noisy), so read the ratios, not the absolute numbers. With no schedule a call "
        "pays one more handler in the gate and a lookup in the app's options; with one, a comparison of the "
        "app's clock with the parsed schedule, kept per app.",
        "",
        "| server | calls/s (median) | errors | rate ratio to before | server CPU per call, ratio to before |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## Retirement schedule overhead", "\n".join(lines))


if __name__ == "__main__":
    main()
