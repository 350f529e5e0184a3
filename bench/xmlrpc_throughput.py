"""XML-RPC throughput: `sandbox serve` itself (what `make serve` runs: gunicorn's threaded workers, one by
default; SQLite; the throttle on) beside a no-op stdlib SimpleXMLRPCServer with keep-alive measured in the same
run by the same client, and the codec beside the stdlib's dumps.

    .venv/bin/python bench/xmlrpc_throughput.py [--seconds 5] [--rounds 3] [--clients 4] [--workers 1]
                                                [--also werkzeug,waitress,cheroot,granian,gunicorn-noop]
                                                [--no-write]

The baseline and each call are measured in turn, round after round, and each call's ratio is the median of
its rounds' ratios to the baseline of the same round: on a shared machine the load of other processes
drifts, and a baseline measured once, minutes before, would not be comparable. Target (issue 18 item 3):
`ContactService.load` at least 0.8x the baseline.

``--also`` measures `ContactService.load` on the same application under other WSGI servers, each where it can
be imported (the comparison behind server/master.py's choice; none of them is a dependency).

Writes the figures and ratios to docs/performance.md (section "XML-RPC throughput") unless --no-write.
Load comes from client processes sending pre-encoded bodies over keep-alive connections and reading the
replies without parsing them, so the clients cost as little as possible on this 2-core machine.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import from_env  # noqa: E402
from server.domain.crm import contacts  # noqa: E402
from server.master import THREADS  # noqa: E402
from server.store import apps  # noqa: E402
from server.store.db import transaction  # noqa: E402
from server.xmlrpc import codec  # noqa: E402

NOOP_SERVER = r"""
import sys
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer
class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
class KeepAlive(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection between calls
s = Server(("127.0.0.1", int(sys.argv[1])), requestHandler=KeepAlive, logRequests=False, allow_none=True)
s.register_function(lambda *a: 1, "ContactService.load")
print("ready", flush=True)
s.serve_forever()
"""


GUNICORN_NOOP = r"""
from gunicorn.app.base import BaseApplication
from server import master
ANSWER = b"<?xml version='1.0'?><methodResponse><params><param><value><int>1</int></value></param></params>" \
         b"</methodResponse>"
def noop(environ, start_response):
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(ANSWER)))])
    return [ANSWER]
class NoOp(master.SandboxGunicorn):
    def load(self):
        return noop
NoOp(Config(port=port), 1, [], None).run()
"""

# The sandbox under `sandbox serve`'s gunicorn settings, one worker, with the CPU time of each call split in two: the
# application's (the WSGI call, on the thread's own CPU clock) and the whole call's in the worker (gunicorn reading
# the request, the application, gunicorn writing the answer: ``SandboxWorker._handle_one``). GET /__split answers
# both, in µs per call since the last GET, for the bench to read after each round.
GUNICORN_SPLIT = r"""
import json, time
from server import master
spent = {"app": 0.0, "call": 0.0, "calls": 0}
class Timed:
    def __init__(self, app):
        self.app, self.extensions = app, app.extensions  # extensions: what SandboxWorker reads for its call slot
    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/__split":
            n = max(spent["calls"], 1)
            body = json.dumps({"app": spent["app"] / n * 1e6, "call": spent["call"] / n * 1e6}).encode()
            spent.update(app=0.0, call=0.0, calls=0)
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        started = time.thread_time()
        try:
            return self.app(environ, start_response)
        finally:
            spent["app"] += time.thread_time() - started
handle_one = master.SandboxWorker._handle_one
def timed_handle_one(self, conn):
    started = time.thread_time()
    try:
        return handle_one(self, conn)
    finally:
        spent["call"] += time.thread_time() - started
        spent["calls"] += 1
master.SandboxWorker._handle_one = timed_handle_one
class Split(master.SandboxGunicorn):
    def load(self):
        return Timed(make_app())
