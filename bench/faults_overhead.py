"""What fault injection costs a call that no rule breaks: bench/xmlrpc_throughput.py's setup (gunicorn, 2
threaded workers, SQLite, a seeded app plus 1,000 contacts, throttling off) run for the code before the change
(another checkout, ``--before``, e.g. the main branch) and for this checkout, side by side in one run:

    .venv/bin/python bench/faults_overhead.py --before /work/main [--seconds 5] [--rounds 3] [--no-write]

Three servers, each measured in turn round after round with ContactService.load: the code before, this code
with no rule (the target: within 5% of before), and this code with one rule on the app that the call does not
match (the rules are then read and matched on every call). A ratio is the median of the rounds' ratios to
"before" of the same round. Writes the section "Fault injection overhead" of docs/performance.md unless
--no-write.
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

NOTE = (" With no rule a call pays one more handler in the gate (a test of the app row's `faults_version`, which "
        "the gate has read anyway) and, on REST, one function call that makes the same test; an unmatched rule "
        "adds matching against the rules the worker parsed once (no statement). The spread of the rounds is the "
        "shared machine's.")

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the code before the change")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    def one_rule(ports: dict[str, int]) -> None:
        made = requests.post(f"http://127.0.0.1:{ports['one rule, unmatched']}/sandbox/apps/sandbox/faults",
                             json={"match": {"method": "NoSuchService.*"}, "action": {"type": "drop"}}, timeout=30)
        made.raise_for_status()

    rows = common.overhead_rows({"before": args.before.resolve(), "no rule": ROOT, "one rule, unmatched": ROOT},
                                Path(tempfile.mkdtemp(prefix="sandbox-bench-faults-")), seconds=args.seconds,
                                rounds=args.rounds, clients=args.clients, setup=one_rule)
    lines = [
        "## Fault injection overhead",
        "",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/faults_overhead.py --before "
        f"<checkout> --seconds {args.seconds:g} --rounds {args.rounds} --clients {args.clients}` on {machine()}: "
        "`ContactService.load` on three gunicorn servers (2 `gthread` workers of 4 threads each, SQLite, seeded "
        "app plus 1,000 contacts, throttling off), measured in turn round after round: the code before fault "
        "injection, the code with it and no rule (the target: within 5% of before, a rate ratio of at least "
        "0.95), and the code with one rule on the app that the call does not match. Ratios are the median of "
        "the rounds' ratios to \"before\" of the same round (each round's in brackets); other processes share "
        "the machine, so read the ratios, not the absolute numbers." + NOTE,
        "",
        "| server | calls/s (median) | errors | rate ratio to before | server CPU per call, ratio to before |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## Fault injection overhead", "\n".join(lines))


if __name__ == "__main__":
    main()
