"""The pytest plugin of the Infusionsoft (Keap) sandbox: ``pytest -p infusionsoft_sandbox`` (loaded by itself
once the package is installed: it is a ``pytest11`` entry point). docs/testing.md shows it in use.

Fixtures:

- ``keap_sandbox`` (session): a ``server.testing.client.Sandbox``. The one at ``--keap-sandbox-url`` or
  ``KEAP_SANDBOX_URL`` (with ``KEAP_SANDBOX_ADMIN_TOKEN``) when given, waited on until ready; otherwise one
  started in this process on a free loopback port, its store a SQLite file in a temporary folder (or
  ``--keap-sandbox-database-url`` / ``KEAP_SANDBOX_DATABASE_URL``), stopped at the end of the session.
- ``keap_app`` (function): a fresh seeded app for each test (a copy of the seed template: cheap), a
  ``server.testing.client.KeapApp`` with its legacy key, a PAT and an OAuth token, its clock frozen (at the
  moment it is made unless the test says when) and the helpers ``advance``, ``outbox``, ``options``, ``reset``,
  ``journal``, ``inject_fault``, ``snapshot``/``restore``; deleted after the test (``--keap-sandbox-keep-apps``
  keeps it).

How a test's app is made: the marker ``@pytest.mark.keap_app(frozen_at="2026-03-02T09:00:00", seed=True,
freeze=True, time_zone=None)``, or the same keywords as an indirect parameter
(``@pytest.mark.parametrize("keap_app", [{"seed": False}], indirect=True)``).
"""
from __future__ import annotations

import os

import pytest

# The server is imported by the fixtures, when a test asks for one, never when pytest loads this plugin: installed,
# the plugin loads before a checkout's tests put the checkout on sys.path, and an early import would pin the
# installed `server` package for the whole session.


def pytest_addoption(parser):
    group = parser.getgroup("infusionsoft-sandbox", "the Infusionsoft (Keap) sandbox")
    group.addoption("--keap-sandbox-url", default=None,
                    help="Use the sandbox running at this URL [env KEAP_SANDBOX_URL; default: start one per session]")
    group.addoption("--keap-sandbox-keep-apps", action="store_true", default=False,
                    help="Keep each test's app after the test (to look at it); by default it is deleted")
    group.addoption("--keap-sandbox-database-url", default=None,
                    help="The store of the sandbox the session starts [env KEAP_SANDBOX_DATABASE_URL; default: "
                         "a SQLite file in a temporary folder]")


def pytest_configure(config):
    config.addinivalue_line("markers", "keap_app(frozen_at=None, seed=True, freeze=True, time_zone=None): how the "
                                       "keap_app fixture makes this test's app")


@pytest.fixture(scope="session")
def keap_sandbox(request, tmp_path_factory):
    from server.testing import local  # noqa: PLC0415 (see above)
    from server.testing.client import Sandbox  # noqa: PLC0415

    url = request.config.getoption("keap_sandbox_url") or os.environ.get("KEAP_SANDBOX_URL")
    if url:
        sandbox = Sandbox(url, os.environ.get("KEAP_SANDBOX_ADMIN_TOKEN") or os.environ.get("SANDBOX_ADMIN_TOKEN"))
        sandbox.wait_ready()
        yield sandbox
        return
    database_url = (request.config.getoption("keap_sandbox_database_url")
                    or os.environ.get("KEAP_SANDBOX_DATABASE_URL"))
    started = local.start(tmp_path_factory.mktemp("keap-sandbox"), database_url=database_url)
    try:
        yield Sandbox(started.url)
    finally:
        started.stop()


@pytest.fixture
def keap_app(request, keap_sandbox):
    """A ``server.testing.client.KeapApp``."""
    marker = request.node.get_closest_marker("keap_app")
    how = dict(marker.kwargs) if marker else {}
    how.update(getattr(request, "param", None) or {})
    app = keap_sandbox.new_app(**how)
    yield app
    if not request.config.getoption("keap_sandbox_keep_apps"):
        app.delete()  # a sandbox shared by many runs does not fill up with test apps
