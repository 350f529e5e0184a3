"""What the benches share.

The store-filling benches (broadcast, engine_drain, snapshot_restore): a migrated store with everything installed,
a bench app on a frozen clock (Monday 2 March 2026, 08:00 local), with a business address when its emails need
one, and bulk rows written straight to its tables with their id sequences.

The overhead benches (faults_overhead, retirement_overhead): gunicorn servers of two checkouts, each on its own
prepared store (bench/xmlrpc_throughput.py's ``prepare``), measured in turn round after round with
ContactService.load, and the table rows of their ratios to the code before the change."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench.xmlrpc_throughput import free_port, load, measured, wait_for
from server.clock import ClockState
from server.config import from_env
from server.environment import Environment
from server.store import apps, db, schema
from server.store.session import AppRecord
from server.wiring import build_registry

# broadcasts and sequence emails go out only from an app with a business address (CAN-SPAM)
BUSINESS_PROFILE = {"address": {"line1": "1 Main Street", "locality": "Denver"}}


def environment(url: str, **settings) -> Environment:
    """The store at ``url``, migrated, with every listener installed (as the server builds it)."""
    config = from_env(database_url=url, **settings)
    engine = db.make_engine(url)
    db.upgrade(engine)
    return Environment.build(config, engine, build_registry(config))


def start_clock() -> ClockState:
    return ClockState().set(time.mktime((2026, 3, 2, 8, 0, 0, 0, 0, -1))).freeze()


def new_app(conn, name: str | None = None, start: ClockState | None = None, **fields) -> AppRecord:
    """An app on the clock ``start`` (the start clock by default; New York time unless ``fields`` say
    otherwise), named ``name`` or ``bench<time>``."""
    fields.setdefault("time_zone", "America/New_York")
    app = apps.create(conn, name or f"bench{int(time.time())}", **fields)
    apps.set_clock(conn, app.id, start or start_clock())
    return apps.by_id(conn, app.id)


def insert_rows(conn, app_id: int, rows: dict, sequences: dict[str, int], *, chunk: int = 5000) -> None:
    """``rows`` (table -> row dicts) in chunks, then each id sequence of ``sequences`` (name -> last id used)."""
    for table, values in rows.items():
        for k in range(0, len(values), chunk):
            conn.execute(sa.insert(table), values[k:k + chunk])
    for name, last in sequences.items():
        conn.execute(sa.insert(schema.id_sequence).values(app_id=app_id, name=name, next_id=last + 1))


# --- the overhead benches -------------------------------------------------------------------------------------

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


def overhead_rows(checkouts: dict[str, Path], tmp: Path, *, seconds: float, rounds: int, clients: int,
                  setup: Callable[[dict[str, int]], None] = lambda ports: None) -> list[str]:
    """Start a server per checkout (the first is "before"), let ``setup`` prepare them (server name -> port),
    measure ContactService.load on each in turn round after round (each server first in turn), stop them, and
    answer a table row per server: median calls/s, errors, and the median of the rounds' rate and server-CPU
    ratios to the first server's in the same round (each round's in brackets)."""
    servers = {}
    try:
        for name, checkout in checkouts.items():
            data_dir = tmp / name.replace(" ", "-").replace(",", "")
            data_dir.mkdir()
            servers[name] = start(checkout, data_dir)
        setup({name: port for name, (_, port, _, _) in servers.items()})
        bodies = {name: xmlrpc.client.dumps((key, cid, ["Id", "FirstName", "LastName", "Email"]),
                                            "ContactService.load").encode()
                  for name, (_, _, key, cid) in servers.items()}
        for name, (_, port, _, _) in servers.items():  # warm up
            load(port, "/api/xmlrpc", bodies[name], 1.0, clients)
        runs: dict[str, list] = {name: [] for name in servers}
        names = list(servers)
        for round_ in range(rounds):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                proc, port, _, _ = servers[name]
                runs[name].append(measured(proc.pid, port, "/api/xmlrpc", bodies[name], seconds, clients))
    finally:
        for proc, *_ in servers.values():
            proc.terminate()
        for proc, *_ in servers.values():
            try:
                proc.wait(40)  # gunicorn's graceful stop
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    before = runs[names[0]]
    rows = []
    for name, series in runs.items():
        rates = [r[0] / b[0] for r, b in zip(series, before)]
        cpus = [r[2] / b[2] for r, b in zip(series, before) if r[2] and b[2]]
        cpu = f"**{statistics.median(cpus):.2f}** ({', '.join(f'{x:.2f}' for x in cpus)})" if cpus else "n/a"
        rows.append(f"| {name} | {statistics.median(r[0] for r in series):,.0f} | {sum(r[1] for r in series)} | "
                    f"**{statistics.median(rates):.2f}** ({', '.join(f'{x:.2f}' for x in rates)}) | {cpu} |")
    return rows
