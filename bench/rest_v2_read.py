"""REST v2 reads beside XML-RPC's ContactService.load, in the same run on the same server (gunicorn started
directly, ``python -m gunicorn -w 2 -k gthread --threads 4 wsgi:app``, on SQLite, seeded as
bench/xmlrpc_throughput.py seeds it):

    .venv/bin/python bench/rest_v2_read.py [--seconds 5] [--rounds 3] [--clients 4] [--no-write]

Calls, each measured in turn round after round; each v2 read is compared with the XML-RPC load of the same
data in the same round (the ratio is the median of the rounds' ratios), since a v2 read answers what its
``fields`` ask for, and a load the fields it is given:

- ``GET /crm/rest/v2/contacts/{id}``, the v2 single read with its default properties (names, email addresses
  with their opt-in status, phones, faxes, addresses, company, owner, tag ids, times: 57 Contact fields), against
  ``ContactService.load`` of those 57 fields;
- ``GET /crm/rest/v2/contacts/{id}?fields=given_name,family_name,email_addresses``, against
  ``ContactService.load`` of ``Id, FirstName, LastName, Email`` (the v2 answer adds the address's opt-in
  status);
- the target (issue 13: a v2 read costs at most 1.2x the XML-RPC load) compares each v2 read with the load made
  as an integration makes it today, through the gateway's XML-RPC endpoint with the same Service Account Key:
  Keap revoked the legacy API keys in the first quarter of 2025 (spec rest-v2.md), so every XML-RPC call now
  pays the gateway's credential check, windows and headers, as every v2 call does. Both loads are also made
  on the legacy endpoint with the legacy key, which pays none of that: the v2 reads against them are printed
  too, for information;
- for information, ``GET /contacts?filter=email==bench500@example.com&page_size=10`` (the lookup by email
  integrations make before a write) against XML-RPC's ``ContactService.findByEmail`` of the same 57 fields; the
  default v2 read against the 4-field load (14 times less data), and ``GET /crm/rest/v2/tags/{id}`` against the
  4-field load, kept for comparison with earlier runs.

Writes the figures to docs/performance.md (section "REST v2 reads") unless --no-write.
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
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from bench.xmlrpc_throughput import free_port, http_parser, machine, prepare, server_cpu, wait_for, write_section  # noqa: E402
from server.config import from_env  # noqa: E402
from server.rest_v2.contacts import DEFAULT_FIELDS  # noqa: E402
from server.rest_v2.contacts import fields_for as v2_contact_fields  # noqa: E402
from server.store import apps, credentials, db, schema  # noqa: E402
from server.store.db import transaction  # noqa: E402

V2_READ = "/crm/rest/v2/contacts/{contact_id}"
V2_READ_SOME = "/crm/rest/v2/contacts/{contact_id}?fields=given_name,family_name,email_addresses"
V2_LIST = "/crm/rest/v2/contacts?filter=email%3D%3Dbench500%40example.com&page_size=10"
V2_TAG = "/crm/rest/v2/tags/{tag_id}"


def _client(port: int, method: str, path: str, body: bytes | None, headers: dict, seconds: float,
            out: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    count, errors = 0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn.request(method, path, body, headers)
            reply = conn.getresponse()
            data = reply.read()
            if reply.status != 200 or b"<fault>" in data:
                errors += 1
            if reply.getheader("Connection", "").lower() == "close" or reply.version == 10:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port)
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port)
        count += 1
    out.put((count, errors))


def measure(pid: int, port: int, call: tuple, seconds: float, clients: int) -> tuple[float, int, float | None]:
    """``(calls/s, errors, server CPU µs per call)`` for ``call = (method, path, body, headers)``."""
    before = server_cpu(pid)
    out: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, *call, seconds, out)) for _ in range(clients)]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(seconds, time.monotonic() - started - 0.05)
    rate = sum(r[0] for r in results) / elapsed
    after = server_cpu(pid)
    cpu = (after - before) / (rate * seconds) * 1e6 if before is not None and after is not None and rate else None
    return rate, sum(r[1] for r in results), cpu


def service_key(data_dir: Path) -> tuple[str, int]:
    """A Service Account Key of the seeded app, and the id of one of its tags."""
    engine = db.make_engine(from_env(data_dir=str(data_dir)).sqlalchemy_url)
    with transaction(engine, write=True) as conn:
        record = apps.by_name(conn, "sandbox")
        _, key = credentials.add_key(conn, record.id, "sak", "bench", None)
        # the gateway's windows on, like the legacy bucket prepare() leaves on, with limits no run reaches
        huge = {"per_second": 10**6, "per_minute": 10**9, "per_day": 10**9}
        throttle = dict(record.options.get("throttle") or {})
        throttle["profiles"] = {"current": {"oauth": huge, "key": huge,
                                            "tenant": {"enabled": True, "per_minute": 10**9, "per_day": 10**9}}}
        apps.update(conn, record.id, options={**record.options, "throttle": throttle})
        tag_id = conn.execute(schema.tag.select().where(schema.tag.c.app_id == record.id,
                                                        schema.tag.c.group_name == "VIP")).first().id
    engine.dispose()
    return key, tag_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-v2-"))
    legacy_key, contact_id = prepare(tmp)
    key, tag_id = service_key(tmp)
    port = free_port()
    env = dict(os.environ, SANDBOX_DATA_DIR=str(tmp), PYTHONPATH=str(ROOT), **targets.QUIET_SERVER)
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
                                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    fields = ["Id", "FirstName", "LastName", "Email"]
    default_fields = list(v2_contact_fields(DEFAULT_FIELDS))
    xml = {"Content-Type": "text/xml"}
    sak = {"X-Keap-API-Key": key}
    load = "XML-RPC `ContactService.load` of 4 fields (legacy key)"
    load_sak = "XML-RPC `ContactService.load` of 4 fields (gateway, SAK)"
    load_all = f"XML-RPC `ContactService.load` of the {len(default_fields)} fields of v2's default answer (legacy key)"
    load_all_sak = (f"XML-RPC `ContactService.load` of the {len(default_fields)} fields of v2's default answer "
                    "(gateway, SAK)")
    v2_read = "v2 `GET /crm/rest/v2/contacts/{contact_id}` (default properties)"
    v2_some = "v2 `GET /crm/rest/v2/contacts/{contact_id}?fields=given_name,family_name,email_addresses`"
    find_all = (f"XML-RPC `ContactService.findByEmail` of the {len(default_fields)} fields of v2's default answer "
                "(legacy key)")
    v2_list = "v2 `GET /contacts?filter=email==bench500@example.com&page_size=10`"
    calls = {
        load: ("POST", "/api/xmlrpc", xmlrpc.client.dumps((legacy_key, contact_id, fields), "ContactService.load")
               .encode(), xml),
        load_sak: ("POST", "/crm/xmlrpc/v1", xmlrpc.client.dumps(("x", contact_id, fields), "ContactService.load")
                   .encode(), {**xml, **sak}),
        load_all: ("POST", "/api/xmlrpc", xmlrpc.client.dumps((legacy_key, contact_id, default_fields),
                                                              "ContactService.load").encode(), xml),
        load_all_sak: ("POST", "/crm/xmlrpc/v1", xmlrpc.client.dumps(("x", contact_id, default_fields),
                                                                     "ContactService.load").encode(), {**xml, **sak}),
        v2_read: ("GET", V2_READ.format(contact_id=contact_id), None, sak),
        v2_some: ("GET", V2_READ_SOME.format(contact_id=contact_id), None, sak),
        find_all: ("POST", "/api/xmlrpc", xmlrpc.client.dumps((legacy_key, "bench500@example.com", default_fields),
                                                              "ContactService.findByEmail").encode(), xml),
        v2_list: ("GET", V2_LIST, None, sak),
        "v2 `GET /crm/rest/v2/tags/{tag_id}`": ("GET", V2_TAG.format(tag_id=tag_id), None, sak),
    }
    # the target: each v2 read against the load of the same data with the same credential (the gateway's)
    same_data = {v2_read: load_all_sak, v2_some: load_sak}
    # the rows' comparisons: the targets', the lookup by email against findByEmail (for information), each
    # gateway load against the legacy key's load of the same fields, the rest against the 4-field legacy load
    against_of = {**same_data, v2_list: find_all, load_sak: load, load_all_sak: load_all}
    # for information: the v2 reads against the legacy key's loads of the same data, which pay no gateway
    legacy_data = {v2_read: load_all, v2_some: load}
    baseline = load
    try:
        wait_for(port)
        for call in calls.values():  # warm up, and fail early on a broken call
            rate, errors, _ = measure(gunicorn.pid, port, call, 0.5, 1)
            assert errors == 0, f"{call[0]} {call[1]} fails"
        rounds: dict[str, list[tuple]] = {name: [] for name in calls}
        for n in range(args.rounds):
            targets.step(f"round {n + 1} of {args.rounds}: {len(calls)} calls in turn")
            for name, call in calls.items():
                rounds[name].append(measure(gunicorn.pid, port, call, args.seconds, args.clients))
    finally:
        gunicorn.terminate()
        gunicorn.wait(10)

    def ratios_to(name: str, against: str) -> tuple[list[float], list[float]]:
        pairs = list(zip(rounds[name], rounds[against]))
        return [r[0] / b[0] for r, b in pairs], [r[2] / b[2] for r, b in pairs if r[2] and b[2]]

    lines = [
        "## REST v2 reads",
        "",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `bench/rest_v2_read.py --seconds {args.seconds:g} "
        f"--rounds {args.rounds} --clients {args.clients}` on {machine()}: gunicorn started directly (2 `gthread` "
        f"workers of 4 threads, {http_parser()}), SQLite, the seeded app plus 1,000 contacts, the legacy bucket "
        "and the gateway's windows on with limits no run reaches. Each call is measured in turn, round after "
        "round; a ratio is the median of the rounds' ratios to its comparison in the same round (each round's in "
        "brackets). Target (issue 13): a v2 read costs no more than 1.2x the XML-RPC `ContactService.load` of the "
        "same data (the default answer's 57 Contact fields; the three properties' 4 fields), i.e. a rate ratio of "
        "at least 0.83 and a CPU ratio of at most 1.2, the load made as integrations make it since Keap revoked "
        "the legacy API keys (first quarter of 2025): through the gateway's XML-RPC endpoint with the same "
        "Service Account Key as the v2 read. The legacy key's loads, which pay none of the gateway's work, are "
        "measured too (the comparisons below the table).",
        "",
        "| call | compared with | calls/s (median) | errors | server CPU per call | rate ratio | CPU ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    ratios = {}
    for name, runs in rounds.items():
        against = against_of.get(name, baseline)
        rate_ratios, cpu_ratios = ratios[name] = ratios_to(name, against)
        cpu = statistics.median([r[2] for r in runs if r[2] is not None]) if any(r[2] for r in runs) else None
        compared = ("itself" if against == name else "the 4-field load" if against == load else
                    "the same fields' findByEmail" if against == find_all else
                    "the same fields' load, same key" if name in same_data else
                    "the same fields' load, legacy key")
        lines.append(
            f"| {name} | {compared} | "
            f"{statistics.median(r[0] for r in runs):,.0f} | {sum(r[1] for r in runs)} | "
            f"{'n/a' if cpu is None else f'{cpu:,.0f} µs'} | **{statistics.median(rate_ratios):.2f}** "
            f"({', '.join(f'{x:.2f}' for x in rate_ratios)}) | "
            f"{f'**{statistics.median(cpu_ratios):.2f}**' if cpu_ratios else 'n/a'} |")
    lines += ["", "Against the legacy key's load of the same data (for information: the gateway's own cost, its "
                  "credential's statement, five windows and seventeen `x-keap-*` headers, is in these ratios):", ""]
    for name, against in legacy_data.items():
        rate_ratios, cpu_ratios = ratios_to(name, against)
        lines.append(f"- {name}: CPU ratio {statistics.median(cpu_ratios):.2f} "
                     f"({', '.join(f'{x:.2f}' for x in cpu_ratios)}), rate ratio {statistics.median(rate_ratios):.2f}"
                     if cpu_ratios else f"- {name}: rate ratio {statistics.median(rate_ratios):.2f}")
    loose = [r[2] / b[2] for r, b in zip(rounds[v2_read], rounds[load]) if r[2] and b[2]]
    if loose:
        lines += ["", f"For information, the default v2 read against the 4-field load (14 times less data): CPU ratio "
                      f"{statistics.median(loose):.2f}."]
    report = "\n".join(lines) + "\n"
    print(report)
    for name in same_data:
        rate_ratios, cpu_ratios = ratios[name]
        targets.check(f"{name}, rate ratio to the same data's load with the same key", statistics.median(rate_ratios),
                      at_least=0.83)
        if cpu_ratios:
            targets.check(f"{name}, CPU ratio to the same data's load with the same key",
                          statistics.median(cpu_ratios), at_most=1.2)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## REST v2 reads", report)


if __name__ == "__main__":
    main()
