"""Scale-out: several worker processes drain one app's due enrollments on PostgreSQL at once; each row is
claimed by one of them (FOR UPDATE SKIP LOCKED), so nothing runs twice and nothing is left."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PG_URL, ROOT, _fresh_pg_database, make_app, start_server
from tests.engine.conftest import Campaigns
from tests.engine.test_sequences import one_sequence

WORKER = r"""
import sys
from server import jobs
from server.config import from_env
from server.environment import Environment
from server.store import apps, db
from server.store.db import transaction
from server.wiring import build_registry
config = from_env(database_url=sys.argv[1])
env = Environment.build(config, db.make_engine(sys.argv[1]), build_registry(config))
with transaction(env.engine, write=False) as conn:
    app = apps.by_name(conn, sys.argv[2])
print(jobs.run_due(env, app))
"""


@pytest.fixture(scope="module")
def quiet_pg(tmp_path_factory):
    """A sandbox on its own PostgreSQL database with no heartbeat: only the workers below drain it."""
    if not PG_URL:
        pytest.skip("SANDBOX_TEST_DATABASE_URL is not set: the scale-out drain needs PostgreSQL")
    url, drop = _fresh_pg_database(PG_URL)
    live, stop = start_server(tmp_path_factory.mktemp("quiet"), url, tick_seconds=0)
    yield live
    stop()
    drop()


def test_four_workers_drain_one_app_without_doubles(quiet_pg):
    live = quiet_pg
    app = make_app(live)
    campaigns = Campaigns(app)
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    app.live.control("PATCH", f"/apps/{app.name}/options", json={"engine_mode": "async"})
    created = campaigns.load(one_sequence({"type": "email", "name": "one", "subject": "one", "text": "x"},
                                {"type": "apply_tag", "tag": "Newsletter"},
                                {"type": "email", "name": "two", "subject": "two", "text": "x"}))
    contacts = [app.call("ContactService.add", {"Email": f"w{i}@example.com"}) for i in range(120)]
    for cid in contacts:  # async: the goal enrolls them, the drain runs their items
        app.call("FunnelService.achieveGoal", app.name, "go", cid)
    assert campaigns.outbox() == []
    url = live.sandbox.engine.url.render_as_string(hide_password=False)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, app.name], cwd=str(ROOT),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in results]
    assert sum(int(out.strip().splitlines()[-1]) for out, _ in results) >= len(contacts)
    subjects: dict[int, list[str]] = {}
    for m in campaigns.outbox(limit=1000):
        subjects.setdefault(m["contact_id"], []).append(m["subject"])
    assert all(subjects.get(cid) == ["one", "two"] for cid in contacts)
    states = [e["state"] for e in campaigns.enrollments(campaign_id=created["id"])]
    assert len(states) == len(contacts) and set(states) == {"done"}
