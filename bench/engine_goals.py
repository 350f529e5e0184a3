"""Goal events through the API: tags applied (ContactService.addToGroup) and API goals
(FunnelService.achieveGoal), each achieving a published goal whose sequence's first items (an email and a
tag) run in the same call (the eager mode), on the embedded SQLite store, one server process.

    .venv/bin/python bench/engine_goals.py [--seconds 5] [--rounds 3] [--clients 4] [--no-write]

The server is gunicorn with one worker of `sandbox serve`'s class (server.master.SandboxWorker, gunicorn's
`gthread` with 8 threads and the fast path for a kept-alive connection's next call; with its C HTTP parser when
`gunicorn[fast]` is installed, as `make bench` does); client processes post pre-encoded calls, each for a contact
of its own, so every call is a new goal event, and a plain ContactService.load is measured in each round as
its baseline. Target: at least 500 goal events a second. Writes docs/performance.md (section "Campaign engine:
goal events through the API") unless --no-write.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from bench.xmlrpc_throughput import free_port, http_parser, machine, server_cpu, wait_for, write_section  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import from_env  # noqa: E402
from server.engine import campaigns  # noqa: E402
from server.store import apps, schema  # noqa: E402
from server.store.db import transaction  # noqa: E402

CONTACTS = 60_000
PLACEHOLDER = 999_999_999

CAMPAIGN = {
    "name": "Bench goals",
    "resources": {"tags": ["Bench applied", "Bench done"]},
    "goals": [{"key": "tagged", "type": "tag_applied", "tag": "Bench applied"},
              {"key": "api", "type": "api_call", "integration": "bench", "call_name": "go", "entry_point": True}],
    "sequences": [
        {"key": "after_tag", "items": [{"type": "email", "name": "tagged", "subject": "Hi ~Contact.FirstName~",
                                        "html": "<p>Tagged</p>"},
                                       {"type": "apply_tag", "tag": "Bench done"}]},
        {"key": "after_api", "items": [{"type": "email", "name": "api", "subject": "Hello ~Contact.FirstName~",
                                        "html": "<p>API</p>"},
                                       {"type": "apply_tag", "tag": "Bench done"}]},
    ],
    "links": [["tagged", "after_tag"], ["api", "after_api"]],
}


def prepare(data_dir: Path) -> tuple[str, int, int]:
    """The seeded app with CONTACTS more contacts (opted in), its throttling off and the bench campaign
    published; returns its key, the tag id and the first bench contact id."""
    app = create_app(from_env(data_dir=str(data_dir), tick_seconds=0))
    sandbox = app.extensions["sandbox"]
    with transaction(sandbox.engine, write=True) as conn:
        record = apps.by_name(conn, "sandbox")
        apps.update(conn, record.id, options={**record.options, "throttle": {"enabled": False}})
        s = sandbox.env.session(conn, apps.by_name(conn, "sandbox"))
        first = s.next_id("contact", CONTACTS)
        status_first = s.next_id("email_status", CONTACTS)
        s.insert(schema.contact, [dict(id=first + i, kind="contact", first_name=f"B{i}",
                                       email=f"bench{i}@example.com") for i in range(CONTACTS)])
        s.insert(schema.email_status, [dict(id=status_first + i, email=f"bench{i}@example.com",
                                            email_key=f"bench{i}@example.com", type="SingleOptIn")
                                       for i in range(CONTACTS)])
        campaign_id = campaigns.import_document(s, CAMPAIGN).campaign_id
        campaigns.publish(s, campaign_id)
        t = schema.tag
        tag_id = s.execute(s.select(t, t.c.id).where(t.c.group_name == "Bench applied")).scalar_one()
    sandbox.engine.dispose()
    return sandbox.default_app.legacy_key, tag_id, first


def _client(port: int, template: bytes, ids: list[int], seconds: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "text/xml"}
    count, errors = 0, 0
    deadline = time.monotonic() + seconds
    for cid in ids:
        if time.monotonic() >= deadline:
            break
        body = template.replace(str(PLACEHOLDER).encode(), str(cid).encode())
        try:
            conn.request("POST", "/api/xmlrpc", body, headers)
            data = conn.getresponse().read()
            if b"<fault>" in data:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port)
        count += 1
    out.put((count, errors))


def load(port: int, template: bytes, ids: list[int], seconds: float, clients: int) -> tuple[float, int, int]:
    out: mp.Queue = mp.Queue()
    shares = [ids[i::clients] for i in range(clients)]
    procs = [mp.Process(target=_client, args=(port, template, share, seconds, out)) for share in shares]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - started
    calls = sum(r[0] for r in results)
    return calls / elapsed, sum(r[1] for r in results), calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-goals-"))
    key, tag_id, first = prepare(tmp)
    port = free_port()
    env = dict(os.environ, SANDBOX_DATA_DIR=str(tmp), PYTHONPATH=str(ROOT), SANDBOX_TICK_SECONDS="0",
               **targets.QUIET_SERVER)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-k", "server.master.SandboxWorker",
                               "--threads", "8", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env)
    calls = {
        "load": xmlrpc.client.dumps((key, PLACEHOLDER, ["Id", "FirstName", "Email"]), "ContactService.load").encode(),
        "tag": xmlrpc.client.dumps((key, PLACEHOLDER, tag_id), "ContactService.addToGroup").encode(),
        "api": xmlrpc.client.dumps((key, "bench", "go", PLACEHOLDER), "FunnelService.achieveGoal").encode(),
    }
    # every goal call is for a contact of its own: each round's share of the bench contacts, per call
    share = (CONTACTS - 200) // (2 * args.rounds)
    rounds: list[dict[str, tuple[float, int, float | None]]] = []
    try:
        wait_for(port)
        load(port, calls["tag"], list(range(first, first + 200)), 1.0, args.clients)  # warm up
        for r in range(args.rounds):
            targets.step(f"round {r + 1} of {args.rounds}: ContactService.load, addToGroup, achieveGoal")
            measured = {}
            for name in ("load", "tag", "api"):
                offset = first + 200 + (r * 2 + (name == "api")) * share
                ids = [first] * share if name == "load" else list(range(offset, offset + share))
                cpu0 = server_cpu(server.pid)
                rate, errors, done = load(port, calls[name], ids, args.seconds, args.clients)
                cpu1 = server_cpu(server.pid)
                measured[name] = (rate, errors, (cpu1 - cpu0) / done * 1e6 if cpu0 is not None and done else None)
            rounds.append(measured)
    finally:
        server.terminate()
        server.wait(10)

    def row(name: str, label: str) -> str:
        rates = [m[name][0] for m in rounds]
        cpus = [m[name][2] for m in rounds if m[name][2] is not None]
        ratios = [m[name][0] / m["load"][0] for m in rounds]
        each = ", ".join(f"{x:,.0f}" for x in rates)
        return (f"| {label} | **{statistics.median(rates):,.0f}** ({each}) | {max(rates):,.0f} | "
                f"{sum(m[name][1] for m in rounds)} | "
                f"{f'{statistics.median(cpus):,.0f}' if cpus else 'n/a'} | {statistics.median(ratios):.2f} |")

    heading = "## Campaign engine: goal events through the API"
    report = f"""{heading}

