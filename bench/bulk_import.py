"""Bulk import: an app export of N contacts (default 100,000) loaded by `sandbox apps import` (server.sandbox
.exports.import_app, reading the gzip file as it loads), against a plain ``executemany`` of the same rows on
the same SQLite driver; and N contacts added through the domain's bulk path (what ``POST /sandbox/apps/<app>/
contacts:import`` runs: checks, email status rows, events) against the same baseline.

    .venv/bin/python bench/bulk_import.py [--contacts 100000] [--no-write]
    .venv/bin/python bench/bulk_import.py --contacts 1000000        # the issue's full figure

Each measurement runs in a child process of its own (a fresh interpreter with the server imported, the target
store already migrated), timed around the load alone (wall and CPU) and with the child's peak RSS
(``ru_maxrss``); each is run ``--rounds`` times (default 3), interleaved, and the best kept. The target is
judged on CPU time (wall time on the shared 2-core machine is mostly waiting). The baseline child reads the
same rows from the source store into tuples first (not timed) and then times one ``executemany`` per table into
an empty migrated store, in one transaction, on a connection with the store's own settings. Targets (issue
18 §2): the import within 2x the baseline's time, peak RSS under 300 MB at 1,000,000 contacts. Writes
docs/performance.md (section "Bulk import") unless --no-write.
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLES = ("contact", "email_status")  # the app-data tables a contact-only export fills


def _env(data_dir: str):
    from server.config import from_env
    from server.wiring import build_environment

    return build_environment(from_env(data_dir=data_dir))


def make_source(tmp: str, contacts: int) -> Path:
    """An app of ``contacts`` contacts (as contacts.add stores them, with their email status rows), exported."""
    from server.sandbox import exports
    from server.store import apps, schema
    from server.store.db import transaction

    env = _env(f"{tmp}/source")
    with transaction(env.engine, write=True) as conn:
        app = apps.create(conn, "bulk", time_zone="America/New_York")
        s = env.session(conn, app)
        for start in range(0, contacts, 50_000):
            n = min(50_000, contacts - start)
            first, status, now = s.next_id("contact", n), s.next_id("email_status", n), s.now_local()
            s.insert(schema.contact, [dict(
                id=first + i, kind="contact", first_name=f"First{start + i}", last_name=f"Last{start + i}",
                email=f"c{start + i}@example.com", phone1=f"555-01{(start + i) % 10000:04d}", city="Springfield",
                date_created=now, last_updated=now) for i in range(n)])
            s.insert(schema.email_status, [dict(
                id=status + i, email=f"c{start + i}@example.com", email_key=f"c{start + i}@example.com",
                type="NonMarketable", date_created=now) for i in range(n)])
        app = apps.by_id(conn, app.id)
    path = Path(tmp) / "bulk.jsonl.gz"
    with path.open("wb") as out:
        exports.export_app_to(env, app, out)
    env.engine.dispose()
    return path


def child_import(file: str, data_dir: str) -> dict:
    from server.sandbox import exports

    env = _env(data_dir)
    wall, cpu = time.perf_counter(), time.process_time()
    with open(file, "rb") as stream:
        exports.import_app(env, stream, "copy")
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def child_domain(contacts: int, data_dir: str) -> dict:
    from server.domain.crm import contact_import
    from server.store import apps
    from server.store.db import transaction

    env = _env(data_dir)
    records = ((i, {"FirstName": f"First{i}", "LastName": f"Last{i}", "Email": f"c{i}@example.com",
                    "Phone1": f"555-01{i % 10000:04d}", "City": "Springfield"}) for i in range(contacts))
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction(env.engine, write=True) as conn:
        s = env.session(conn, apps.by_name(conn, "target"))
        contact_import.import_contacts(s, records)
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def child_executemany(source_db: str, data_dir: str) -> dict:
    """The same rows, read into tuples untimed, then one executemany per table, timed, in one transaction."""
    from server.store import db

    source = sqlite3.connect(source_db)
    target_db = f"{data_dir}/sandbox.db"
    engine = db.make_engine(f"sqlite:///{target_db}")
    db.upgrade(engine)
    engine.dispose()
    batches = []
    for table in TABLES:
        cursor = source.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cursor.description]
        batches.append((f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        cursor.fetchall()))
    source.close()
    engine = db.make_engine(f"sqlite:///{target_db}")  # the store's own connection settings (WAL, synchronous …)
    target = engine.raw_connection().driver_connection
    wall, cpu = time.perf_counter(), time.process_time()
    with target:
        for sql, rows in batches:
            target.executemany(sql, [(r[0] + 1,) + r[1:] for r in rows])  # app_id first: another app's rows
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare_target(tmp: str, name: str, app: str | None = None) -> str:
    from server.store import apps
    from server.store.db import transaction

    data_dir = f"{tmp}/{name}"
    env = _env(data_dir)
    if app:
        with transaction(env.engine, write=True) as conn:
            apps.create(conn, app, time_zone="America/New_York")
    env.engine.dispose()
    return data_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the best of each is kept")
    parser.add_argument("--no-domain", action="store_true",
                        help="leave out the domain path (one transaction: its events are held until the commit, "
                             "several GB at 1,000,000 contacts)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"import": lambda: child_import(*rest), "executemany": lambda: child_executemany(*rest),
                  "domain": lambda: child_domain(int(rest[0]), rest[1])}[kind]()
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from bench.xmlrpc_throughput import machine, write_section

    n = args.contacts
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        source = make_source(tmp, n)
        print(f"export of {n:,} contacts: {source.stat().st_size:,} bytes ({time.perf_counter() - started:.1f} s)")
        runs: dict[str, list[dict]] = {"base": [], "import": [], "domain": []}
        for r in range(args.rounds):  # interleaved, so a burst of other work on the machine hits each alike
            runs["base"].append(run_child("executemany", f"{tmp}/source/sandbox.db",
                                          prepare_target(tmp, f"baseline{r}")))
            runs["import"].append(run_child("import", str(source), prepare_target(tmp, f"imported{r}")))
            if not args.no_domain:
                runs["domain"].append(run_child("domain", str(n), prepare_target(tmp, f"domain{r}", app="target")))
    best = {name: {k: min(x[k] for x in done) for k in done[0]} for name, done in runs.items() if done}
    base, imported = best["base"], best["import"]
    ratio = imported["cpu"] / base["cpu"]
    rows = [("plain executemany (baseline)", base), ("`sandbox apps import` of the export", imported)]
    if "domain" in best:
        rows.append(("domain bulk add (`contacts:import`)", best["domain"]))
    table = "\n".join(f"| {name} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['cpu'] / base['cpu']:.2f}x | "
                      f"{r['seconds'] / base['seconds']:.2f}x | {r['maxrss_mb']:.0f} |" for name, r in rows)
    verdict = (f"import {ratio:.2f}x the baseline's CPU time (target ≤ 2x: {'pass' if ratio <= 2 else 'FAIL'}); "
               "peak RSS "
               f"{imported['maxrss_mb']:.0f} MB (target < 300 MB at 1,000,000 contacts: "
               f"{'pass' if imported['maxrss_mb'] < 300 else 'FAIL'})")
    print(table)
    print(verdict)
    if args.no_write:
        return
    body = f"""## Bulk import

`python bench/bulk_import.py --contacts {n}` on {date.today().isoformat()}, {machine()} (2 shared cores,
noisy: other work ran at the same time; the ratios are measured in one run and are what counts).
{n:,} contacts with their email status rows ({2 * n:,} rows), on SQLite; each figure from its own child
process, timed around the load alone, best of {args.rounds} interleaved runs. The target is judged on CPU time:
wall time here is dominated by waits for the disk and the cores, which other engineers' work shares:

| load of {n:,} contacts | wall s | CPU s | CPU vs baseline | wall vs baseline | peak RSS MB |
|---|---|---|---|---|---|
{table}

{verdict}. The baseline is one `executemany` per table of rows already in memory as tuples; the import reads
the gzip file a line at a time, checks each value against its column (server.store.rows) and writes
{5000:,} rows per `executemany` (server.store.portable), so its memory does not grow with the file. The domain
path also checks every field as `ContactService.add` does, normalises phones, writes the email status rows and
emits a `contact.added` event per contact (its change-log row written at commit).
"""
    write_section(ROOT / "docs" / "performance.md", "## Bulk import", body)


if __name__ == "__main__":
    main()
