"""Memory of `sandbox serve`: the resident set of an idle server, and what each additional app adds.

    .venv/bin/python bench/memory.py [--apps 100] [--no-write]

Starts `sandbox serve` (one worker, the default) on a free loopback port with a fresh data dir, waits for
``/sandbox/health``, makes one XML-RPC call to the seeded app, and after a pause (idle) reads the memory of every
process of the server: gunicorn's master and its worker. What counts is their proportional set sizes summed
(``Pss`` of ``/proc/<pid>/smaps_rollup``: each page a process maps, divided by the number of processes mapping
it): the memory the server takes from the machine, the pages master and worker share counted once. Each
process's resident set (``Rss``, shared pages counted in each) is printed beside it. Then creates ``--apps`` apps
through the control API (``POST /sandbox/apps``, seeded as by default), makes one XML-RPC call to each (so
whatever the server keeps per app in use exists: its throttle bucket, its journal ring, its cached record), and
reads the memory again. Targets (issue 18 §8): idle under 80 MiB, each additional app under 200 KiB. Writes
docs/performance.md (section "Memory of the server") unless --no-write.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.xmlrpc_throughput import machine, write_section  # noqa: E402

# `sandbox serve` of this checkout (the venv's `sandbox` script may belong to another one)
SERVE = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from server.cli import main; main(prog_name='sandbox')"


NOTES = """What was done (issue 18 §8). Earlier: `requests`, `icalendar` and `cryptography` loaded by their first
use, and the start-up's freed heap handed back (`malloc_trim` at the end of `create_app`). This bench then read
the Rss of `sandbox serve`'s own process alone, which since `sandbox serve` runs gunicorn is the master, serving
nothing (its 118 MiB, 232 KiB an app, were not the server's memory). Measured as above on 2026-12-04, the code
before the changes below took 178.9 MiB resident idle (Pss 159.4 MiB; master 109.3 MiB and worker 106.7 MiB
of Rss: the master had loaded the whole application and Alembic to migrate) and 345 KiB an app. Changes:
`sandbox serve` migrates, seeds and makes its certificate, then replaces its process (`exec`) with a light
gunicorn master (`server/master.py`, 25 MiB of Rss: gunicorn and the settings, none of the application), whose
worker builds the application after the fork; the worker does not load Alembic (with Mako and Pygments) when
the store is already migrated (`server/store/revisions.py` reads the newest revisions from the migration files
and the store's from `alembic_version`, for `/sandbox/readyz` too); the heartbeat is a plain thread instead of
an APScheduler job; REST v2 body validators are compiled at an operation's first call. Per app: SQLite's page
cache is 8 MiB per connection instead of 64 (375 KiB an app with 64 MiB, 227 with SQLite's default 2 MiB, in
runs before the next change), and glibc's malloc arenas are bounded to 2 before the serving threads start (8 MiB
cache without the bound: 316 KiB an app). `tests/test_startup_imports.py` fails if a worker on a migrated store
loads Alembic or a first-use library, or if the master loads the application. The cost: the command loads the
application's modules to migrate and its worker loads them again after the fork, so the server is ready a few
seconds later (more on a loaded machine), and several workers share no module code with the master. The per-app
figure varies between runs (124 to 149 KiB in three runs).

What remains for the idle target: the worker's modules. In a fresh interpreter, importing `server.app` takes 84 MiB
of the worker's 96 (978 modules): SQLAlchemy's core 26 MiB (with asyncio and importlib.metadata, which it imports),
Flask/Werkzeug/Jinja 7, pydantic 3.5, lxml 4.4, jsonschema 3, the store's table definitions 7, the domain 9, REST
v1's models 5, the REST v2 contract 3.5 (its 1.4 MB OpenAPI document is kept, parsed, for the body validators);
building the application adds about 10 MiB (the registry, the route tables, the contract's operations); the master's
11 MiB of private pages come on top. Under 80 MiB would take not loading whole protocol families until their first
call, or a store layer on the driver without SQLAlchemy's expression machinery, which is left for later.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (gunicorn's master and its workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # (a process that ended meanwhile)
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        out.append(todo.pop())
        todo.extend(children.get(out[-1], ()))
    return out


def rollup(pid: int) -> dict[str, int]:
    """The process's ``Rss``, ``Pss`` and private pages (``Private_Clean`` + ``Private_Dirty``), in KiB."""
    wanted = {"Rss:": "rss", "Pss:": "pss", "Private_Clean:": "private", "Private_Dirty:": "private"}
    out = {"rss": 0, "pss": 0, "private": 0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.split()[0] in wanted:
            out[wanted[line.split()[0]]] += int(line.split()[1])
    return out


def settled(pid: int, pause: float = 2.0) -> dict:
    """The server's memory after it has been left alone for ``pause`` seconds: ``resident``, the largest
    process's Rss plus the other processes' private pages (the pages of the process tree, each counted once:
    the master's shared pages are the worker's too); ``pss``, the processes' Pss summed; and each process's
    Rss (``rss``, the master's first)."""
    time.sleep(pause)
    figures = [rollup(p) for p in tree(pid)]
    largest = max(figures, key=lambda f: f["rss"])
    return {"resident": largest["rss"] + sum(f["private"] for f in figures if f is not largest),
            "pss": sum(f["pss"] for f in figures), "rss": [f["rss"] for f in figures]}


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sandbox serve exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if requests.get(url + "/sandbox/health", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # (the worker still loading the application)
            pass
        time.sleep(0.2)
    raise RuntimeError("sandbox serve did not become healthy")


def measure(apps: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "SANDBOX_DATA_DIR": tmp, "SANDBOX_API_KEY": "memory-bench-key"}
        env.pop("SANDBOX_ADMIN_TOKEN", None)
        proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port",
                                 str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            xmlrpc.client.ServerProxy(url + "/api/xmlrpc").DataService.echo("memory-bench-key", "x")
            idle = settled(proc.pid)
            http = requests.Session()
            add_app(url, http, "mem-first")  # what the first app loads once (the seeding's modules, caches)
            first = settled(proc.pid)
            for i in range(apps):
                add_app(url, http, f"mem{i}")
            after = settled(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"idle": idle, "first": first, "after": after, "apps": apps,
            "per_app_kib": (after["resident"] - first["resident"]) / apps}


def add_app(url: str, http: requests.Session, name: str) -> None:
    """An app made by the control API, and one XML-RPC call to it."""
    made = http.post(url + "/sandbox/apps", json={"name": name}, timeout=60)
    made.raise_for_status()
    xmlrpc.client.ServerProxy(url + "/api/xmlrpc").DataService.echo(made.json()["legacy_api_key"], "x")


def rss_list(figure: dict) -> str:
    return " + ".join(f"{kib / 1024:.1f}" for kib in figure["rss"]) + " MiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    r = measure(args.apps)
    idle_mib = r["idle"]["resident"] / 1024
    verdict = (f"idle {idle_mib:.1f} MiB (target < 80 MiB: {'pass' if idle_mib < 80 else 'FAIL'}); "
               f"{r['per_app_kib']:.0f} KiB per additional app (target < 200 KiB: "
               f"{'pass' if r['per_app_kib'] < 200 else 'FAIL'})")
    for key in ("resident", "pss"):
        print(f"{key}: idle {r['idle'][key]} KiB; after a first app {r['first'][key]} KiB; after {r['apps']} more "
              f"apps {r['after'][key]} KiB")
    print(f"Rss of the master + worker: idle {rss_list(r['idle'])}; after {rss_list(r['after'])}")
    print(verdict)
    if args.no_write:
        return
    body = f"""## Memory of the server

`python bench/memory.py --apps {args.apps}` on {date.today().isoformat()}, {machine()} (2 shared cores; memory
figures do not depend on the other work). `sandbox serve` (one worker, the default: gunicorn's master and its
worker) after 2 s idle, from each process's `/proc/<pid>/smaps_rollup`. "Resident" is the pages of the two
processes, each counted once: the worker's `Rss` plus the master's private pages (what the master shares, it
shares with its forked worker); the targets are judged on it. `Pss` summed is lower: it also divides the pages
shared with every other process of the machine (libc, libpython) among them. Each process's `Rss` beside it:

| state | resident | Pss summed | Rss of master + worker |
|---|---|---|---|
| idle, one XML-RPC call served | {idle_mib:.1f} MiB | {r['idle']['pss'] / 1024:.1f} MiB | {rss_list(r['idle'])} |
| after a first app (control API, seeded, one call) | {r['first']['resident'] / 1024:.1f} MiB | \
{r['first']['pss'] / 1024:.1f} MiB | {rss_list(r['first'])} |
| after {args.apps} more apps | {r['after']['resident'] / 1024:.1f} MiB | {r['after']['pss'] / 1024:.1f} MiB | \
{rss_list(r['after'])} |

{verdict}.

{NOTES}"""
    write_section(ROOT / "docs" / "performance.md", "## Memory of the server", body)


if __name__ == "__main__":
    main()