Split(from_env(data_dir=sys.argv[2], port=port, log_level="warning"), 1, [], None).run()
"""

# Other WSGI servers for --also: each serves the application of the data dir argv[2] on port argv[1], with as
# many threads as `sandbox serve` gives a worker, keeping connections alive where the server can.
ALTERNATIVES = {
    "werkzeug": ("werkzeug", "from werkzeug.serving import make_server\n"
                 "make_server('127.0.0.1', port, make_app(), threaded=True).serve_forever()",
                 "Werkzeug's development server, what `sandbox serve` ran before (a new connection per call)"),
    "waitress": ("waitress", "import waitress\nwaitress.serve(make_app(), host='127.0.0.1', port=port, "
                 "threads=THREADS, _quiet=True)", "waitress (no TLS, one process)"),
    "cheroot": ("cheroot", "from cheroot.wsgi import Server\nServer(('127.0.0.1', port), make_app(), "
                "numthreads=THREADS).safe_start()", "cheroot (one process)"),
    "granian": ("granian", "import os\nfrom granian import Granian\nfrom granian.constants import Interfaces\n"
                "os.environ['BENCH_GRANIAN_DATA_DIR'] = sys.argv[2]\n"
                "Granian('bench.granian_app:app', address='127.0.0.1', port=port, interface=Interfaces.WSGI, "
                "workers=1, blocking_threads=THREADS).serve()",
                "granian (HTTP in Rust; one worker process, its blocking threads running the application; not a "
                "dependency: `pip install granian`), to show what the Python HTTP layer costs a call"),
    "split": ("gunicorn", GUNICORN_SPLIT, "the sandbox under the gunicorn settings of `sandbox serve`, one worker, "
              "each call's CPU split between the application and gunicorn (table below)"),
    "gunicorn-noop": ("gunicorn", GUNICORN_NOOP, "a no-op WSGI application (a fixed answer) under the gunicorn "
                      "settings of `sandbox serve`, one worker: what the server itself costs a call"),
}
ALTERNATIVE_MAIN = r"""
import logging, sys
from server.app import create_app
from server.config import Config, from_env
logging.disable(logging.WARNING)
port, THREADS = int(sys.argv[1]), int(sys.argv[3])
make_app = lambda: create_app(from_env(data_dir=sys.argv[2]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 180.0) -> None:  # servers start slowly on a loaded machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def _client(port: int, path: str, body: bytes, seconds: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "text/xml"}
    count, errors = 0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn.request("POST", path, body, headers)
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


def load(port: int, path: str, body: bytes, seconds: float, clients: int) -> tuple[float, int]:
    out: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(port, path, body, seconds, out)) for _ in range(clients)]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(seconds, time.monotonic() - started - 0.05)
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results)


def server_cpu(pid: int) -> float | None:
    """CPU seconds used so far by the process ``pid`` and its children (gunicorn's workers), from /proc;
    None where there is no /proc."""
    try:
        pids = [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        total = 0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measured(server_pid: int, port: int, path: str, body: bytes, seconds: float, clients: int):
    """``(calls/s, errors, server CPU µs per call or None)``."""
    before = server_cpu(server_pid)
    rate, errors = load(port, path, body, seconds, clients)
    after = server_cpu(server_pid)
    cpu = (after - before) / (rate * seconds) * 1e6 if before is not None and after is not None and rate else None
    return rate, errors, cpu


def prepare(data_dir: Path) -> tuple[str, int]:
    """A seeded app with 1,000 extra contacts, its throttle on but with a bucket of a billion tokens (every call
    takes its token, as on a real account, and a few seconds of load do not empty the bucket as they would the
    real 10,000); returns its key and one contact id."""
    app = create_app(from_env(data_dir=str(data_dir)))
    sandbox = app.extensions["sandbox"]
    with transaction(sandbox.engine, write=True) as conn:
        record = apps.by_name(conn, "sandbox")
        apps.update(conn, record.id, options={**record.options, "throttle": {"legacy": {"bucket_size": 10**9}}})
        s = sandbox.env.session(conn, apps.by_name(conn, "sandbox"))
        first = None
        for i in range(1000):
            cid = contacts.add(s, {"FirstName": f"Bench{i}", "LastName": "Mark", "Email": f"bench{i}@example.com",
                                   "Phone1": "555-010-0000", "City": "Boise", "State": "ID"})
            first = first or cid
    sandbox.engine.dispose()
    return sandbox.default_app.legacy_key, first


def codec_ratio(key: str, port: int) -> tuple[float, float]:
    """Seconds to write a 1000-row query response: this codec vs the stdlib's dumps."""
    rows = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/api/xmlrpc", use_builtin_types=True).DataService.query(
        key, "Contact", 1000, 0, {"LastName": "Mark"}, ["Id", "FirstName", "LastName", "Email", "Phone1", "City",
                                                        "State", "DateCreated"])
    assert len(rows) == 1000

    def best(fn, n=20):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    ours = best(lambda: codec.dumps_response(rows))
    stdlib = best(lambda: xmlrpc.client.dumps((rows,), methodresponse=True).encode())
    return ours, stdlib


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {system}"


def http_parser() -> str:
    """Which HTTP parser gunicorn uses here: its C parser when ``gunicorn[fast]`` is installed (`make bench`
    installs it), else its pure-Python one."""
    try:
        return f"gunicorn's C HTTP parser (`gunicorn[fast]`, gunicorn_h1c {version('gunicorn_h1c')})"
    except ImportError:
        return "gunicorn's pure-Python HTTP parser (`gunicorn[fast]` not installed)"


