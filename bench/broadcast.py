"""A broadcast to 100,000 contacts: a tag's contacts (some with the test addresses that bounce, some opted out,
some sharing an address), scheduled an hour ahead, the app's clock advanced 1 day, on the embedded SQLite store
in one process.

    .venv/bin/python bench/broadcast.py [--contacts 100000] [--no-write]

Measures the wall time (and the process's CPU time) of the 1-day jump, which renders, checks and records every
recipient's email (captured or skipped with its reason), decides each delivery and writes the batch status report.
Target: under 30 s for 100,000 recipients. Writes docs/performance.md (section "Broadcasts") unless --no-write.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import common  # noqa: E402
from bench.xmlrpc_throughput import machine, write_section  # noqa: E402
from server import jobs  # noqa: E402
from server.domain.mail import broadcasts, templates  # noqa: E402
from server.store import schema  # noqa: E402
from server.store.db import transaction  # noqa: E402


def address(i: int) -> tuple[str, str]:
    """Contact ``i``'s address and its status: every 100th bounces (the test addresses), every 50th is opted
    out, every 40th shares the previous contact's address."""
    if i % 40 == 0:
        i -= 1
    if i % 100 == 0:
        return f"hardbounce+{i}@example.com", "SingleOptIn"
    if i % 100 == 1:
        return f"softbounce+{i}@example.com", "SingleOptIn"
    return f"c{i}@example.com", "Manual" if i % 50 == 7 else "SingleOptIn"


def setup(url: str, contacts: int):
    env = common.environment(url)
    with transaction(env.engine, write=True) as conn:
        app = common.new_app(conn, profile=common.BUSINESS_PROFILE)
        s = env.session(conn, app)
        template_id = templates.add(s, {"pieceTitle": "News", "subject": "News for ~Contact.FirstName~",
                                        "htmlBody": '<p>Hello ~Contact.FirstName~, <a href="https://example.com">'
                                                    'read on</a></p>', "textBody": "Hello ~Contact.FirstName~",
                                        "contentType": "Multipart", "fromAddress": "news@example.com",
                                        "toAddress": "~Contact.Email~", "mergeContext": "Contact"})
        rows, statuses, tagged, seen = [], [], [], set()
        for i in range(1, contacts + 1):
            email, status = address(i)
            rows.append(dict(app_id=app.id, id=i, kind="contact", first_name=f"F{i}", email=email))
            if email not in seen:
                seen.add(email)
                statuses.append(dict(app_id=app.id, id=len(statuses) + 1, email=email, email_key=email, type=status))
            tagged.append(dict(app_id=app.id, contact_id=i, tag_id=1))
        conn.execute(sa.insert(schema.tag).values(app_id=app.id, id=1, group_name="Everyone"))
        common.insert_rows(conn, app.id, {schema.contact: rows, schema.email_status: statuses,
                                          schema.tag_assignment: tagged},
                           {"contact": contacts, "email_status": len(statuses), "tag": 1})
        send_at = datetime.fromtimestamp(app.clock_state.timestamp() + 3600, UTC)
        broadcast_id = broadcasts.create(s, "Bench news", template_id, {"tag_id": 1}, send_at)
    return env, app, broadcast_id


def measure(contacts: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env, app, broadcast_id = setup(f"sqlite:///{tmp}/bench.db", contacts)
        started, cpu = time.perf_counter(), time.process_time()
        jobs.advance(env, app, app.clock_state.advance(86400))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        with transaction(env.engine, write=False) as conn:
            report = broadcasts.get(env.session(conn, app), broadcast_id).report
        env.engine.dispose()
    assert report is not None and report["recipients"] == contacts, report
    return {"contacts": contacts, "seconds": elapsed, "cpu": cpu, "report": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    small, big = measure(max(1000, args.contacts // 5)), measure(args.contacts)
    load = max(load, os.getloadavg()[0])
    for r in (small, big):
        print(f"{r['contacts']:>7} recipients: 1-day jump {r['seconds']:.1f} s ({r['cpu']:.1f} s of CPU); "
              f"report {r['report']}")
    heading = "## Broadcasts"
    report = f"""{heading}

Measured {date.today().isoformat()} by `bench/broadcast.py --contacts {args.contacts}` on {machine()}. A broadcast
of a two-part template with merge fields and a tracked link to a tag of N contacts (every 100th a `hardbounce+`
and a `softbounce+` test address, every 50th opted out, every 40th sharing an address), scheduled an hour ahead;
the app's clock advanced 1 day in one call, on the embedded SQLite store in one process, at a load average of
{load:.0f} (other work on the machine). Target: under 30 s for 100,000 recipients. The wall time depends on the
machine's load; the process's CPU time during the jump much less so.

| recipients | 1-day jump, s | its CPU time, s | sent | skipped | delivery |
|---:|---:|---:|---:|---:|---|
""" + "".join(f"| {r['contacts']:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['report']['sent']:,} | "
              f"{r['report']['skipped']:,} | "
              f"{', '.join(f'{k} {v:,}' for k, v in r['report']['delivery'].items())} |\n" for r in (small, big))
    print(report)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", heading, report)


if __name__ == "__main__":
    main()
