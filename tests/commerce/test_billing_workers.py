"""Billing due work claimed atomically: several workers running the same due renewal bill it once."""
from __future__ import annotations

import dataclasses
import threading

from server.clock import ClockState
from server.domain.commerce import auto_billing, billing
from server.store import apps
from server.store.db import transaction

from .util import MEMBERSHIP_PLAN, OLIVIA, OLIVIA_VISA, TEST_GATEWAY, events, last_seq, rows


def test_concurrent_workers_bill_a_renewal_once(live, app):
    app.clock(time="2027-01-10T09:00:00", frozen=True)
    sub_id = app.call("InvoiceService.addRecurringOrder", OLIVIA, True, MEMBERSHIP_PLAN, 1, 89.0, False,
                      TEST_GATEWAY, OLIVIA_VISA, 0, 0)
    engine = live.sandbox.engine
    with transaction(engine, write=False) as conn:
        record = apps.by_name(conn, app.name)
    # what a worker whose clock reads 7 hours later sees (the stored clock stays put, so the heartbeat waits)
    later = record.clock_state.timestamp() + 7 * 3600
    worker_view = dataclasses.replace(record, clock_state=ClockState(0.0, later, 1.0, True))
    seq = last_seq(app)
    barrier = threading.Barrier(4)
    ran: list[int] = []

    def work():
        barrier.wait()
        ran.append(auto_billing.run_due(live.sandbox.env, worker_view, later))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(ran) == 1
    assert [e["type"] for e in events(app, seq, ("invoice.added", "invoice.paid"))] == ["invoice.added",
                                                                                       "invoice.paid"]
    assert len(rows(app, "Job", {"JobRecurringId": sub_id}, ["Id"])) == 1
    with transaction(engine, write=False) as conn:
        tasks = billing.pending(live.sandbox.env.session(conn, record))
    assert [(t.kind, t.ref_id) for t in tasks] == [("subscription", sub_id)]  # next month's, and only that