def start_alternatives(names: list[str], data_dir: Path, env: dict) -> dict[str, tuple]:
    """name -> (process, port, description) for each server of ``names`` that can be imported here."""
    started = {}
    for name in names:
        module, serve, description = ALTERNATIVES[name]
        try:
            __import__(module)
        except ImportError:
            print(f"{name}: not importable here, skipped", file=sys.stderr)
            continue
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-c", ALTERNATIVE_MAIN + serve, str(port), str(data_dir),
                                 str(THREADS)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        started[name] = (proc, port, description)
    return started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="sandbox serve --workers [default: 1, its default]")
    parser.add_argument("--also", default="", help="other WSGI servers to measure ContactService.load on, "
                                                   f"comma-separated: {', '.join(ALTERNATIVES)}")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    also = [name for name in args.also.split(",") if name]
    unknown = set(also) - set(ALTERNATIVES)
    if unknown:
        parser.error(f"unknown server(s) {', '.join(sorted(unknown))}: choose from {', '.join(ALTERNATIVES)}")

    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    key, contact_id = prepare(tmp)
    port, noop_port = free_port(), free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               **targets.QUIET_SERVER)
    serve = subprocess.Popen([sys.executable, "-c", "from server.cli import main; main()", "serve",
                              "--data-dir", str(tmp), "--port", str(port), "--workers", str(args.workers)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    noop = subprocess.Popen([sys.executable, "-c", NOOP_SERVER, str(noop_port)], stdout=subprocess.PIPE)
    others = start_alternatives(also, tmp, env)
    try:
        for p in (port, noop_port, *(o[1] for o in others.values())):
            wait_for(p)
        calls = {
            "ContactService.load": xmlrpc.client.dumps((key, contact_id, ["Id", "FirstName", "LastName", "Email"]),
                                                       "ContactService.load").encode(),
            "ContactService.add": xmlrpc.client.dumps((key, {"FirstName": "Load", "Email": "load@example.com"}),
                                                      "ContactService.add").encode(),
            "DataService.query (1000 rows)": xmlrpc.client.dumps(
                (key, "Contact", 1000, 0, {"LastName": "Mark"}, ["Id", "FirstName", "LastName", "Email", "Phone1"]),
                "DataService.query").encode(),
        }
        noop_body = xmlrpc.client.dumps((key, 1, ["Id"]), "ContactService.load").encode()
        # warm up every server
        load(port, "/api/xmlrpc", calls["ContactService.load"], 1.0, args.clients)
        load(noop_port, "/RPC2", noop_body, 1.0, args.clients)
        for _, other_port, _ in others.values():
            load(other_port, "/api/xmlrpc", calls["ContactService.load"], 1.0, args.clients)
        baselines: list[tuple] = []
        rounds: dict[str, list[tuple]] = {name: [] for name in calls}
        rounds.update({f"ContactService.load under {name}": [] for name in others if name != "split"})
        rounds.update({f"{call} under split": [] for call in calls if "split" in others})
        splits: dict[str, list[dict]] = {}
        for n in range(args.rounds):
            targets.step(f"round {n + 1} of {args.rounds}: the stdlib no-op, then {', '.join(rounds)}")
            baselines.append(measured(noop.pid, noop_port, "/RPC2", noop_body, args.seconds, args.clients))
            for name, body in calls.items():
                rounds[name].append(measured(serve.pid, port, "/api/xmlrpc", body, args.seconds, args.clients))
            for name, (proc, other_port, _) in others.items():
                bodies = {f"ContactService.load under {name}": calls["ContactService.load"]}
                if name == "split":
                    bodies = {f"{call} under split": body for call, body in calls.items()}
                for label, body in bodies.items():
                    if name == "split":
                        split_of(other_port)  # the counts start here
                    rounds[label].append(measured(proc.pid, other_port, "/api/xmlrpc", body, args.seconds,
                                                  args.clients))
                    if name == "split":
                        splits.setdefault(label.removesuffix(" under split"), []).append(split_of(other_port))
        baseline = (statistics.median(b[0] for b in baselines), 0, _median_cpu(baselines), [1.0])
        results = {name: (statistics.median(r[0] for r in runs), sum(r[1] for r in runs), _median_cpu(runs),
                          [r[0] / b[0] for r, b in zip(runs, baselines)])
                   for name, runs in rounds.items()}
        targets.step("the codec beside the stdlib's dumps")
        ours, stdlib = codec_ratio(key, port)
    finally:
        for proc in (serve, noop, *(o[0] for o in others.values())):
            proc.terminate()
        for proc in (serve, noop, *(o[0] for o in others.values())):
            proc.wait(30)

    load_ratio = statistics.median(results["ContactService.load"][3])
    lines = [
        "## XML-RPC throughput",
        "",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} by `make bench` (`bench/xmlrpc_throughput.py "
        f"--seconds {args.seconds:g} --rounds {args.rounds} --clients {args.clients} --workers {args.workers}"
        f"{' --also ' + args.also if also else ''}`) on {machine()}, a machine shared with other work (noisy). "
        f"The sandbox is `sandbox serve --workers {args.workers}` itself (gunicorn's threaded workers, {THREADS} "
        f"threads each, started by the command; {http_parser()}) on the embedded SQLite store (seeded app plus "
        "1,000 contacts), the legacy key's throttle on (a bucket of a billion tokens, so that load does not empty "
        "it); the baseline is a no-op stdlib `SimpleXMLRPCServer` with `ThreadingMixIn` and keep-alive "
        "(HTTP/1.1). Load: the same "
        f"{args.clients} client processes for every server, posting pre-encoded bodies over keep-alive connections "
        "where the server keeps them, reading replies unparsed. The baseline and each call are measured in turn, "
        f"{args.rounds} rounds of {args.seconds:g} s; a ratio is the median of the rounds' ratios to the baseline "
        "of the same round (the rounds' ratios in brackets). Clients and servers share the machine's cores, and "
        "other processes may share the machine: read the ratios, not the absolute numbers.",
        "",
        f"Target (issue 18 item 3): `ContactService.load` at least 0.80x the baseline: "
        f"**{load_ratio:.2f}x, {'met' if load_ratio >= 0.8 else 'not met'}**.",
        "",
        "| call | calls/s (median) | errors | server CPU per call | ratio to the stdlib no-op |",
        "|---|---:|---:|---:|---:|",
        f"| stdlib no-op `SimpleXMLRPCServer`, keep-alive | {baseline[0]:,.0f} | 0 | {_cpu_text(baseline[2])} | "
        "1.00 |",
    ]
    for name, (rate, errors, cpu, ratios) in results.items():
        each = ", ".join(f"{r:.2f}" for r in ratios)
        lines.append(f"| {name} | {rate:,.0f} | {errors} | {_cpu_text(cpu)} | **{statistics.median(ratios):.2f}** "
                     f"({each}) |")
    lines += [
        "",
        "Server CPU per call: the CPU time (user and system) of the server's processes (gunicorn's master and "
        "workers; the other servers' one process) over the calls they answered, a figure the load of other "
        "processes disturbs less than a rate.",
    ]
    if splits:
        lines += ["", SPLIT_TEXT, "", "| call | the application | gunicorn | the call in the worker |",
                  "|---|---:|---:|---:|"]
        for call, measured_splits in splits.items():
            app_cpu = statistics.median(m["app"] for m in measured_splits)
            call_cpu = statistics.median(m["call"] for m in measured_splits)
            lines.append(f"| {call} | {app_cpu:,.0f} µs | {call_cpu - app_cpu:,.0f} µs | {call_cpu:,.0f} µs |")
    if others:
        lines += ["", "The other servers, each serving the same application with as many threads: "
                  + "; ".join(f"{name}: {o[2]}" for name, o in others.items()) + "."]
    lines += [
        "",
        f"Writing a 1000-row `DataService.query` response (8 fields a row): this codec {ours * 1000:.2f} ms, "
        f"the stdlib's `xmlrpc.client.dumps` {stdlib * 1000:.2f} ms: ratio **{ours / stdlib:.2f}** "
        "(target: at most 1.5).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    targets.check("writing a 1000-row response, ratio to the stdlib's dumps", ours / stdlib, at_most=1.5)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## XML-RPC throughput", report)


SPLIT_TEXT = (
    "Where a call's CPU goes in the worker (`--also split`: the sandbox under `sandbox serve`'s gunicorn settings, "
    "each call timed on its thread's CPU clock; medians of the rounds). \"gunicorn\" is the call's CPU in the worker "
    "less the application's: reading and parsing the request, the environ, checking and writing the answer's "
    "headers and body. In process (`bench/journal_cost.py`) the same application costs less than under the server: "
    "the server's own code between two calls leaves less of it in the CPU's caches.")


def split_of(port: int) -> dict:
    """The split server's µs of CPU per call (the application's, the whole call's) since the last asking."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/__split")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def _median_cpu(runs) -> float | None:
    values = [r[2] for r in runs if r[2] is not None]
    return statistics.median(values) if values else None


def _cpu_text(cpu: float | None) -> str:
    return "n/a" if cpu is None else f"{cpu:,.0f} µs"


def write_section(path: Path, heading: str, body: str) -> None:
    """Put ``body`` in place of the section ``heading`` of ``path``, only when the run writes docs
    (``make bench-docs``: bench.targets)."""
    if not targets.write_docs():
        targets.step(f"{heading.lstrip('# ')}: not written to {path.name} (`make bench-docs` writes it)")
        return
    text = path.read_text() if path.exists() else "# Performance\n\nFigures measured by `make bench`.\n\n"
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + body.rstrip() + "\n" + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + body.rstrip() + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
