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
import json
import os
import statistics
import subprocess
import sys
import tempfile
import xmlrpc.client
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.xmlrpc_throughput import free_port, load, machine, measured, wait_for, write_section  # noqa: E402

NOTE = (" With no rule a call pays one more handler in the gate (a test of the app row's `faults_version`, which "
        "the gate has read anyway) and, on REST, one function call that makes the same test; an unmatched rule "
        "adds matching against the rules the worker parsed once (no statement). The spread of the rounds is the "
        "shared machine's.")

PREPARE = ("import sys, json; from pathlib import Path; sys.path.insert(0, 'bench'); "
           "from xmlrpc_throughput import prepare; print(json.dumps(prepare(Path(sys.argv[1]))))")


def start(checkout: Path, data_dir: Path) -> tuple[subprocess.Popen, int, str, int]:
    """A gunicorn of ``checkout``'s code on its own prepared store: (process, port, key, contact id)."""
    out = subprocess.run([sys.executable, "-c", PREPARE, str(data_dir)], cwd=checkout, check=True,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(checkout)))
    key, contact_id = json.loads(out.stdout.strip().splitlines()[-1])
    port = free_port()
    env = dict(os.environ, SANDBOX_DATA_DIR=str(data_dir), PYTHONPATH=str(checkout))
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=checkout, env=env)
    wait_for(port)
    return proc, port, key, contact_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the code before the change")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-faults-"))
    servers = {}
    try:
        for name, checkout in (("before", args.before.resolve()), ("no rule", ROOT), ("one rule, unmatched", ROOT)):
            data_dir = tmp / name.replace(" ", "-").replace(",", "")
            data_dir.mkdir()
            servers[name] = start(checkout, data_dir)
        _, port, _, _ = servers["one rule, unmatched"]
        made = requests.post(f"http://127.0.0.1:{port}/sandbox/apps/sandbox/faults", timeout=30,
                             json={"match": {"method": "NoSuchService.*"}, "action": {"type": "drop"}})
        made.raise_for_status()
        bodies = {name: xmlrpc.client.dumps((key, cid, ["Id", "FirstName", "LastName", "Email"]),
                                            "ContactService.load").encode()
                  for name, (_, _, key, cid) in servers.items()}
        for name, (_, port, _, _) in servers.items():  # warm up
            load(port, "/api/xmlrpc", bodies[name], 1.0, args.clients)
        runs: dict[str, list] = {name: [] for name in servers}
        names = list(servers)
        for round_ in range(args.rounds):
            for name in names[round_ % 3:] + names[:round_ % 3]:  # each server first in turn
                proc, port, _, _ = servers[name]
                runs[name].append(measured(proc.pid, port, "/api/xmlrpc", bodies[name], args.seconds, args.clients))
    finally:
        for proc, *_ in servers.values():
            proc.terminate()
        for proc, *_ in servers.values():
            try:
                proc.wait(40)  # gunicorn's graceful stop
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    rows = []
    for name, series in runs.items():
        rates = [r[0] / b[0] for r, b in zip(series, runs["before"])]
        cpus = [r[2] / b[2] for r, b in zip(series, runs["before"]) if r[2] and b[2]]
        errors = sum(r[1] for r in series)
        rows.append(f"| {name} | {statistics.median(r[0] for r in series):,.0f} | {errors} | "
                    f"**{statistics.median(rates):.2f}** ({', '.join(f'{x:.2f}' for x in rates)}) | "
                    f"**{statistics.median(cpus):.2f}** ({', '.join(f'{x:.2f}' for x in cpus)}) |" if cpus else
                    f"| {name} | {statistics.median(r[0] for r in series):,.0f} | {errors} | "
                    f"**{statistics.median(rates):.2f}** | n/a |")
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
