"""Fixtures: a live sandbox on loopback per backend (SQLite always, PostgreSQL when
SANDBOX_TEST_DATABASE_URL is set), and a fresh seeded app per test."""
from __future__ import annotations

import gc
import itertools
import os
import threading
import uuid
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from server.app import create_app
from server.config import from_env

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "sandbox_data"
PG_URL = os.environ.get("SANDBOX_TEST_DATABASE_URL")


def pytest_report_header(config):
    if PG_URL:
        return f"PostgreSQL backend: {PG_URL}"
    return "PostgreSQL backend: skipped (SANDBOX_TEST_DATABASE_URL is not set)"


@dataclass
class LiveServer:
    url: str
    backend: str
    app: object
    data_dir: Path

    @property
    def sandbox(self):
        return self.app.extensions["sandbox"]

    def control(self, method: str, path: str, **kwargs):
        return requests.request(method, self.url + "/sandbox" + path, timeout=30, **kwargs)


def _fresh_pg_database(base_url: str) -> tuple[str, callable]:
    name = f"sandbox_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url.replace("postgresql://", "postgresql+psycopg://", 1)
                             if base_url.startswith("postgresql://") else base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base_url.rsplit("/", 1)[0] + "/" + name

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


STOP_WAIT = 0.05  # seconds: how often a test's own server thread looks whether it was told to stop


def serve_in_thread(server) -> threading.Thread:
    """Serve ``server`` (a socketserver: werkzeug's, http.server's) on a daemon thread. Its ``shutdown()`` then
    returns within STOP_WAIT; at socketserver's default poll interval, half a second, every test that stopped a
    server or a receiver waited a quarter of a second on average doing nothing."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": STOP_WAIT}, daemon=True)
    thread.start()
    return thread


def pytest_collection_finish(session):
    """Freeze what collection made (the test modules, their imports, the items): every later collection of
    garbage skips it. A full collection of that heap took most of a second, and the suite makes many: each
    in-process server's ``create_app`` collects once (server.app._settle_memory), besides the interpreter's own
    oldest-generation collections while the tests run."""
    gc.freeze()


def start_server(tmp: Path, database_url: str | None = None, **config) -> tuple[LiveServer, callable]:
    """A sandbox on loopback. No heartbeat unless ``tick_seconds`` is given: due work runs when a test moves an
    app's clock or asks (``POST …/engine/run``), never behind its back between two of its calls."""
    config.setdefault("tick_seconds", 0)
    cfg = from_env(data_dir=str(tmp), seed_dir=SEED_DIR, database_url=database_url, **config)
    app = create_app(cfg)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serve_in_thread(server)
    live = LiveServer(f"http://127.0.0.1:{server.server_port}", app.extensions["sandbox"].engine.dialect.name,
                      app, tmp)

    def stop():
        app.extensions["sandbox"].heartbeat.stop()
        server.shutdown()
        server.server_close()
        app.extensions["sandbox"].engine.dispose()

    return live, stop


BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config):
    config.addinivalue_line("markers", "store_agnostic: the test reads or writes nothing the backends store "
                            "differently (a wire shape, a codec, a page, a gate rule): it runs on SQLite only, "
                            "not once more on PostgreSQL (docs/testing.md, the sandbox's own suite)")


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    """The one place the suite decides which backends a test runs on: every backend (``live``'s params), or,
    for a test marked ``store_agnostic``, SQLite alone. Runs before pytest's own parametrization, which then
    leaves ``live`` as this mark says."""
    if "live" in metafunc.fixturenames and metafunc.definition.get_closest_marker("store_agnostic"):
        metafunc.definition.add_marker(pytest.mark.parametrize("live", ["sqlite"], indirect=True, scope="session"),
                                       append=False)


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory):
    """The session's live servers, one per backend, each started when first asked for and stopped when the session
    ends. ``live`` only picks one: a parametrized session fixture is torn down whenever the next test wants the
    other param, and under xdist's ``--dist loadfile`` every file switches backends (its SQLite tests, then its
    PostgreSQL ones), so a server owned by ``live`` itself would start again for every file."""
    started: dict[str, LiveServer] = {}
    cleanups: list[callable] = []

    def server(backend: str) -> LiveServer:
        if backend not in started:
            started[backend], stop = start_backend(tmp_path_factory.mktemp(f"live-{backend}"), backend)
            cleanups.append(stop)
        return started[backend]

    yield server
    for cleanup in reversed(cleanups):
        cleanup()


def start_backend(tmp: Path, backend: str) -> tuple[LiveServer, callable]:
    """A live server on ``backend``'s store: a SQLite file in ``tmp``, or a fresh PostgreSQL database (dropped by
    the returned stop)."""
    if backend != "postgresql":
        return start_server(tmp)
    url, drop = _fresh_pg_database(PG_URL)
    server, stop = start_server(tmp, url)

    def stop_and_drop():
        stop()
        drop()

    return server, stop_and_drop


@pytest.fixture(scope="session", params=BACKENDS)
def live(request, live_servers) -> LiveServer:
    """The live server of one backend (every test that uses it runs once per backend, docs/testing.md)."""
    return live_servers(request.param)


@pytest.fixture(params=BACKENDS)
def store_url(request):
    """A database URL for a test that starts its own servers (restarts): None (a SQLite file in the data dir)
    or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    url, drop = _fresh_pg_database(PG_URL)
    yield url
    drop()


_names = itertools.count(1)


@dataclass
class TestApp:
    name: str
    key: str
    live: LiveServer

    def proxy(self, **kwargs) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(self.live.url + "/api/xmlrpc", **kwargs)

    def call(self, method: str, *args):
        """Call ``method`` with this app's key as the first parameter."""
        target = self.proxy()
        for part in method.split("."):
            target = getattr(target, part)
        return target(self.key, *args)

    def clock(self, **body):
        r = self.live.control("POST", f"/apps/{self.name}/clock", json=body)
        assert r.status_code == 200, r.text
        return r.json()


def make_app(live: LiveServer, *, seed: bool = True, **body) -> TestApp:
    name = f"t{next(_names)}{uuid.uuid4().hex[:6]}"
    r = live.control("POST", "/apps", json={"name": name, "seed": seed, **body})
    assert r.status_code == 201, r.text
    return TestApp(name, r.json()["legacy_api_key"], live)


@pytest.fixture
def app(live) -> TestApp:
    """A fresh app seeded from sandbox_data/."""
    return make_app(live)


@pytest.fixture(scope="session")
def keap_sandbox(live):
    """The pytest plugin's (infusionsoft_sandbox) sandbox is the suite's live server: the plugin's ``keap_app``
    makes each test's app there, on every backend, without starting a server of its own (docs/testing.md)."""
    from server.testing.client import Sandbox

    return Sandbox(live.url)


@pytest.fixture
def empty_app(live) -> TestApp:
    """A fresh app with nothing in it."""
    return make_app(live, seed=False)


def fault_of(excinfo) -> tuple[int, str]:
    return excinfo.value.faultCode, excinfo.value.faultString


def post_raw(live: LiveServer, body: bytes | str, path: str = "/api/xmlrpc", **headers) -> requests.Response:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return requests.post(live.url + path, data=body, headers={"Content-Type": "text/xml", **headers}, timeout=30)
