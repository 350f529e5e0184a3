"""Scale-out on PostgreSQL + Redis: `ContactService.load` under gunicorn with 1, 2 and 4 workers, the throttle
on (its state in Redis), beside one worker on the embedded SQLite store, measured in one run.

    .venv/bin/python bench/scale_out.py [--workers 1,2,4] [--seconds 3] [--rounds 2] [--clients 4]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/0] [--no-write]

The client processes are pinned to the last core (sched_setaffinity, what `taskset` does) and the servers to the
others, so the clients' CPU never counts as the server's. Per configuration: calls/s (median of the rounds),
the CPU per call of the gunicorn processes, of the PostgreSQL backends serving them and of the Redis server
(from /proc and INFO; Redis may serve other work on a shared machine: an upper bound), and the ratio to one
worker. The store is analysed after seeding (ANALYZE, as autovacuum would soon do). Bounded: every server start
waits at most 60 s, every measurement runs ``--seconds``.

Writes the section "Scale-out on PostgreSQL + Redis" of docs/performance.md unless --no-write (the prose
under its first ``###`` heading, the reading of the figures and the capacity model, is kept). Target (issue
18 §7): PostgreSQL's CPU per call (worker plus database, the throttle in process on both) at most 1.5x SQLite's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
import xmlrpc.client
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.xmlrpc_throughput import free_port, load, machine, server_cpu, wait_for, write_section  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import from_env  # noqa: E402
from server.domain.crm import contacts  # noqa: E402
from server.store import apps  # noqa: E402
from server.store.db import make_engine, refresh_statistics, transaction  # noqa: E402

BIG = 10**9
THROTTLE = {"legacy": {"bucket_size": BIG}}  # on, its bucket never empties: every call asks the store


def prepare(data_dir: Path, database_url: str | None, redis_url: str | None) -> tuple[str, int]:
    """A seeded app with 1,000 more contacts; returns its key and one contact id."""
    app = create_app(from_env(data_dir=str(data_dir), database_url=database_url, redis_url=redis_url,
                              tick_seconds=0))
    sandbox = app.extensions["sandbox"]
    with transaction(sandbox.engine, write=True) as conn:
        record = apps.by_name(conn, "sandbox")
        apps.update(conn, record.id, options={**record.options, "throttle": THROTTLE})
        s = sandbox.env.session(conn, apps.by_name(conn, "sandbox"))
        first = None
        for i in range(1000):
            cid = contacts.add(s, {"FirstName": f"Scale{i}", "LastName": "Out", "Email": f"scale{i}@example.com"})
            first = first or cid
    refresh_statistics(sandbox.engine)
    sandbox.engine.dispose()
    return sandbox.default_app.legacy_key, first


def cores() -> tuple[set[int], set[int]]:
    """(the servers' cores, the clients' core)."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return set(available), set(available)
    return set(available[:-1]), {available[-1]}