Measured {date.today().isoformat()} by `bench/engine_goals.py --seconds {args.seconds:g} --rounds {args.rounds} \
--clients {args.clients}` on {machine()}. One server process (gunicorn, one worker of `sandbox serve`'s class, `gthread` with 8 threads;
{http_parser()}) on the embedded SQLite store, throttling off for the app; {args.clients} client processes post
pre-encoded calls over keep-alive connections, each goal call for a contact of its own, so every call achieves a published goal, which
starts a sequence whose first two items (an email, captured in the outbox, and a tag) run inside the call. In each
round a plain `ContactService.load` is measured first on the same server, as the baseline of that round. Target: at
least 500 goal events a second.

| call | calls/s, median of {args.rounds} rounds (each round) | best round | errors | server CPU per call, µs | ratio to `ContactService.load` |
|---|---:|---:|---:|---:|---:|
{row("load", "`ContactService.load` (baseline, no event)")}
{row("tag", "`ContactService.addToGroup` (tag goal)")}
{row("api", "`FunnelService.achieveGoal` (API goal)")}
"""  # noqa: E501  (a paragraph and a table row of the report, each one line of Markdown)
    print(report)
    for name, label in (("tag", "tag goal events/s"), ("api", "API goal events/s")):
        targets.check(label, statistics.median(m[name][0] for m in rounds), at_least=500)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", heading, report)


if __name__ == "__main__":
    main()
