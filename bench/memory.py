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
cache without the bound: 316 KiB an app). The cost: the command loads the application's modules to migrate and
its worker loads them again after the fork, so the server is ready a few seconds later (more on a loaded
machine), and several workers share no module code with the master. The per-app figure varies between runs (102
to 163 KiB in five runs).

Then (108.2 MiB resident idle before, worker 96.8 MiB of Rss): a worker loads whole parts of the server at their
first request, once per process (`server/lazy.py`: the threads that ask at once wait on one lock for the one that
builds it; every later call pays one attribute read): REST v2 (`server/rest_v2/front.py`: the parsed 1.4 MB
OpenAPI document, the 28 family modules, the route table and validators, and jsonschema), REST v1
(`server/rest/front.py`: the resource modules and their pydantic models, imported by the first read of the
registry's operations, and their 150 routes in a Flask application of its own), the control API and the inspector
(`server/sandbox/front.py`, `plane.py`: 170 routes; the health probes stay on the main application) and OAuth's
endpoints (`server/auth/front.py`: authlib); campaign documents load jsonschema and YAML by the first one. Measured
in a fresh interpreter (Rss after `create_app` on a migrated, seeded store, gunicorn not loaded): 97.1 MiB before,
85.3 without REST v2, 78.2 without REST v1, 74.7 without the control plane, 73.0 without OAuth. The first call
of each part pays its load, once (about 0.2 s for REST v1 or v2, 0.3 s for the control API, on this machine);
later calls cost what they did (the same per-call CPU in one run). And the master freezes its objects
(`gc.freeze`, gunicorn's `pre_fork`) so the worker's garbage collections do not write to the pages it shares with
the master (11.4 to 9.8 MiB of the master's private pages). `tests/test_startup_imports.py` fails if a worker on
a migrated store loads Alembic, a first-use library, REST v1 or v2, the control plane or OAuth, if their first
calls do not load them, or if the master loads the application.

Then (82.7 and 82.9 MiB resident idle in two runs before, worker 73.1 and 73.3 MiB of Rss): a SQLite server no
longer loads SQLAlchemy's PostgreSQL dialect. The partial indexes of `server/store/schema/campaigns.py`
(`schema.partial_index`) declare their `sqlite_where` at import and their `postgresql_where`, which SQLAlchemy
checks against the PostgreSQL dialect and so imports it, only when a PostgreSQL engine is made
(`server.store.db.make_engine`, `schema.declare_postgresql`); the migrations create them partial on both stores
as before, and the upserts import their dialect's `insert` by their first use (`db.insert`). And the heartbeat's
first beat comes one interval after the worker starts, not at once: that beat and the worker's first requests at
the same moment (the requests loading their parts, the beat slowed by them) made the pool open a second SQLite
connection, kept for good with its own schema and page cache; an idle worker now holds one connection (4 runs in
4, counted in `/proc/<pid>/fd`; 3 in 4 held two before). `tests/test_startup_imports.py` fails if a SQLite
worker loads the PostgreSQL dialect, at start or by its first calls. After: 80.4, 80.2, 80.2 and 80.0 MiB
resident idle in four runs (the last, above, 79.99: at the target's edge, not under it with any margin; worker
70.4 to 70.7 MiB of Rss; 99 to 147 KiB an app).

Then (80.0 to 80.4 MiB resident idle in four runs before, worker 70.4 to 70.7 MiB of Rss), 2026-12-04: pydantic
(about 8 MiB in a process of its own: the library, pydantic-core's compiled module and the models' validators) is
loaded by its first use. The settings an app may have are described in modules of their own, loaded by the first
app that has some: the fault rules' names (`server/faults/names.py`, what the transports name themselves by) apart
from the rules' model (`rules.py`, loaded when an app's row says it has rules), the deliverability settings
(`server/domain/mail/deliverability_settings.py`, loaded by an app's first email when it has rules of its own, or
by a first outcome other than delivered), the double opt-in links (`confirmation_links.py`) and the retirement
schedule's settings (`server/migration/retirement_settings.py`, by the first app with a schedule); the control
API's declarations and request checks (`server/sandbox/control/endpoints.py`) apart from its models
(`contract.py`), the health probes' answers written as JSON Schema, and the input rules' pydantic types
(`server/sandbox/input_fields.py`) apart from the rules the CLI and seeding check. REST v1 and the control API load
pydantic with their first call, as before. After: 69.8 MiB resident idle (worker 60.7 MiB of Rss).
`tests/test_startup_imports.py` fails if the probes and XML-RPC calls (a contact added and loaded, an opt-in, an
email sent) of an app without such settings load pydantic.

What remains in an idle worker's Rss: gunicorn and the interpreter (shared with the master, 24 MiB), SQLAlchemy
16 MiB (with the asyncio it imports) and its SQLite dialect 1, the table definitions 3 (measured alone:
`server.store.schema` 2.8, `server.tables` 0.4), the domain and the XML-RPC services 7 (every service is declared
at start-up, for the method table), Flask, Werkzeug, Jinja and click 7, lxml 4.8 (the XML-RPC decoder) and one
SQLite connection; the master's 9.6 to 9.8 MiB of private pages are gunicorn's modules, copied by the worker's
writes (reference counts, Python 3.11's specialised bytecode): 4.3 MiB of them even under a trivial WSGI
application. Tried and left, each within the runs' noise (worker Rss, three runs each): glibc's malloc bounded to
one arena instead of two (about 0.2 MiB less, every thread's allocations then on one lock), a `malloc_trim` at
every beat (0.15), the seeding modules loaded by their first use (0.12, measured alone), a collection and a
`malloc_trim` in the master before it forks (0.08).
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
