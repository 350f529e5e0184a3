"""What a serving process loads (issue 18 §8: the server's memory). A worker whose store is already migrated builds
its application without Alembic, without the libraries loaded only by their first use, and without REST v1 and
v2, which its first call of each loads; gunicorn's master (server.master) loads none of the application. Each is
checked in a fresh interpreter: this one has loaded everything."""
from __future__ import annotations

import json
import subprocess
import sys

from server.config import from_env
from server.sandbox.seeding.bootstrap import ensure_default_app
from server.wiring import build_environment
from tests.conftest import ROOT

# Loaded by their first use only: a migration (Alembic, and the Mako and Pygments it loads), an outside HTTP post
# (requests), an iCal (icalendar), a TLS certificate (cryptography), pydantic (the control API's models, and the
# settings an app may have: fault rules, a retirement schedule, deliverability rules, confirmation links)
NOT_AT_START = {"alembic", "mako", "pygments", "requests", "urllib3", "icalendar", "cryptography", "pydantic"}
# REST v1's resource modules, REST v2's contract and families, the control API and the inspector, OAuth's endpoints
# (server.rest.front, server.rest_v2.front, server.sandbox.front, server.auth.front), the migration compare (it runs
# v2 operations), jsonschema (v2's validators, campaign documents), YAML (campaign documents): by their first use
PROTOCOLS = {"server.rest.api", "server.rest.contacts", "server.rest.openapi", "server.rest_v2.api",
             "server.rest_v2.transport", "server.rest_v2.validation", "server.rest_v2.contacts",
             "server.migration.compare", "jsonschema", "server.sandbox.plane", "server.sandbox.control.apps",
             "server.inspector", "authlib", "yaml"}
# SQLAlchemy's PostgreSQL dialect, on a SQLite store (the partial indexes' PostgreSQL predicates are declared for a
# store on PostgreSQL alone, and the upserts import their dialect's insert)
POSTGRESQL = {"sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.postgresql.base"}
# what the application is made of
APPLICATION = {"sqlalchemy", "flask", "werkzeug", "lxml", "server.app"}


def loaded(code: str, wanted: set[str], **env: str) -> set[str]:
    """Which of ``wanted`` (packages or modules) are in sys.modules after ``code`` runs in a fresh interpreter."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(set(sys.modules) & set({sorted(wanted)!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def served(data_dir) -> None:
    """The store of ``data_dir`` migrated and its default app seeded, as `sandbox serve` does before it serves."""
    config = from_env(data_dir=data_dir, api_key="k")
    env = build_environment(config)
    ensure_default_app(env, config)
    env.engine.dispose()


def test_a_worker_on_a_migrated_store_loads_no_migration_and_no_first_use_library(tmp_path):
    served(tmp_path)
    code = "from server.app import create_app\ncreate_app().extensions['sandbox'].heartbeat.stop()"
    assert loaded(code, NOT_AT_START | PROTOCOLS | POSTGRESQL, SANDBOX_DATA_DIR=str(tmp_path),
                  SANDBOX_API_KEY="k") == set()
    # the probe sees them when they are there: a fresh store is migrated by create_app itself
    fresh = tmp_path / "fresh"
    assert "alembic" in loaded(code, NOT_AT_START, SANDBOX_DATA_DIR=str(fresh), SANDBOX_API_KEY="k")


def test_the_gunicorn_master_loads_none_of_the_application():
    assert loaded("import server.master", APPLICATION) == set()
    assert loaded("import server.master\nimport server.app", APPLICATION) == APPLICATION


def test_the_first_calls_load_rest_v1_v2_and_the_control_plane(tmp_path):
    """Each loads its part and answers as if it had been loaded at start-up."""
    served(tmp_path)
    code = """from server.app import create_app
app = create_app()
client = app.test_client()
assert "server.rest.api" not in sys.modules and "server.rest_v2.api" not in sys.modules
assert all(client.get(f"/sandbox/{probe}").status_code == 200 for probe in ("livez", "readyz", "health"))
import xmlrpc.client
def call(method, *params):
    answer = client.post("/api/xmlrpc", data=xmlrpc.client.dumps(("k", *params), method), content_type="text/xml")
    return xmlrpc.client.loads(answer.data)[0][0]  # (a fault raises)
contact = call("ContactService.add", {"FirstName": "Ada", "Email": "ada@example.com"})
assert call("ContactService.load", contact, ["Id", "FirstName"]) == {"Id": contact, "FirstName": "Ada"}
assert call("APIEmailService.optIn", "ada@example.com", "asked") is True
assert call("APIEmailService.sendEmail", [contact], "me@example.com", "~Contact.Email~", "", "", "Text", "Hi", "",
            "Hello") is True
assert "pydantic" not in sys.modules  # the probes, reads, writes and an email of an app without settings
assert client.get("/crm/rest/v1/contacts").status_code == 401
assert "server.rest.api" in sys.modules and "server.rest_v2.api" not in sys.modules
assert client.get("/crm/rest/v2/contacts").status_code == 401
assert client.get("/crm/rest/v1/nope", headers={"X-Keap-API-Key": "k"}).status_code == 404
assert client.get("/sandbox/health").status_code == 200 and "server.sandbox.plane" not in sys.modules
assert "authlib" not in sys.modules and client.post("/token").status_code == 400 and "authlib" in sys.modules
assert client.get("/sandbox/apps").status_code == 200 and "server.sandbox.plane" in sys.modules
assert "pydantic" in sys.modules
app.extensions["sandbox"].heartbeat.stop()"""
    after = loaded(code, PROTOCOLS | POSTGRESQL, SANDBOX_DATA_DIR=str(tmp_path), SANDBOX_API_KEY="k")
    assert after >= {"server.rest.api", "server.rest_v2.api", "server.rest_v2.validation", "jsonschema",
                     "server.sandbox.plane", "authlib"}
    assert not after & POSTGRESQL
