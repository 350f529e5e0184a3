"""A clock jump against a slow receiver (issue 12 point 3): N contacts each queue a campaign HTTP post to a local
receiver that answers after S seconds; the app's clock is advanced 2 days in one call.

    .venv/bin/python bench/outbox_advance.py [--posts 6] [--sleep 5] [--checkout <dir>]

Prints the wall time of the jump and its summary of HTTP posts. ``--checkout`` runs the server from another
checkout (the code before a change) with this script, for a before/after pair in one session. No file is
written: quote the figures in docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.xmlrpc_throughput import free_port, wait_for  # noqa: E402


def slow_receiver(seconds: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(seconds)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=6)
    parser.add_argument("--sleep", type=float, default=5.0)
    parser.add_argument("--checkout", type=Path, default=ROOT)
    args = parser.parse_args()
    receiver = slow_receiver(args.sleep)
    port = free_port()
    env = dict(os.environ, SANDBOX_DATA_DIR=tempfile.mkdtemp(prefix="sandbox-bench-"),
               PYTHONPATH=str(args.checkout), SANDBOX_TICK_SECONDS="0")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "4",
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "600", "wsgi:app"],
                              cwd=args.checkout, env=env)
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        control = base + "/sandbox/apps/outbox"
        requests.post(base + "/sandbox/apps", json={"name": "outbox", "seed": False}, timeout=60).raise_for_status()
        requests.post(control + "/clock", json={"time": "2026-03-02T08:00:00", "frozen": True},
                      timeout=60).raise_for_status()
        requests.patch(control + "/options", json={"http_post_any_port": True}, timeout=60).raise_for_status()
        doc = {"name": "Notify", "goals": [{"key": "go", "type": "api_call", "call_name": "go"}],
               "links": [["go", "s"]], "sequences": [{"key": "s", "items": [
                   {"type": "http_post", "url": f"http://127.0.0.1:{receiver.server_port}/hook",
                    "fields": [["id", "~Contact.Id~"]]}]}]}
        requests.post(control + "/campaigns", json=doc, params={"publish": "1"}, timeout=60).raise_for_status()
        key = requests.get(control, timeout=60).json()["legacy_api_key"]
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        for i in range(args.posts):
            cid = proxy.ContactService.add(key, {"Email": f"slow{i}@example.com"})
            proxy.FunnelService.achieveGoal(key, "outbox", "go", cid)
        started = time.perf_counter()
        answer = requests.post(control + "/clock", json={"by": "2d"}, timeout=600)
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        print(f"{args.checkout}: {args.posts} posts to a {args.sleep:g} s receiver, 2-day jump {elapsed:.1f} s, "
              f"http_posts {answer.json()['ran']['http_posts']}")
    finally:
        server.terminate()
        server.wait(30)
        receiver.shutdown()


if __name__ == "__main__":
    main()