def postgres_pids(url: str) -> list[int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    finally:
        engine.dispose()


def pids_cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass  # a backend that ended
    return total / os.sysconf("SC_CLK_TCK")


def redis_cpu(client) -> float:
    info = client.info("cpu") if client else {}
    return float(info.get("used_cpu_sys", 0)) + float(info.get("used_cpu_user", 0))


def run_server(workers: int, env: dict, server_cores: set[int]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads",
                             "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env,
                            preexec_fn=lambda: os.sched_setaffinity(0, server_cores))
    try:
        wait_for(port)
    except RuntimeError:
        proc.kill()
        raise
    return proc, port


def measure(name: str, workers: int, env: dict, body: bytes, args, database_url: str | None, redis) -> dict:
    server_cores, client_cores = cores()
    proc, port = run_server(workers, env, server_cores)
    own = os.sched_getaffinity(0)
    os.sched_setaffinity(0, client_cores)  # the client processes inherit it
    try:
        load(port, "/api/xmlrpc", body, 1.0, args.clients)  # warm up: every worker's pool and prepared statements
        db_pids = postgres_pids(database_url) if database_url else []
        rates, worker_cpu, db_cpu, redis_cpu_ = [], [], [], []
        for _ in range(args.rounds):
            w0, d0, r0 = server_cpu(proc.pid), pids_cpu(db_pids), redis_cpu(redis)
            rate, errors = load(port, "/api/xmlrpc", body, args.seconds, args.clients)
            w1, d1, r1 = server_cpu(proc.pid), pids_cpu(db_pids), redis_cpu(redis)
            if errors:
                raise RuntimeError(f"{name}: {errors} calls failed")
            calls = rate * args.seconds
            rates.append(rate)
            worker_cpu.append((w1 - w0) / calls * 1e6 if w0 is not None and w1 is not None else float("nan"))
            db_cpu.append((d1 - d0) / calls * 1e6)
            redis_cpu_.append((r1 - r0) / calls * 1e6)
    finally:
        os.sched_setaffinity(0, own)
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return {"name": name, "workers": workers, "rate": statistics.median(rates),
            "worker": statistics.median(worker_cpu), "db": statistics.median(db_cpu),
            "redis": statistics.median(redis_cpu_) if redis else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("SANDBOX_TEST_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default=os.environ.get("SANDBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    import redis as redis_client  # noqa: PLC0415  (a bench dependency only)

    redis = redis_client.Redis.from_url(args.redis)
    redis.ping()
    admin_url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"sandbox_scale_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    pg_url = admin_url.rsplit("/", 1)[0] + "/" + name
    prefix = f"sandbox-scale:{uuid.uuid4().hex}:"
    results = []
    try:
        sqlite_dir = Path(tempfile.mkdtemp(prefix="sandbox-scale-"))
        key, cid = prepare(sqlite_dir, None, None)
        body = xmlrpc.client.dumps((key, cid, ["Id", "FirstName", "LastName", "Email"]), "ContactService.load").encode()
        env = dict(os.environ, SANDBOX_DATA_DIR=str(sqlite_dir), PYTHONPATH=str(ROOT), SANDBOX_TICK_SECONDS="0")
        env.pop("DATABASE_URL", None)
        env.pop("SANDBOX_REDIS_URL", None)
        results.append(measure("SQLite, in-process throttle", 1, env, body, args, None, None))

        pg_dir = Path(tempfile.mkdtemp(prefix="sandbox-scale-"))
        key, cid = prepare(pg_dir, pg_url, args.redis)
        body = xmlrpc.client.dumps((key, cid, ["Id", "FirstName", "LastName", "Email"]), "ContactService.load").encode()
        env = dict(os.environ, SANDBOX_DATA_DIR=str(pg_dir), PYTHONPATH=str(ROOT), SANDBOX_TICK_SECONDS="0",
                   DATABASE_URL=pg_url, SANDBOX_REDIS_URL=args.redis, SANDBOX_REDIS_PREFIX=prefix)
        alone = {k: v for k, v in env.items() if k not in ("SANDBOX_REDIS_URL", "SANDBOX_REDIS_PREFIX")}
        results.append(measure("PostgreSQL, in-process throttle", 1, alone, body, args, pg_url, None))
        for n in counts:
            results.append(measure("PostgreSQL + Redis", n, env, body, args, pg_url, redis))
    finally:
        make_engine(pg_url).dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        for found in redis.scan_iter(match=prefix + "*", count=500):
            redis.delete(found)

    sqlite, alone = results[0], results[1]
    sqlite_cpu = sqlite["worker"]
    scaled = results[2:]
    one = scaled[0]
    server_cores, client_cores = cores()
    lines = [
        "## Scale-out on PostgreSQL + Redis", "",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/scale_out.py --workers {args.workers} "
        f"--seconds {args.seconds:g} --rounds {args.rounds} --clients {args.clients}` on {machine()}, shared with "
        "other work (noisy: read the CPU per call more than the rates). `ContactService.load` over keep-alive from "
        f"{args.clients} client processes pinned to core {sorted(client_cores)}; gunicorn (`-k gthread --threads 4`) "
        f"pinned to cores {sorted(server_cores)}; PostgreSQL and Redis on the same machine, unpinned. Throttle on "
        "(the legacy bucket, in Redis for the PostgreSQL runs). CPU per call: the gunicorn processes', the "
        "PostgreSQL backends' that serve them, and the Redis server's (shared: an upper bound); the median of "
        f"{args.rounds} rounds of {args.seconds:g} s.", "",
        "| store | workers | calls/s | worker CPU/call | PostgreSQL CPU/call | Redis CPU/call | total CPU/call, "
        "ratio to SQLite | calls/s ratio to 1 worker |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        total = r["worker"] + r["db"] + (r["redis"] or 0)
        scale = f"{r['rate'] / one['rate']:.2f}" if r in scaled else ""
        redis_text = "" if r["redis"] is None else f"{r['redis']:.0f} µs"
        db_text = "" if r is sqlite else f"{r['db']:.0f} µs"
        lines.append(f"| {r['name']} | {r['workers']} | {r['rate']:,.0f} | {r['worker']:.0f} µs | {db_text} | "
                     f"{redis_text} | {total:.0f} µs, **{total / sqlite_cpu:.2f}x** | {scale} |")
    extra = scaled[1:]
    per_worker = ", ".join(f"{(r['rate'] / one['rate'] - 1) / (r['workers'] - one['workers']):+.2f} per added "
                           f"worker at {r['workers']}" for r in extra)
    pg_total = alone["worker"] + alone["db"]
    verdict = "pass" if pg_total <= 1.5 * sqlite_cpu else "FAIL"
    lines += ["", f"PostgreSQL's CPU per call (worker plus database, one worker, the throttle in process on both) "
              f"is {pg_total / sqlite_cpu:.2f}x SQLite's (target at most 1.5x: {verdict}); with the throttle in "
              f"Redis, {(one['worker'] + one['db'] + (one['redis'] or 0)) / sqlite_cpu:.2f}x. Calls/s gained per "
              f"added worker, as a fraction of one worker's: {per_worker or 'n/a'}.", ""]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        path = ROOT / "docs" / "performance.md"
        heading = "## Scale-out on PostgreSQL + Redis"
        model = _kept_model(path, heading)
        write_section(path, heading, report + ("\n" + model if model else ""))


def _kept_model(path: Path, heading: str) -> str:
    """The prose written under the generated table (its first ``### `` heading to the section's end): the
    reading of the figures and the capacity model."""
    text = path.read_text() if path.exists() else ""
    start = text.find(heading)
    if start == -1:
        return ""
    end = text.find("\n## ", start + len(heading))
    section = text[start:end if end != -1 else len(text)]
    at = section.find("\n### ")
    return section[at + 1:].rstrip() + "\n" if at != -1 else ""


if __name__ == "__main__":
    main()
