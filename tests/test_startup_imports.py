"""What a serving process loads (issue 18 §8: the server's memory). A worker whose store is already migrated builds
its application without Alembic and without the libraries loaded only by their first use; gunicorn's master
(server.master) loads none of the application. Each is checked in a fresh interpreter: this one has loaded
everything."""
from __future__ import annotations

import json
import subprocess
import sys

from server.config import from_env
from server.wiring import build_environment
from tests.conftest import ROOT

# Loaded by their first use only: a migration (Alembic, and the Mako and Pygments it loads), an outside HTTP post
# (requests), an iCal (icalendar), a TLS certificate (cryptography)
NOT_AT_START = {"alembic", "mako", "pygments", "requests", "urllib3", "icalendar", "cryptography"}
# what the application is made of
APPLICATION = {"sqlalchemy", "flask", "werkzeug", "pydantic", "lxml", "jsonschema", "authlib", "server.app"}


def loaded(code: str, wanted: set[str], **env: str) -> set[str]:
    """Which of ``wanted`` (packages or modules) are in sys.modules after ``code`` runs in a fresh interpreter."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(set(sys.modules) & set({sorted(wanted)!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_worker_on_a_migrated_store_loads_no_migration_and_no_first_use_library(tmp_path):
    build_environment(from_env(data_dir=tmp_path)).engine.dispose()  # migrated, as `sandbox serve` does first
    code = "from server.app import create_app\ncreate_app().extensions['sandbox'].heartbeat.stop()"
    assert loaded(code, NOT_AT_START, SANDBOX_DATA_DIR=str(tmp_path), SANDBOX_API_KEY="k") == set()
    # the probe sees them when they are there: a fresh store is migrated by create_app itself
    fresh = tmp_path / "fresh"
    assert "alembic" in loaded(code, NOT_AT_START, SANDBOX_DATA_DIR=str(fresh), SANDBOX_API_KEY="k")


def test_the_gunicorn_master_loads_none_of_the_application():
    assert loaded("import server.master", APPLICATION) == set()
    assert loaded("import server.master\nimport server.app", APPLICATION) == APPLICATION
